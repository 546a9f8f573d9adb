import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorName, FailName } from '../../../lib/errors.js';
import { runStateMachine, type EngineEvent, type RunResult } from '../../../cli/engine.js';
import { approveRollout, requestAbort } from '../../../lib/rollout/control.js';
import type { Runtime } from '../../../lib/runtime.js';
import type { StableProbe } from '../../../lib/rollout/state.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/**
 * The paths a person at the wheel opens in statemachines/rollout.asl.yml (pause, approve, abort,
 * approval timeout) and health tolerance, run by the local engine against real processes. The
 * approver and aborter are the same lib/ functions the CLI and the Lambda functions call.
 */
const ENV = 'operate';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let n = 0;

const states = (r: RunResult) => r.transitions.map((t) => t.state);
const run = (bundle: string, onEvent?: (e: EngineEvent) => void) =>
  runStateMachine({
    name: 'rollout',
    input: { rolloutId: `op${++n}`, bundle: { path: bundle } },
    waitMs: 20,
    retryMs: 5,
    approvalPollMs: 20,
    ...(onEvent ? { onEvent } : {}),
  });
const until = async <T>(what: () => Promise<T | null | undefined>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const outbox = async () =>
  (await readFile(join(home, 'outbox.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(JSON.parse(l).Message) as Record<string, unknown> & { outcome: string });
const twoPhases = (second: Partial<TestPhase>, first: Partial<TestPhase> = {}): TestPhase[] => [
  { name: 'minimal', smoke: false, deadlineSeconds: 10, ...first },
  { name: 'faiss-scin', deadlineSeconds: 10, ...second },
];
const bundle = (version: string, phases: TestPhase[], extra: Record<string, unknown> = {}) =>
  makeBundle(home, { version, environment: ENV, phases, ...extra });
const waitingApproval = () => until(() => rt.control.getApproval(ENV));

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
});
afterAll(async () => cleanup([ENV]));

describe('rollout.asl.yml: pause, approve, abort', () => {
  it('pause → approve → success: the rollout waits after the gate, goes on when approved', async () => {
    const running = run(await bundle('1.0.0', twoPhases({}, { approve: true })));
    const wait = await waitingApproval();
    expect(wait).toMatchObject({ environment: ENV, rolloutId: `op${n}`, phase: 'minimal', timeoutSeconds: 3600 });
    // The task keeps the token before it notifies: wait for the message rather than race it.
    const awaiting = await until(async () => (await outbox()).find((m) => m.outcome === 'awaiting_approval'));
    expect(awaiting).toMatchObject({
      outcome: 'awaiting_approval',
      phase: 'minimal',
      approval: { approveWith: `ml-rollout approve --env ${ENV}`, expiresAt: wait.expiresAt },
    });
    expect(await approveRollout(rt, ENV, 'ana@laptop')).toMatchObject({ rolloutId: `op${n}`, phase: 'minimal', by: 'ana@laptop' });
    const r = await running;
    expect(r.status).toBe('SUCCEEDED');
    const s = states(r);
    const at = s.indexOf('WaitForApproval');
    expect(s.slice(at - 2, at + 5)).toEqual([
      'BakeDone',
      'NeedsApproval',
      'WaitForApproval',
      'NextStep',
      'MoreSteps',
      'NextPhase',
      'MorePhases',
    ]);
    expect(s.filter((x) => x === 'WaitForApproval')).toHaveLength(1);
    expect(s.at(-1)).toBe('Succeeded');
    const record = await rt.state.getRollout(ENV, `op${n}`);
    expect(record?.approval).toMatchObject({ phase: 'minimal', approvedBy: 'ana@laptop' });
    expect(await rt.control.getApproval(ENV)).toBeNull();
    // Nothing waits any more: approving again finds nothing.
    expect(await approveRollout(rt, ENV, 'ana@laptop')).toBeNull();
  });

  it('pause → abort → verified rollback, the reason naming who and why', async () => {
    const running = run(await bundle('2.0.0', twoPhases({ approve: true })));
    await waitingApproval();
    const aborted = await requestAbort(rt, ENV, { by: 'ana@laptop', reason: 'p95 looks wrong' });
    expect(aborted).toMatchObject({ rolloutId: `op${n}`, waiting: true });
    const r = await running;
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    const at = s.indexOf('WaitForApproval');
    expect(s.slice(at, at + 4)).toEqual(['WaitForApproval', 'RestoreSnapshot', 'WaitForRestore', 'VerifyRestore']);
    expect(s.slice(-3)).toEqual(['Outcome', 'NotifyRolledBack', 'RolledBack']);
    expect(r.cause).toBe('faiss-scin: aborted by ana@laptop: p95 looks wrong');
    const record = await rt.state.getRollout(ENV, `op${n}`);
    expect(record?.status).toBe('rolled_back');
    expect(record?.failure).toMatchObject({ phase: 'faiss-scin', error: ErrorName.RolloutAborted });
    expect(record?.abort).toMatchObject({ by: 'ana@laptop', reason: 'p95 looks wrong' });
    expect(record?.rollback).toEqual({ performed: true, restoredVersion: '1.0.0', verified: true });
    expect((await rt.state.getServing(ENV))?.version).toBe('1.0.0');
    expect((await outbox()).at(-1)).toMatchObject({ outcome: 'rolled_back', reason: { error: ErrorName.RolloutAborted } });
    // The flags end with the rollout; with none running, abort finds nothing.
    expect(await rt.control.getAbort(ENV)).toBeNull();
    expect(await requestAbort(rt, ENV, { by: 'ana@laptop', reason: null })).toBeNull();
  });

  it('pause → timeout → rollback: a rollout never waits longer than its approval timeout', async () => {
    const r = await run(await bundle('2.1.0', twoPhases({ approve: true, approvalTimeoutSeconds: 1 })));
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    const at = s.indexOf('WaitForApproval');
    expect(s.slice(at, at + 3)).toEqual(['WaitForApproval', 'ApprovalTimedOut', 'RestoreSnapshot']);
    const waited = r.transitions[at + 1]!.at - r.transitions[at]!.at;
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(5000);
    expect(r.cause).toMatch(/^faiss-scin: nobody approved within 1 s \(waiting since .+\)$/);
    const record = await rt.state.getRollout(ENV, `op${n}`);
    expect(record?.failure).toMatchObject({ phase: 'faiss-scin', error: ErrorName.ApprovalTimedOut });
    expect(record?.rollback).toMatchObject({ performed: true, restoredVersion: '1.0.0', verified: true });
    expect(await rt.control.getApproval(ENV)).toBeNull();
  });

  it('the manifest-wide approvalTimeoutSeconds applies where a phase sets none', async () => {
    const r = await run(await bundle('2.2.0', twoPhases({ approve: true }), { approvalTimeoutSeconds: 1 }));
    expect(r.error).toBe(FailName.RolledBack);
    expect(states(r)).toContain('ApprovalTimedOut');
    expect(r.cause).toMatch(/nobody approved within 1 s/);
  });

  it('abort during a bake: the next gate sample rolls back', async () => {
    let sampling = false;
    const running = run(await bundle('2.3.0', twoPhases({ bakeSeconds: 60 })), (e) => {
      if (e.type === 'StateEntered' && e.state === 'SampleGate' && (e.input as { cursor?: { index: number } }).cursor?.index === 1) {
        sampling = true;
      }
    });
    await until(async () => sampling);
    expect(await requestAbort(rt, ENV, { by: 'ana@laptop', reason: null })).toMatchObject({ waiting: false });
    const r = await running;
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    expect(s[s.indexOf('RestoreSnapshot') - 1]).toBe('SampleGate');
    expect(r.cause).toBe('faiss-scin: aborted by ana@laptop (no reason given)');
    expect(r.transitions.at(-1)!.at - r.transitions[0]!.at).toBeLessThan(30_000);
    expect((await rt.state.getRollout(ENV, `op${n}`))?.phases[1]).toMatchObject({ status: 'failed', error: r.cause });
  });

  it("abort during a traffic step: the step's next gate sample rolls back to the known-good", async () => {
    let stepping = false;
    // Only faiss-scin shifts step by step: 25 % for up to 60 s, then 100 %.
    const phases = twoPhases({ traffic: { strategy: 'canary', steps: [25], stepSeconds: 60 } } as Partial<TestPhase>);
    const running = run(await bundle('2.3.1', phases), (e) => {
      if (e.type !== 'StateEntered' || e.state !== 'SampleGate') return;
      const input = e.input as { cursor?: { index: number }; traffic?: { percent: number } };
      if (input.cursor?.index === 1 && input.traffic?.percent === 25) stepping = true;
    });
    await until(async () => stepping);
    expect(await requestAbort(rt, ENV, { by: 'ana@laptop', reason: 'canary looks off' })).toMatchObject({ waiting: false });
    const r = await running;
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    expect(s[s.indexOf('RestoreSnapshot') - 1]).toBe('SampleGate');
    // minimal's one step at 100 %, faiss-scin's first at 25 %: the abort came before its second.
    expect(s.filter((x) => x === 'ShiftTraffic')).toHaveLength(2);
    expect(r.cause).toBe('faiss-scin: aborted by ana@laptop: canary looks off');
    expect(r.transitions.at(-1)!.at - r.transitions[0]!.at).toBeLessThan(30_000);
  });

  it('abort while a phase waits to become stable: the next poll rolls back', async () => {
    const running = run(await bundle('2.4.0', twoPhases({ settings: { HANG: 'true' }, deadlineSeconds: 60 })));
    await until(async () => (await rt.state.getRollout(ENV, `op${n}`))?.phases[1]?.status === 'running');
    await requestAbort(rt, ENV, { by: 'ana@laptop', reason: 'hangs' });
    const r = await running;
    expect(r.error).toBe(FailName.RolledBack);
    const s = states(r);
    expect(s[s.indexOf('RestoreSnapshot') - 1]).toBe('CheckStable');
    expect(r.cause).toBe('faiss-scin: aborted by ana@laptop: hangs');
  });
});

describe('health tolerance', () => {
  // The service counts the /health requests it answers: CheckStable's two (healthyThreshold 2),
  // then one per gate sample; HEALTH_FAIL names those answered 503.
  const baking = (settings: Record<string, string>, gate: Record<string, number>) =>
    twoPhases({ smoke: false, bakeSeconds: 1, settings, gate });

  it('a blip within failureLimit passes the gate', async () => {
    const r = await run(await bundle('3.0.0', baking({ HEALTH_FAIL: '4' }, { failureLimit: 1 })));
    expect(r.status).toBe('SUCCEEDED');
    const phase = (await rt.state.getRollout(ENV, `op${n}`))?.phases[1];
    expect(phase?.checks.find((c) => c.name === 'failedSamples')).toMatchObject({ value: 1, threshold: 1, passed: true });
  });

  it('one more failed sample than failureLimit fails the gate and rolls back', async () => {
    const r = await run(await bundle('3.1.0', baking({ HEALTH_FAIL: '4,6' }, { failureLimit: 1 })));
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toBe('faiss-scin gate failed: failedSamples 2 samples > 1 samples');
  });

  it('unhealthyThreshold failed probes in a row fail the phase even within failureLimit', async () => {
    const r = await run(await bundle('3.2.0', baking({ HEALTH_FAIL: '4,5' }, { failureLimit: 5 })));
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toBe('faiss-scin gate failed: healthFailuresInARow 2 probes > 1 probes');
  });

  it('without failureLimit one failed health probe while baking fails the gate', async () => {
    const r = await run(await bundle('3.3.0', baking({ HEALTH_FAIL: '4' }, {})));
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toBe('faiss-scin gate failed: health 503 (expected 2xx)');
  });

  it('healthyThreshold consecutive 2xx before a phase is stable: a 503 in between starts the count again', async () => {
    const probes: StableProbe[] = [];
    const r = await run(
      await bundle('3.4.0', twoPhases({ smoke: false, settings: { HEALTH_FAIL: '2' } }), { health: { healthyThreshold: 2 } }),
      (e) => {
        if (e.type === 'StateExited' && e.state === 'CheckStable') {
          const p = (e.output as { probe: StableProbe }).probe;
          if (p.phase === 1) probes.push(p);
        }
      },
    );
    expect(r.status).toBe('SUCCEEDED');
    // Before it listens a probe fails to connect (not counted by the service); then 200, 503, 200, 200.
    const answered = probes.slice(probes.findIndex((p) => p.healthyInARow === 1));
    expect(answered.map((p) => [p.stable, p.healthyInARow])).toEqual([
      [false, 1],
      [false, 0],
      [false, 1],
      [true, 2],
    ]);
  });
});
