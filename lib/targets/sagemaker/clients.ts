import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { perRegion } from '../aws-errors.js';

/** The AWS clients the SageMaker target uses: narrow, so tests can pass their own. */
export interface SageMakerClients {
  sm: Pick<SageMakerClient, 'send'>;
  runtime: Pick<SageMakerRuntimeClient, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
}

/**
 * Clients per region, created once per process; default credential chain, AWS_ENDPOINT_URL(_…)
 * honoured by the SDK. The runtime client does not retry: a smoke request is measured as the
 * caller would see it.
 */
export const defaultSageMakerClients: (region: string) => SageMakerClients = perRegion((region) => ({
  sm: new SageMakerClient({ region, retryMode: 'standard', maxAttempts: 5 }),
  runtime: new SageMakerRuntimeClient({ region, maxAttempts: 1 }),
  cw: new CloudWatchClient({ region, retryMode: 'standard', maxAttempts: 5 }),
}));
