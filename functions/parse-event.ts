import type { MiddlewareObj } from '@middy/core';
import type { ParseError } from '@aws-lambda-powertools/parser/errors';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { z } from 'zod';
import { InvalidEventError } from '../lib/errors.js';

interface Issue {
  message: string;
  path?: readonly unknown[];
  code?: string;
  errors?: Issue[][];
}

const segment = (p: unknown): string => String(typeof p === 'object' && p !== null && 'key' in p ? p.key : p);

/** The issue that got furthest into the event: of a union, the branch whose first issue is deepest. */
function deepest(issues: readonly Issue[]): Issue | undefined {
  const first = issues[0];
  if (first?.code !== 'invalid_union' || !first.errors?.length) return first;
  const branches = first.errors.map((b) => deepest(b)).filter((i): i is Issue => i !== undefined);
  return (
    branches.reduce<Issue | undefined>((best, i) => ((i.path?.length ?? 0) > (best?.path?.length ?? -1) ? i : best), undefined) ?? first
  );
}

/** "Records.0.s3: expected object, received undefined" from Powertools' ParseError (schema issues or a ZodError). */
function describeParseError(err: ParseError): string {
  const cause = err.cause as readonly Issue[] | { issues?: readonly Issue[] } | undefined;
  const issues = Array.isArray(cause) ? cause : ((cause as { issues?: readonly Issue[] } | undefined)?.issues ?? []);
  const issue = deepest(issues);
  if (!issue) return err.message;
  return `${issue.path?.map(segment).join('.') || '(root)'}: ${issue.message}`;
}

/**
 * Powertools' parser middleware, with a failed parse turned into InvalidEventError ("expected
 * <what>: <path>: <problem>", the ParseError as its cause), so that a bad event fails the same
 * way in every handler.
 */
export function parseEvent<S extends z.ZodType>(schema: S, expected: string): MiddlewareObj<z.infer<S>> {
  return parser({
    schema,
    errorHandler: (error: ParseError) => {
      throw new InvalidEventError(`expected ${expected}: ${describeParseError(error)}`, { cause: error });
    },
  }) as MiddlewareObj<z.infer<S>>;
}
