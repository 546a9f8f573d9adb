import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../aws/clients.js';
import { ConfigurationError } from '../errors.js';

/** The function's own region; built and kept by lib/aws/clients.ts (aws-sdk-client-mock patches it in tests). */
export function sfn(): SFNClient {
  return awsClient(SFNClient, {});
}

/** An ARN a function was configured with; ConfigurationError when the deployment left it out. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new ConfigurationError(`${name} is not set (it is set by serverless.yml on AWS; pass it with -e for sls invoke local)`);
  return value;
}
