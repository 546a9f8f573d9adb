import { createAwsRuntime } from '../lib/aws/runtime.js';
import { createLocalRuntime, currentRuntime, setRuntime, type Runtime } from '../lib/runtime.js';

/**
 * The runtime a task runs with: the one set for this process (the local engine sets its own),
 * else built on first use — S3 + SNS on Lambda (STATE_BUCKET set), files otherwise.
 */
export function runtime(): Runtime {
  const current = currentRuntime();
  if (current) return current;
  const created = process.env.STATE_BUCKET ? createAwsRuntime() : createLocalRuntime();
  setRuntime(created);
  return created;
}
