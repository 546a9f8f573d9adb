import { FailName } from '../../lib/errors.js';
import type { Runtime } from '../../lib/runtime.js';
import { DEFAULTS } from '../../lib/plan/defaults.js';
import { checkHealth } from '../../lib/targets/http.js';
import { LocalTarget } from '../../lib/targets/local/local-target.js';
import { isRunning } from '../../lib/targets/local/process.js';

export interface EnvironmentStatus {
  environment: string;
  version: string | null;
  url: string | null;
  healthy: boolean;
}

/** `ml-rollout status`: what serves, and whether it answers its health check now. */
export async function status(rt: Runtime, environment: string): Promise<EnvironmentStatus> {
  const serving = await rt.state.getServing(environment);
  const none = { environment, version: null, url: null, healthy: false };
  if (!serving) return none;
  if (serving.targetType === 'local') {
    const rec = await new LocalTarget(rt).record(environment);
    if (!rec || !(await isRunning(rec.pid))) return none;
  }
  const knownGood = await rt.state.getKnownGood(environment);
  const healthPath = knownGood?.current.plan?.health.path ?? DEFAULTS.healthPath;
  const healthy = serving.url ? (await checkHealth(serving.url, healthPath, DEFAULTS.healthTimeoutMs)).ok : false;
  return { environment, version: serving.version, url: serving.url, healthy };
}

/** `ml-rollout destroy`: stops the environment's processes; its history stays. */
export async function destroy(rt: Runtime, environment: string): Promise<string> {
  const stopped = await new LocalTarget(rt).stop(environment);
  await rt.state.clearServing(environment);
  return stopped ? `stopped ${environment} (${stopped.version}, pid ${stopped.pid})` : `${environment}: nothing was running`;
}

/** `ml-rollout unlock`: clears a lock left by a crashed run. */
export async function unlock(rt: Runtime, environment: string): Promise<string> {
  const removed = await rt.locks.clear(environment);
  return removed
    ? `removed the lock of ${environment} held by ${removed.rolloutId} (version ${removed.version}, since ${removed.since})`
    : `${environment} was not locked`;
}

/** `ml-rollout rollback`: statemachines/rollback.asl.yml; exit 0 restored, 2 refused, 1 failed. */
export async function rollback(rt: Runtime, environment: string, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  // The engine (and every task's module) loads only for a rollback, not for status/destroy/unlock.
  const [{ runStateMachine }, { Progress }, { newRolloutId }] = await Promise.all([
    import('../engine.js'),
    import('../progress.js'),
    import('../rollout-id.js'),
  ]);
  const progress = new Progress(out, rt.clock);
  const result = await runStateMachine({
    name: 'rollback',
    input: { rolloutId: newRolloutId(rt.clock), environment },
    onEvent: (e) => progress.on(e),
  });
  if (result.status === 'SUCCEEDED') {
    const s = await status(rt, environment);
    out(`Rolled back: ${environment} serves ${s.version ?? '?'}${s.url ? ` at ${s.url}` : ''} (healthy: ${s.healthy ? 'yes' : 'no'}).`);
    return 0;
  }
  err(`ml-rollout: rollback ${result.error === FailName.Rejected ? 'refused' : 'failed'}: ${result.cause ?? 'unknown error'}`);
  return result.error === FailName.Rejected ? 2 : 1;
}
