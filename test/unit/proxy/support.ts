import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Serving } from '../../../lib/state/types.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'proxy');

/** An HTTP API event from test/fixtures/proxy/<name>.json, fresh on every call. */
export function eventFixture(name: string, change: (e: APIGatewayProxyEventV2) => void = () => undefined): APIGatewayProxyEventV2 {
  const event = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as APIGatewayProxyEventV2;
  change(event);
  return event;
}

/** The same event for another environment. */
export function forEnvironment(environment: string): (e: APIGatewayProxyEventV2) => void {
  return (e) => {
    e.pathParameters = { environment };
    e.rawPath = `/v1/${environment}/predict`;
    e.requestContext.http.path = e.rawPath;
  };
}

export function lambdaContext(): Context {
  const fail = () => {
    throw new Error('not in tests');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'inference-proxy-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:inference-proxy-test',
    memoryLimitInMB: '512',
    awsRequestId: 'test-request',
    logGroupName: 'test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 15_000,
    done: fail,
    fail,
    succeed: fail,
  };
}

export function serving(environment: string, version: string, url: string | null, extra: Partial<Serving> = {}): Serving {
  return {
    environment,
    targetType: 'local',
    version,
    digest: `sha256-${version}`,
    url,
    phase: null,
    updatedAt: '2026-02-03T10:00:00.000Z',
    ...extra,
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_770_000_000_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Logger that keeps what it is told (silent). */
export function recordingLogger(): { lines: string[]; warn(m: string, a: Record<string, unknown>): void } {
  const lines: string[] = [];
  return { lines, warn: (m, a) => void lines.push(`${m} ${JSON.stringify(a)}`) };
}
