import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { sfn } from '../start/clients.js';
import type { TaskCallbacks } from '../rollout/control.js';

/** Step Functions' answers for a token nobody waits on any more (timed out, execution ended, garbage). */
const STALE_TOKEN = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Step Functions' error and cause fields are limited to 256 and 32768 characters. */
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

async function send(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (STALE_TOKEN.has((err as Error).name)) return false;
    throw err;
  }
}

/** Ends `.waitForTaskToken` tasks with SendTaskSuccess / SendTaskFailure (the client is the container's one). */
export function sfnTaskCallbacks(client: SFNClient = sfn()): TaskCallbacks {
  return {
    succeed: (token, output) => send(() => client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }))),
    fail: (token, error, cause) =>
      send(() => client.send(new SendTaskFailureCommand({ taskToken: token, error: clip(error, 256), cause: clip(cause, 32_768) }))),
  };
}
