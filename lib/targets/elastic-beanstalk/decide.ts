import type { ApplicationVersionDescription, EnvironmentDescription } from '@aws-sdk/client-elastic-beanstalk';
import { ProbeState, type Probe } from '../types.js';

/** Environment statuses after which nothing will ever become healthy again. */
const GONE = new Set(['Terminating', 'Terminated']);

/** What a probe of a phase found, and whether it must now start the deployment that apply deferred. */
export interface PhaseDecision {
  probe: Probe;
  /** The version finished processing after apply returned: deploy it now. */
  deploy: boolean;
}

function health(env: EnvironmentDescription): string {
  return `health ${env.Health ?? 'unknown'}${env.HealthStatus ? ` (${env.HealthStatus})` : ''}`;
}

/** Ready and Green: the seeds' "Environment Status: Green, Health: Healthy". */
export function decideSettled(env: EnvironmentDescription): Probe {
  if (GONE.has(env.Status ?? '')) return { state: ProbeState.Failed, detail: `environment ${env.EnvironmentName} is ${env.Status}` };
  if (env.Status !== 'Ready')
    return { state: ProbeState.Pending, detail: `environment ${env.Status ?? 'in an unknown state'}, ${health(env)}` };
  if (env.Health === 'Green') return { state: ProbeState.Stable, detail: `Ready, ${health(env)}, version ${env.VersionLabel}` };
  // Red may be a deployment's aftermath that clears within a minute: the phase's deadline decides.
  return { state: ProbeState.Pending, detail: `Ready, ${health(env)}` };
}

/**
 * A phase's probe. When the environment does not serve `label` yet, the application version tells
 * why: still processing (wait), failed processing (the phase failed), processed but never deployed
 * because apply found it still processing (deploy now), or deployed and then replaced by Elastic
 * Beanstalk itself (a failed deployment it rolled back: the phase failed). The last two are told
 * apart by time: an environment not updated since the version was created has not been deployed to.
 */
export function decidePhase(env: EnvironmentDescription, label: string, version: ApplicationVersionDescription | null): PhaseDecision {
  const settled = (probe: Probe): PhaseDecision => ({ probe, deploy: false });
  if (GONE.has(env.Status ?? '')) return settled(decideSettled(env));
  if (env.VersionLabel === label) return settled(decideSettled(env));
  if (!version) return settled({ state: ProbeState.Failed, detail: `application version ${label} does not exist` });
  const status = (version.Status ?? '').toUpperCase();
  if (status === 'FAILED') {
    return settled({ state: ProbeState.Failed, detail: `application version ${label} failed processing (see the application's events)` });
  }
  if (status !== 'PROCESSED')
    return settled({ state: ProbeState.Pending, detail: `application version ${label} is ${status.toLowerCase() || 'being processed'}` });
  if (env.Status !== 'Ready') return settled({ state: ProbeState.Pending, detail: `environment ${env.Status ?? 'busy'}` });
  const updated = env.DateUpdated?.getTime() ?? 0;
  const created = version.DateCreated?.getTime() ?? 0;
  if (updated < created) return { probe: { state: ProbeState.Pending, detail: `deploying application version ${label}` }, deploy: true };
  return settled({
    state: ProbeState.Failed,
    detail: `Elastic Beanstalk did not keep application version ${label}: the environment serves ${env.VersionLabel ?? 'no version'} (see its events)`,
  });
}
