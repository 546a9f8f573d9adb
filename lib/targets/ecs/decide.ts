import type { Deployment as EcsDeployment, Service } from '@aws-sdk/client-ecs';
import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ProbeState, type Probe } from '../types.js';
import { shortTaskDefinition } from './names.js';

/** The service's PRIMARY deployment: the one ECS is moving to, or has reached. */
export function primaryDeployment(service: Service): EcsDeployment | null {
  return service.deployments?.find((d) => d.status === 'PRIMARY') ?? null;
}

/** The task definition the PRIMARY deployment runs (the service's own field as a fallback). */
export function primaryTaskDefinition(service: Service): string | null {
  return primaryDeployment(service)?.taskDefinition ?? service.taskDefinition ?? null;
}

function reason(d: EcsDeployment): string {
  return d.rolloutStateReason ? `: ${d.rolloutStateReason}` : '';
}

/** "2 of 3 targets healthy (1 initial: Elb.RegistrationInProgress)"; targets leaving (draining) left out. */
function targetSummary(targets: TargetHealthDescription[]): { healthy: boolean; detail: string } {
  const live = targets.filter((t) => t.TargetHealth?.State !== 'draining');
  const healthy = live.filter((t) => t.TargetHealth?.State === 'healthy').length;
  const others = live
    .filter((t) => t.TargetHealth?.State !== 'healthy')
    .map((t) => `${t.TargetHealth?.State ?? 'unknown'}${t.TargetHealth?.Reason ? `: ${t.TargetHealth.Reason}` : ''}`);
  const detail = `${healthy} of ${live.length} targets healthy${others.length ? ` (${others.join('; ')})` : ''}`;
  return { healthy: live.length > 0 && healthy === live.length, detail };
}

/**
 * Is the service stable on `expected`? The PRIMARY deployment COMPLETED with as many tasks
 * running as desired, and every target of the target group healthy. A PRIMARY deployment of
 * another task definition means the deployment circuit breaker rolled the service back by itself;
 * that, and a FAILED rollout, fail the phase — they must never pass as the new version.
 * `targets` is null when not read yet (the deployment is not COMPLETED): pending.
 */
export function decideService(service: Service, expected: string | null, targets: TargetHealthDescription[] | null): Probe {
  const name = service.serviceName;
  if (expected === null)
    return {
      state: ProbeState.Failed,
      detail: `service ${name} carries no ml-rollout:expected-task-definition tag: cannot tell what it should run`,
    };
  const primary = primaryDeployment(service);
  if (!primary) return { state: ProbeState.Pending, detail: `service ${name} has no PRIMARY deployment yet` };
  const serving = primary.taskDefinition ?? 'none';
  if (serving !== expected) {
    return {
      state: ProbeState.Failed,
      detail:
        `the ECS deployment circuit breaker rolled service ${name} back to ${shortTaskDefinition(serving)} ` +
        `(this phase deployed ${shortTaskDefinition(expected)})${reason(primary)}`,
    };
  }
  if (primary.rolloutState === 'FAILED') {
    return { state: ProbeState.Failed, detail: `the deployment of ${shortTaskDefinition(expected)} FAILED${reason(primary)}` };
  }
  const tasks = `${primary.runningCount ?? 0} of ${primary.desiredCount ?? 0} tasks running`;
  if (primary.rolloutState !== 'COMPLETED' || (primary.runningCount ?? 0) !== (primary.desiredCount ?? 0)) {
    return {
      state: ProbeState.Pending,
      detail: `deployment of ${shortTaskDefinition(expected)} ${primary.rolloutState ?? 'starting'}, ${tasks}`,
    };
  }
  if (targets === null) return { state: ProbeState.Pending, detail: `${tasks}, target health not read` };
  const summary = targetSummary(targets);
  if (!summary.healthy) return { state: ProbeState.Pending, detail: `${shortTaskDefinition(expected)} COMPLETED, ${summary.detail}` };
  return { state: ProbeState.Stable, detail: `${shortTaskDefinition(expected)} COMPLETED, ${tasks}, ${summary.detail}` };
}

/** True when the deployment is far enough along that the target group's health is worth reading. */
export function readyForTargetHealth(service: Service, expected: string | null): boolean {
  const primary = primaryDeployment(service);
  return (
    expected !== null &&
    primary?.taskDefinition === expected &&
    primary.rolloutState === 'COMPLETED' &&
    (primary.runningCount ?? 0) === (primary.desiredCount ?? 0)
  );
}
