import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsClient } from '../../aws/clients.js';

/** The AWS clients the ECS target uses: narrow, so tests can pass their own. */
export interface EcsClients {
  ecs: Pick<ECSClient, 'send'>;
  elb: Pick<ElasticLoadBalancingV2Client, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
}

/** The target's clients in the manifest's region, built and kept by lib/aws/clients.ts. */
export function defaultEcsClients(region: string): EcsClients {
  return {
    ecs: awsClient(ECSClient, { region }),
    elb: awsClient(ElasticLoadBalancingV2Client, { region }),
    cw: awsClient(CloudWatchClient, { region }),
  };
}
