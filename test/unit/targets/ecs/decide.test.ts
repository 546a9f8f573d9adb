import type { Service } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription, TargetHealthStateEnum } from '@aws-sdk/client-elastic-load-balancing-v2';
import { decideService, readyForTargetHealth } from '../../../../lib/targets/ecs/decide.js';
import { healthCheckChanges, modifyInput } from '../../../../lib/targets/ecs/health-check.js';
import { clusterName, loadBalancerDimension, targetGroupDimension } from '../../../../lib/targets/ecs/names.js';
import { ProbeState } from '../../../../lib/targets/types.js';

const TD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/yolo:9';
const service = (deployment: Record<string, unknown>, more: Record<string, unknown>[] = []): Service => ({
  serviceName: 'yolo',
  deployments: [
    { status: 'PRIMARY', taskDefinition: TD, desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED', ...deployment },
    ...more,
  ],
});
const target = (State: TargetHealthStateEnum): TargetHealthDescription => ({ Target: { Id: 'i-1' }, TargetHealth: { State } });

describe('ECS: is the service stable? (pure)', () => {
  it('stable only with every live target healthy; draining targets are leaving and not counted', () => {
    expect(decideService(service({}), TD, [target('healthy'), target('draining')])).toEqual({
      state: ProbeState.Stable,
      detail: 'yolo:9 COMPLETED, 2 of 2 tasks running, 1 of 1 targets healthy',
    });
    expect(decideService(service({}), TD, [target('healthy'), target('initial')]).state).toBe(ProbeState.Pending);
    expect(decideService(service({}), TD, []).state).toBe(ProbeState.Pending);
  });

  it('pending while in progress or short of tasks, and then the target health is not worth reading', () => {
    const inProgress = service({ rolloutState: 'IN_PROGRESS', runningCount: 1 });
    expect(decideService(inProgress, TD, null)).toEqual({
      state: ProbeState.Pending,
      detail: 'deployment of yolo:9 IN_PROGRESS, 1 of 2 tasks running',
    });
    expect(readyForTargetHealth(inProgress, TD)).toBe(false);
    expect(readyForTargetHealth(service({ runningCount: 1 }), TD)).toBe(false);
    expect(readyForTargetHealth(service({}), TD)).toBe(true);
  });

  it('fails without the expected tag, on FAILED, and on another task definition PRIMARY', () => {
    expect(decideService(service({}), null, null).state).toBe(ProbeState.Failed);
    expect(decideService(service({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' }), TD, null)).toEqual({
      state: ProbeState.Failed,
      detail: 'the deployment of yolo:9 FAILED: tasks failed to start',
    });
    expect(decideService(service({ taskDefinition: TD.replace(':9', ':8') }), TD, null).detail).toMatch(
      /^the ECS deployment circuit breaker rolled service yolo back to yolo:8/,
    );
  });
});

describe('ECS: health check differences and metric dimensions (pure)', () => {
  it('only the fields the manifest names and that differ', () => {
    const group = { HealthyThresholdCount: 2, HealthCheckIntervalSeconds: 30, Matcher: { HttpCode: '200' } };
    expect(healthCheckChanges(group, { healthyThreshold: 2, intervalSeconds: 30, matcher: '200' })).toEqual([]);
    const changes = healthCheckChanges(group, { healthyThreshold: 3, unhealthyThreshold: 2 });
    expect(changes).toEqual([
      { field: 'healthyThreshold', from: 2, to: 3 },
      { field: 'unhealthyThreshold', from: null, to: 2 },
    ]);
    expect(modifyInput('arn:tg', changes)).toEqual({ TargetGroupArn: 'arn:tg', HealthyThresholdCount: 3, UnhealthyThresholdCount: 2 });
    expect(healthCheckChanges(group, undefined)).toEqual([]);
  });

  it('CloudWatch dimensions from names and ARNs', () => {
    expect(clusterName('arn:aws:ecs:us-east-1:123456789012:cluster/image-processing-cluster')).toBe('image-processing-cluster');
    expect(clusterName('image-processing-cluster')).toBe('image-processing-cluster');
    expect(targetGroupDimension('arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123')).toBe('targetgroup/tg/0123');
    expect(loadBalancerDimension('arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/4567')).toBe('app/lb/4567');
  });
});
