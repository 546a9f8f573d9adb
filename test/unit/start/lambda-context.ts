import type { Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An event from test/fixtures/events/<name>.json (what `sls invoke local --path` sends too). */
export function eventFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'events', `${name}.json`), 'utf8')) as T;
}

export function lambdaContext(functionName: string): Context {
  const unused = () => {
    throw new Error('not used in tests');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/03/14/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: unused,
    fail: unused,
    succeed: unused,
  };
}
