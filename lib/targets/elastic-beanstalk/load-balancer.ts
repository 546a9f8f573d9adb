import { DescribeEnvironmentResourcesCommand } from '@aws-sdk/client-elastic-beanstalk';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws } from '../../aws/errors.js';
import type { BalancedGroup } from '../ecs/measure.js';
import type { EbContext } from './api.js';

/**
 * The environment's Application Load Balancer and its (first) target group, or null: a classic
 * load balancer (its name is not an ARN) or a single-instance environment has none, and the
 * gate then judges enhanced health's latency figure instead.
 */
export async function environmentTargetGroup(ctx: EbContext): Promise<(BalancedGroup & { loadBalancerArn: string }) | null> {
  const name = ctx.spec.environment;
  const resources = await aws(`DescribeEnvironmentResources of environment ${name}`, () =>
    ctx.clients.eb.send(new DescribeEnvironmentResourcesCommand({ EnvironmentName: name })),
  );
  // Elastic Beanstalk names an ALB / NLB by its ARN, a classic load balancer by its name.
  const loadBalancerArn = (resources.EnvironmentResources?.LoadBalancers ?? [])
    .map((lb) => lb.Name)
    .find((n): n is string => typeof n === 'string' && n.includes(':loadbalancer/app/'));
  if (!loadBalancerArn) return null;
  const groups = await aws(`DescribeTargetGroups of load balancer ${loadBalancerArn}`, () =>
    ctx.clients.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn })),
  );
  const targetGroupArn = groups.TargetGroups?.find((g) => g.TargetGroupArn)?.TargetGroupArn;
  return targetGroupArn ? { targetGroupArn, loadBalancerArn } : null;
}
