import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { perRegion } from '../aws-errors.js';

/** The AWS clients the ECS target uses: narrow, so tests can pass their own. */
export interface EcsClients {
  ecs: Pick<ECSClient, 'send'>;
  elb: Pick<ElasticLoadBalancingV2Client, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
}

/**
 * Clients per region, created once per process; default credential chain, AWS_ENDPOINT_URL(_…)
 * honoured by the SDK, whose standard retry mode retries throttling and 5xx before the state
 * machine's own Retry sees a TransientError.
 */
export const defaultEcsClients: (region: string) => EcsClients = perRegion((region) => ({
  ecs: new ECSClient({ region, retryMode: 'standard', maxAttempts: 5 }),
  elb: new ElasticLoadBalancingV2Client({ region, retryMode: 'standard', maxAttempts: 5 }),
  cw: new CloudWatchClient({ region, retryMode: 'standard', maxAttempts: 5 }),
}));
