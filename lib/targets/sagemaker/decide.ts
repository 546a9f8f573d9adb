import { ProbeState, type Probe } from '../types.js';
import type { Endpoint } from './api.js';

/** Statuses in which SageMaker is still working and accepts no update. */
export const BUSY: ReadonlySet<string> = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

function reason(ep: Endpoint): string {
  return ep.FailureReason ? `: ${ep.FailureReason}` : '';
}

/**
 * A phase's probe. InService on the config this rollout asked for is stable; InService on any
 * other config means SageMaker rolled the update back by itself (an alarm fired, or the new fleet
 * never became healthy), which fails the phase — it must never pass as the new version.
 */
export function decideEndpoint(ep: Endpoint | null, expected: string | null): Probe {
  if (!ep) return { state: ProbeState.Failed, detail: 'the endpoint does not exist' };
  const status = ep.EndpointStatus ?? 'unknown';
  const name = ep.EndpointName;
  switch (status) {
    case 'InService':
      if (expected === null)
        return {
          state: ProbeState.Failed,
          detail: `endpoint ${name} carries no ml-rollout:expected-config tag: cannot tell what it should serve`,
        };
      if (ep.EndpointConfigName === expected) return { state: ProbeState.Stable, detail: `endpoint ${name} InService on ${expected}` };
      return {
        state: ProbeState.Failed,
        detail: `SageMaker rolled endpoint ${name} back to ${ep.EndpointConfigName} (this phase deployed ${expected})${reason(ep)}`,
      };
    case 'RollingBack':
      return { state: ProbeState.Failed, detail: `SageMaker is rolling endpoint ${name} back${reason(ep)}` };
    case 'Failed':
    case 'UpdateRollbackFailed':
    case 'OutOfService':
    case 'Deleting':
      return { state: ProbeState.Failed, detail: `endpoint ${name} is ${status}${reason(ep)}` };
    default:
      return { state: ProbeState.Pending, detail: `endpoint ${name} is ${status}` };
  }
}
