import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticBeanstalkClient } from '@aws-sdk/client-elastic-beanstalk';
import { awsClient } from '../../aws/clients.js';

/** The AWS clients the Elastic Beanstalk target uses: narrow, so tests can pass their own. */
export interface EbClients {
  eb: Pick<ElasticBeanstalkClient, 'send'>;
  cw: Pick<CloudWatchClient, 'send'>;
}

/** The target's clients in the manifest's region, built and kept by lib/aws/clients.ts. */
export function defaultEbClients(region: string): EbClients {
  return { eb: awsClient(ElasticBeanstalkClient, { region }), cw: awsClient(CloudWatchClient, { region }) };
}
