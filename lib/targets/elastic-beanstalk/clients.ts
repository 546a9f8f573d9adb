import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticBeanstalkClient } from '@aws-sdk/client-elastic-beanstalk';
import { perRegion } from '../aws-errors.js';

/** The AWS clients the Elastic Beanstalk target uses: narrow, so tests can pass their own. */
export interface EbClients {
  eb: Pick<ElasticBeanstalkClient, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
}

/**
 * Clients per region, created once per process. Credentials come from the default provider chain;
 * AWS_ENDPOINT_URL(_ELASTIC_BEANSTALK / _CLOUDWATCH) redirect them, and the SDK's standard retry
 * mode retries throttling and 5xx before the state machine's own Retry sees a TransientError.
 */
export const defaultEbClients: (region: string) => EbClients = perRegion((region) => ({
  eb: new ElasticBeanstalkClient({ region, retryMode: 'standard', maxAttempts: 5 }),
  cw: new CloudWatchClient({ region, retryMode: 'standard', maxAttempts: 5 }),
}));
