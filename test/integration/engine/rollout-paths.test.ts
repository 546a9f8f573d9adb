import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NO_CREDENTIALS } from '../../../lib/aws/errors.js';
import { ErrorName, FailName, NoCredentialsError, TargetError, TransientError } from '../../../lib/errors.js';
import { runStateMachine, type RunResult } from '../../../cli/engine.js';
import { TASK_FUNCTIONS } from '../../../cli/handlers.js';
import { ProbeState } from '../../../lib/targets/types.js';
import { LocalTarget } from '../../../lib/targets/local/local-target.js';
import type { Runtime } from '../../../lib/runtime.js';
import { fourPhases, makeBundle } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/**
 * statemachines/rollout.asl.yml run by the local engine against real processes, one case per
 * path. Waits are shortened (waitMs) and retries are immediate (retryMs); the flow is the file's.
 */
const ENV = 'paths';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let n = 0;

const states = (r: RunResult) => r.transitions.map((t) => t.state);
const run = (bundle: string, functions?: Parameters<typeof runStateMachine>[0]['functions']) =>
  runStateMachine({ name: 'rollout', input: { rolloutId: `r${++n}`, bundle: { path: bundle } }, waitMs: 20, retryMs: 5, functions });
const outbox = async () =>
  (await readFile(join(home, 'outbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(JSON.parse(l).Message) as {
          outcome: string;
          version: string;
          phase: string | null;
          reason: { message: string } | null;
          execution?: string;
        },
    );
const serving = async () => {
  const s = await rt.state.getServing(ENV);
  const probe = s ? await new LocalTarget(rt).probe({ environment: ENV, health: { path: '/health', timeoutMs: 1000 } } as never) : null;
  return { version: s?.version ?? null, healthy: probe?.state === ProbeState.Stable };
};

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
});
afterAll(async () => cleanup([ENV, 'paths-first']));

describe('rollout.asl.yml paths', () => {
  it('happy path: all four phases, known-good recorded, lock released, notified', async () => {
    const r = await run(await makeBundle(home, { version: '1.0.0', environment: ENV }));
    expect(r.status).toBe('SUCCEEDED');
    const s = states(r);
    expect(s.slice(0, 5)).toEqual(['ValidateBundle', 'AcquireLock', 'TakeSnapshot', 'AlreadyServing', 'StartPhases']);
    expect(s.filter((x) => x === 'ApplyPhase')).toHaveLength(4);
    expect(s.filter((x) => x === 'SampleGate')).toHaveLength(4);
    expect(s.slice(-6)).toEqual(['RecordKnownGood', 'RetireOld', 'ReleaseLock', 'Outcome', 'NotifySucceeded', 'Succeeded']);
    expect(s).not.toContain('RestoreSnapshot');
    expect((await rt.state.getKnownGood(ENV))?.current.version).toBe('1.0.0');
    expect(await rt.locks.get(ENV)).toBeNull();
    expect((await outbox()).at(-1)).toMatchObject({ outcome: 'succeeded', version: '1.0.0', execution: `local:rollout:r${n}` });
    expect(await serving()).toEqual({ version: '1.0.0', healthy: true });
  });

  it('the same bundle again: Unchanged, nothing restarted', async () => {
    const before = await new LocalTarget(rt).record(ENV);
    const first = (await rt.state.getKnownGood(ENV))!.current.source as { path: string };
    const r = await run(first.path);
    expect(r.status).toBe('SUCCEEDED');
    expect(states(r)).toEqual(['ValidateBundle', 'AcquireLock', 'TakeSnapshot', 'AlreadyServing', 'ReleaseLock', 'Outcome', 'Unchanged']);
    expect((await new LocalTarget(rt).record(ENV))?.pid).toBe(before?.pid);
  });

  it.each([0, 1, 2, 3])('a failed gate in phase %i rolls back to the previous version, verified', async (phase) => {
    // Memory past the gate in that phase only: the gate's memory check fails there.
    const phases = fourPhases({ [phase]: { settings: { ALLOCATE_MB: '96' } } }).map((p) => ({
      ...p,
      gate: { ...p.gate, memoryPercent: 60 },
    }));
    const r = await run(await makeBundle(home, { version: `2.0.${phase}`, environment: ENV, memoryMb: 128, phases }));
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    expect(s.filter((x) => x === 'ApplyPhase')).toHaveLength(phase + 1);
    const restore = s.indexOf('RestoreSnapshot');
    expect(s[restore - 1]).toBe('SampleGate');
    expect(s.slice(restore, restore + 4)).toEqual(['RestoreSnapshot', 'WaitForRestore', 'VerifyRestore', 'RestoreHealthy']);
    expect(s.slice(-5)).toEqual(['RestoreHealthy', 'ReleaseLock', 'Outcome', 'NotifyRolledBack', 'RolledBack']);
    expect(r.cause).toMatch(/memoryPercent \d+(\.\d)?% > 60%/);
    const record = await rt.state.getRollout(ENV, `r${n}`);
    expect(record?.phases[phase]?.status).toBe('failed');
    expect(record?.rollback).toEqual({ performed: true, restoredVersion: '1.0.0', verified: true });
    expect(await serving()).toEqual({ version: '1.0.0', healthy: true });
    expect((await outbox()).at(-1)).toMatchObject({ outcome: 'rolled_back', version: `2.0.${phase}`, phase: fourPhases()[phase]!.name });
  });

  it('a missed deadline: a service that never listens fails its phase with DeadlineExceeded', async () => {
    const r = await run(
      await makeBundle(home, {
        version: '3.0.0',
        environment: ENV,
        phases: fourPhases({ 1: { settings: { HANG: 'true' }, deadlineSeconds: 1 } }),
      }),
    );
    expect(r.error).toBe(FailName.RolledBack);
    expect(states(r).filter((x) => x === 'CheckStable').length).toBeGreaterThan(2);
    const record = await rt.state.getRollout(ENV, `r${n}`);
    expect(record?.failure).toMatchObject({ phase: 'ml-dependencies', error: ErrorName.DeadlineExceeded });
    expect(await serving()).toEqual({ version: '1.0.0', healthy: true });
  });

  it('a service that crashes fails its phase at once with PhaseFailed', async () => {
    const r = await run(
      await makeBundle(home, { version: '3.1.0', environment: ENV, phases: fourPhases({ 2: { settings: { CRASH: 'true' } } }) }),
    );
    expect(r.error).toBe(FailName.RolledBack);
    const record = await rt.state.getRollout(ENV, `r${n}`);
    expect(record?.failure).toMatchObject({ phase: 'faiss-scin', error: ErrorName.PhaseFailed });
    expect(record?.failure?.message).toMatch(/exited.*boom/);
  });

  it('a service answering 500 fails the smoke check', async () => {
    const r = await run(
      await makeBundle(home, { version: '3.2.0', environment: ENV, phases: fourPhases({ 1: { settings: { PREDICT_STATUS: '500' } } }) }),
    );
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toBe('ml-dependencies gate failed: smoke POST /predict 500 (expected 200)');
  });

  it('a slow answer fails the inference latency check', async () => {
    const phases = fourPhases({ 2: { settings: { SLOW_MS: '400' }, gate: { inferenceMs: 150 } } });
    const r = await run(await makeBundle(home, { version: '3.3.0', environment: ENV, phases }));
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toMatch(/^faiss-scin gate failed: inferenceMs 4\d\d(\.\d)?ms > 150ms$/);
  });

  it('a transient task error is retried, then the rollout succeeds', async () => {
    const real = TASK_FUNCTIONS.takeSnapshot!;
    let calls = 0;
    const flaky = async (event: unknown, ctx: unknown) => {
      calls += 1;
      if (calls === 1) throw new TransientError('state store busy');
      return real(event, ctx);
    };
    const r = await run(await makeBundle(home, { version: '4.0.0', environment: ENV }), { takeSnapshot: flaky });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.retries).toEqual([{ state: 'TakeSnapshot', attempt: 1 }]);
    expect(calls).toBe(2);
  });

  it('a permanent task error is not retried and rolls back', async () => {
    const applyPhase = async () => {
      throw new TargetError('the environment rejected the settings');
    };
    const r = await run(await makeBundle(home, { version: '4.1.0', environment: ENV }), { applyPhase });
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.retries).toEqual([]);
    expect(states(r).filter((x) => x === 'ApplyPhase')).toHaveLength(1);
    expect(await serving()).toEqual({ version: '4.0.0', healthy: true });
  });

  it('a rollback that fails ends Failed with a rollback_failed notification', async () => {
    const restoreSnapshot = async () => {
      throw new TargetError('cannot start the previous version');
    };
    const phases = fourPhases({ 1: { settings: { PREDICT_STATUS: '503' } } });
    const r = await run(await makeBundle(home, { version: '4.2.0', environment: ENV, phases }), { restoreSnapshot });
    expect(r.error).toBe(FailName.RollbackFailed);
    expect(states(r).slice(-5)).toEqual(['RestoreSnapshot', 'ReleaseLock', 'Outcome', 'NotifyRollbackFailed', 'RollbackFailed']);
    expect(r.cause).toBe('cannot start the previous version');
    const last = (await outbox()).at(-1);
    expect(last?.outcome).toBe('rollback_failed');
    expect(last?.reason?.message).toMatch(/smoke POST \/predict 503.*then cannot start the previous version/);
    expect(await rt.locks.get(ENV)).toBeNull();
    expect((await rt.state.getRollout(ENV, `r${n}`))?.status).toBe('failed');
  });

  it('a task that fails before any change releases the lock and ends Failed, notified', async () => {
    const takeSnapshot = async () => {
      throw new TargetError('the state store refused the read');
    };
    const before = await new LocalTarget(rt).record(ENV);
    const r = await run(await makeBundle(home, { version: '4.3.0', environment: ENV }), { takeSnapshot });
    expect(r.error).toBe(FailName.Failed);
    expect(states(r)).toEqual(['ValidateBundle', 'AcquireLock', 'TakeSnapshot', 'ReleaseLock', 'Outcome', 'NotifyFailed', 'Failed']);
    expect(r.cause).toBe('the state store refused the read');
    expect(await rt.locks.get(ENV)).toBeNull();
    expect((await new LocalTarget(rt).record(ENV))?.pid).toBe(before?.pid);
    expect((await outbox()).at(-1)).toMatchObject({ outcome: 'failed', version: '4.3.0' });
  });

  it('no AWS credentials before any change: the lock is released and the rollout Rejected, notified', async () => {
    const takeSnapshot = async () => {
      throw new NoCredentialsError(`${NO_CREDENTIALS} — DescribeEndpoint endpoint skin`);
    };
    const r = await run(await makeBundle(home, { version: '4.4.0', environment: ENV }), { takeSnapshot });
    expect(r.error).toBe(FailName.Rejected);
    expect(states(r)).toEqual(['ValidateBundle', 'AcquireLock', 'TakeSnapshot', 'ReleaseLock', 'Outcome', 'NotifyRejected', 'Rejected']);
    expect(r.retries).toEqual([]);
    expect(r.cause).toBe(`${NO_CREDENTIALS} — DescribeEndpoint endpoint skin`);
    expect(await rt.locks.get(ENV)).toBeNull();
    expect((await outbox()).at(-1)).toMatchObject({ outcome: 'rejected', version: '4.4.0' });
  });

  it('an invalid bundle is rejected before any change, and notified', async () => {
    const dir = await makeBundle(home, { version: '5.0.0', environment: ENV, colour: 'red' });
    const before = await new LocalTarget(rt).record(ENV);
    const r = await run(dir);
    expect(r.error).toBe(FailName.Rejected);
    expect(states(r)).toEqual(['ValidateBundle', 'NotifyRejected', 'Rejected']);
    expect(r.retries).toEqual([]);
    expect(r.cause).toBe("rollout.yaml: unknown field 'colour'");
    expect((await new LocalTarget(rt).record(ENV))?.pid).toBe(before?.pid);
    expect((await outbox()).at(-1)).toMatchObject({ outcome: 'rejected' });
  });

  it('a first deployment that fails stops the environment', async () => {
    const env = 'paths-first';
    const r = await run(
      await makeBundle(home, { version: '1.0.0', environment: env, phases: fourPhases({ 1: { settings: { PREDICT_STATUS: '500' } } }) }),
    );
    expect(r.error).toBe(FailName.RolledBack);
    expect(await new LocalTarget(rt).record(env)).toBeNull();
    expect(await rt.state.getServing(env)).toBeNull();
    expect((await rt.state.getRollout(env, `r${n}`))?.rollback).toEqual({ performed: true, restoredVersion: null, verified: true });
  });

  it('a rollout past half of its lease renews the lock as it waits, and the flow is unchanged', async () => {
    const env = 'paths-lease';
    const realAcquire = TASK_FUNCTIONS.acquireLock!;
    // As if most of the lease had passed by the time AcquireLock returns: one second of it is left.
    const acquireLock = async (event: unknown, ctx: unknown) => {
      await realAcquire(event, ctx);
      const expiresAt = new Date(Date.now() + 1_000).toISOString();
      await rt.locks.renew(env, (event as { rolloutId: string }).rolloutId, expiresAt);
      return { expiresAt };
    };
    const renewals: string[] = [];
    const renew = rt.locks.renew.bind(rt.locks);
    rt.locks.renew = async (environment, rolloutId, expiresAt) => {
      renewals.push(expiresAt);
      return renew(environment, rolloutId, expiresAt);
    };
    try {
      const r = await run(await makeBundle(home, { version: '1.0.0', environment: env, phases: fourPhases().slice(0, 1) }), {
        acquireLock,
      });
      expect(r.status).toBe('SUCCEEDED');
      expect(states(r).slice(-6)).toEqual(['RecordKnownGood', 'RetireOld', 'ReleaseLock', 'Outcome', 'NotifySucceeded', 'Succeeded']);
      // The short lease of acquireLock above, then exactly one renewal by the first task that ran past half of it.
      expect(renewals).toHaveLength(2);
      expect(Date.parse(renewals[1]!) - Date.now()).toBeGreaterThan(60_000);
      expect(await rt.locks.get(env)).toBeNull();
    } finally {
      rt.locks.renew = renew;
      await new LocalTarget(rt).stop(env);
    }
  });
});
