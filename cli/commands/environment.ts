import { unlessInvalid } from '../../lib/state/files.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, FailName, StateFileInvalidError } from '../../lib/errors.js';
import type { Plan } from '../../lib/plan/plan.js';
import type { Runtime } from '../../lib/runtime.js';
import { DEFAULTS } from '../../lib/plan/defaults.js';
import { environmentDir } from '../../lib/state/local-store.js';
import { PhaseStatus } from '../../lib/state/types.js';
import { checkHealth, describeResult } from '../../lib/targets/http.js';
import { LocalTarget } from '../../lib/targets/local/local-target.js';
import { isRunning } from '../../lib/targets/local/process.js';
import { ProbeState } from '../../lib/targets/types.js';
import { Progress } from '../progress.js';
import { interruptionLines, reconcile, type Reconciled } from '../reconcile.js';
import { RunKind } from '../runs.js';
import { startRun } from '../start-run.js';
import { watchRun } from '../watch-run.js';
import { newRolloutId } from '../rollout-id.js';

/** `ml-rollout status --json`. */
export interface EnvironmentStatus {
  environment: string;
  /** What serves now (for an AWS target: as the target reports it), or null. */
  version: string | null;
  url: string | null;
  /** Answers its health check now (AWS: the target's own health is good). */
  healthy: boolean;
  /** What serves is the known-good release: every gate passed for it. False while unverified. */
  verified: boolean;
  /** The environment's last known-good version, or null. */
  knownGood: string | null;
  /** The rollout running now (pid: its engine process), or null. */
  rollout: { id: string; version: string | null; phase: string | null; pid: number } | null;
  /** Rollouts this very command found with their engine gone: recorded as interrupted and notified. */
  interrupted: { id: string; version: string; phase: string | null }[];
  /** One line from the health check or the target (why it is not healthy), or null. */
  detail: string | null;
  /** The version the state store records as serving (AWS: beside what the target says). */
  recorded: string | null;
  /** False when the state home has never seen this environment. */
  exists: boolean;
}

function exists(rt: Runtime, environment: string): boolean {
  const dir = environmentDir(rt.home, environment);
  return ['known-good.json', 'serving.json', 'rollouts', 'process.json'].some((f) => existsSync(join(dir, f)));
}

/** The running rollout as status shows it; its phase from its record. */
async function rolloutOf(rt: Runtime, environment: string, found: Reconciled): Promise<EnvironmentStatus['rollout']> {
  const a = found.active;
  if (!a) return null;
  const record = await unlessInvalid(rt.state.getRollout(environment, a.rolloutId));
  const phase = record?.phases.find((p) => p.status === PhaseStatus.Running)?.name ?? null;
  return { id: a.rolloutId, version: record?.version ?? a.version, phase, pid: a.pid };
}

/** What an AWS target says serves, and how healthy it is (its error, one line, when it cannot be asked). */
async function askTarget(
  rt: Runtime,
  plan: Plan,
): Promise<{ version: string | null; healthy: boolean; detail: string; url: string | null; unknown?: boolean }> {
  const target = rt.target(plan.target);
  try {
    const current = await target.current(plan);
    if (!current) return { version: null, healthy: false, detail: `nothing deployed on the ${plan.target.type} target`, url: null };
    const probe = await target.health(plan);
    return { version: current.version, healthy: probe.state === ProbeState.Stable, detail: probe.detail, url: current.url };
  } catch (err) {
    return {
      version: null,
      healthy: false,
      detail: `cannot ask the ${plan.target.type} target: ${describeError(err)}`,
      url: null,
      unknown: true,
    };
  }
}

/**
 * `ml-rollout status`: what serves, whether it answers its health check now, whether it is the
 * verified known-good, and the rollout running now. A rollout whose engine is gone is recorded
 * as interrupted (and notified) on the way.
 */
export async function status(rt: Runtime, environment: string): Promise<EnvironmentStatus> {
  const found = await reconcile(rt, environment);
  const [serving, knownGood] = await Promise.all([rt.state.getServing(environment), rt.state.getKnownGood(environment)]);
  const base: EnvironmentStatus = {
    environment,
    version: null,
    url: null,
    healthy: false,
    verified: false,
    knownGood: knownGood?.current.version ?? null,
    rollout: await rolloutOf(rt, environment, found),
    interrupted: found.interrupted.map((i) => ({ id: i.record.id, version: i.record.version, phase: i.phase })),
    detail: null,
    recorded: serving?.version ?? null,
    exists: exists(rt, environment),
  };
  const plan = knownGood?.current.plan;
  if (plan && plan.target.type !== 'local' && serving?.targetType !== 'local') {
    const asked = await askTarget(rt, plan);
    // When the target cannot be asked, what the record says serves is shown, not healthy.
    if (asked.unknown) return { ...base, version: serving?.version ?? null, url: serving?.url ?? null, detail: asked.detail };
    const verified = !!asked.version && asked.version === knownGood.current.version && serving?.phase == null;
    return {
      ...base,
      version: asked.version,
      url: asked.url ?? serving?.url ?? null,
      healthy: asked.healthy,
      verified,
      detail: asked.detail,
    };
  }
  if (!serving) return base;
  if (serving.targetType === 'local') {
    const rec = await new LocalTarget(rt).record(environment);
    if (!rec || !(await isRunning(rec.pid))) return { ...base, detail: 'its process is not running' };
  }
  const healthPath = plan?.health.path ?? DEFAULTS.healthPath;
  const health = serving.url ? await checkHealth(serving.url, healthPath, DEFAULTS.healthTimeoutMs) : null;
  return {
    ...base,
    version: serving.version,
    url: serving.url,
    healthy: health?.ok ?? false,
    verified: !!knownGood && serving.digest === knownGood.current.digest && serving.phase === null,
    detail: health ? (health.ok ? null : describeResult(health)) : 'no URL to check',
  };
}

/**
 * What `status` prints and its exit code: 0 healthy and verified (or nothing serving), 1 serving
 * but unverified or unhealthy, 2 no such environment.
 */
export function statusOutput(s: EnvironmentStatus, json: boolean): { out: string[]; err: string[]; code: number } {
  if (!s.exists)
    return {
      out: json ? [JSON.stringify(s)] : [],
      err: [`ml-rollout: no environment ${s.environment} here (nothing was ever deployed to it)`],
      code: 2,
    };
  const code = !s.version ? 0 : s.healthy && s.verified ? 0 : 1;
  if (json) return { out: [JSON.stringify(s)], err: [], code };
  const lines = s.interrupted.map(
    (i) => `! rollout ${i.id} of ${i.version} was interrupted${i.phase ? ` in ${i.phase}` : ''} (its engine is gone); notified`,
  );
  if (!s.version) lines.push(`${s.environment}: nothing serves${s.knownGood ? ` (known-good: ${s.knownGood})` : ''}`);
  else {
    const health = s.healthy ? 'healthy' : `NOT healthy${s.detail ? `: ${s.detail}` : ''}`;
    const verified = s.verified ? '' : `; UNVERIFIED, known-good: ${s.knownGood ?? 'none'}`;
    lines.push(`${s.environment}: ${s.version}${s.url ? ` at ${s.url}` : ''} (${health}${verified})`);
  }
  if (s.rollout)
    lines.push(
      `  rollout ${s.rollout.id} of ${s.rollout.version ?? '?'} is running${s.rollout.phase ? ` (phase ${s.rollout.phase})` : ''}, engine pid ${s.rollout.pid}`,
    );
  return { out: lines, err: [], code };
}

/** `destroy` while a rollout runs: refused (exit 2), naming the rollout; nothing is stopped. */
export class DestroyRefusedError extends Error {
  override readonly name = 'DestroyRefused';
}

/**
 * `ml-rollout destroy`: stops the environment's processes, and its history stays. Refused while
 * a rollout runs: stopping the service under it would be undone by its rollback, which restores
 * the known-good (a rollout whose engine is gone is recorded as interrupted on the way).
 */
export async function destroy(rt: Runtime, environment: string): Promise<string> {
  const found = await reconcile(rt, environment);
  if (found.active) {
    const a = found.active;
    throw new DestroyRefusedError(
      `destroy refused: rollout ${a.rolloutId}${a.version ? ` of ${a.version}` : ''} is running on ${environment} ` +
        `(engine pid ${a.pid}); let it end (or abort it), then destroy`,
    );
  }
  const target = new LocalTarget(rt);
  const unreadable = await target.record(environment).then(
    () => null,
    (err: unknown) => {
      if (err instanceof StateFileInvalidError) return err;
      throw err;
    },
  );
  const stopped = await target.stop(environment);
  await rt.state.clearServing(environment);
  return [
    ...interruptionLines(found),
    unreadable
      ? `stopped every process of ${environment} (${unreadable.message}; removed)`
      : stopped
        ? `stopped ${environment} (${stopped.version}, pid ${stopped.pid})`
        : `${environment}: nothing was running`,
  ].join('\n');
}

/** `ml-rollout unlock`: clears a lock left by a crashed run. */
export async function unlock(rt: Runtime, environment: string): Promise<string> {
  // A lock file that is not valid holds nothing; unlock removes it all the same.
  const invalid = await rt.locks.get(environment).then(
    () => null,
    (err: unknown) => (err instanceof StateFileInvalidError ? err : null),
  );
  const removed = await rt.locks.clear(environment);
  if (invalid) return `removed the lock of ${environment}: ${invalid.message}`;
  return removed
    ? `removed the lock of ${environment} held by ${removed.rolloutId} (version ${removed.version}, since ${removed.since})`
    : `${environment} was not locked`;
}

export interface RollbackOptions {
  /** Start the rollback and return at once with its id (default false: follow it to its end). */
  detach?: boolean;
}

/**
 * `ml-rollout rollback`: statemachines/rollback.asl.yml in a detached engine process, followed
 * to its end; exit 0 restored, 2 refused, 1 failed.
 */
export async function rollback(
  rt: Runtime,
  environment: string,
  out: (l: string) => void,
  err: (l: string) => void,
  opts: RollbackOptions = {},
): Promise<number> {
  const found = await reconcile(rt, environment);
  interruptionLines(found).forEach((l) => out(l));
  const rolloutId = newRolloutId(rt.clock);
  const started = await startRun(rt.home, {
    kind: RunKind.Rollback,
    rolloutId,
    environment,
    version: null,
    input: { rolloutId, environment },
  });
  if (opts.detach) {
    out(rolloutId);
    return 0;
  }
  const progress = new Progress(out);
  const watched = await watchRun(rt, environment, started, (e) => progress.on(e), out, err);
  if (watched.kind === 'left') return watched.code;
  const { result } = watched.end;
  if (result.status === 'SUCCEEDED') {
    const s = await status(rt, environment);
    out(`Rolled back: ${environment} serves ${s.version ?? '?'}${s.url ? ` at ${s.url}` : ''} (healthy: ${s.healthy ? 'yes' : 'no'}).`);
    return 0;
  }
  err(`ml-rollout: rollback ${result.error === FailName.Rejected ? 'refused' : 'failed'}: ${result.cause ?? 'unknown error'}`);
  return result.error === FailName.Rejected ? 2 : 1;
}
