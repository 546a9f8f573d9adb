import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClient } from '../../aws/clients.js';

/** The AWS clients the SageMaker target uses: narrow, so tests can pass their own. */
export interface SageMakerClients {
  sm: Pick<SageMakerClient, 'send'>;
  runtime: Pick<SageMakerRuntimeClient, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
}

/**
 * The target's clients in the manifest's region, built and kept by lib/aws/clients.ts. The
 * runtime client does not retry: a smoke request is measured as the caller would see it.
 */
export function defaultSageMakerClients(region: string): SageMakerClients {
  return {
    sm: awsClient(SageMakerClient, { region }),
    runtime: awsClient(SageMakerRuntimeClient, { region, maxAttempts: 1 }),
    cw: awsClient(CloudWatchClient, { region }),
  };
}
