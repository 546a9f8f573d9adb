import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticBeanstalkClient } from '@aws-sdk/client-elastic-beanstalk';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsClient } from '../../aws/clients.js';

/** The AWS clients the Elastic Beanstalk target uses: narrow, so tests can pass their own. */
export interface EbClients {
  eb: Pick<ElasticBeanstalkClient, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
  /** The environment's Application Load Balancer target group, for its TargetResponseTime p95. */
  elb: Pick<ElasticLoadBalancingV2Client, 'send'>;
}

/** The target's clients in the manifest's region, built and kept by lib/aws/clients.ts. */
export function defaultEbClients(region: string): EbClients {
  return {
    eb: awsClient(ElasticBeanstalkClient, { region }),
    cw: awsClient(CloudWatchClient, { region }),
    elb: awsClient(ElasticLoadBalancingV2Client, { region }),
  };
}
