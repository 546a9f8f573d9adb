import * as z from 'zod';

/**
 * A JSONPath of the supported subset: `$`, then `.name`, `['name']` or `[index]` steps
 * (lib/gates/jsonpath.ts). Checked here so that a bad path is a manifest error, not a failed gate.
 */
const jsonPath = z
  .string()
  .max(256)
  .regex(/^\$(\.[A-Za-z_$][\w$-]*|\[-?\d+\]|\['[^']*'\]|\["[^"]*"\])*$/, 'a JSONPath such as $.neighbors[0] or $["key"]');

/**
 * One assertion on a smoke answer's JSON body. Exactly one kind per entry:
 * `equals` (canonical JSON equality), `approx` (a number within `tolerance`, default 0),
 * `minItems` / `maxItems` (length of an array or string), `exists` (the path is there, or not).
 */
export const expectSchema = z
  .strictObject({
    path: jsonPath,
    equals: z.unknown().optional(),
    approx: z.number().optional(),
    /** Absolute, for `approx`. */
    tolerance: z.number().min(0).optional(),
    minItems: z.number().int().min(0).optional(),
    maxItems: z.number().int().min(0).optional(),
    exists: z.boolean().optional(),
  })
  .superRefine((e, ctx) => {
    const kinds = (['equals', 'approx', 'minItems', 'maxItems', 'exists'] as const).filter((k) => k in e && e[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'an expect entry has exactly one of equals, approx, minItems, maxItems, exists' });
    }
    if (e.tolerance !== undefined && e.approx === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'tolerance goes with approx' });
    }
  });
export type ExpectSpec = z.infer<typeof expectSchema>;

/** How the new version's golden answers are held against the known-good version's. */
export const agreementSchema = z
  .strictObject({
    /** The part of each answer compared (default `$`, the whole body). */
    path: jsonPath.default('$'),
    /** Gate: lowest share of golden requests answered the same, %. */
    minPercent: z.number().min(0).max(100),
    /** Numbers within this (absolute) are equal; absent → compared exactly. */
    tolerance: z.number().min(0).optional(),
    /** For ranked lists: a request agrees when the top-K items overlap by ≥ minOverlapPercent. */
    overlapAtK: z.number().int().min(1).max(1000).optional(),
    /** %, with overlapAtK (default 100). */
    minOverlapPercent: z.number().min(0).max(100).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.minOverlapPercent !== undefined && a.overlapAtK === undefined) {
      ctx.addIssue({ code: 'custom', path: ['minOverlapPercent'], message: 'minOverlapPercent goes with overlapAtK' });
    }
  });
export type AgreementSpec = z.infer<typeof agreementSchema>;
