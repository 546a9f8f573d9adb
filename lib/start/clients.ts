import { SFNClient } from '@aws-sdk/client-sfn';
import { ConfigurationError } from '../errors.js';

let sfnClient: SFNClient | null = null;

/** Created once per container; aws-sdk-client-mock replaces it in tests (it patches the prototype). */
export function sfn(): SFNClient {
  sfnClient ??= new SFNClient({});
  return sfnClient;
}

/** An ARN a function was configured with; ConfigurationError when the deployment left it out. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new ConfigurationError(`${name} is not set (it is set by serverless.yml on AWS; pass it with -e for sls invoke local)`);
  return value;
}
