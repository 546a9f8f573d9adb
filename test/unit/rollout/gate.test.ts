import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadlineExceededError } from '../../../lib/errors.js';
import type { Sample } from '../../../lib/gates/sample.js';
import { resolvePlan } from '../../../lib/plan/plan.js';
import { manifestSchema } from '../../../lib/plan/schema.js';
import { sampleGate } from '../../../lib/rollout/gate.js';
import type { PlannedState } from '../../../lib/rollout/state.js';
import { createLocalRuntime, type Runtime } from '../../../lib/runtime.js';
import type { Target } from '../../../lib/targets/types.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');
let now = T0;
let home: string;
let rt: Runtime;
/** What the target says of the traffic shift, sample by sample. */
let settled: boolean | undefined;

const plan = resolvePlan(
  manifestSchema.parse({ name: 'app', version: '1.0.0', target: { environment: 'gate-env' }, phases: [{ name: 'only', smoke: false }] }),
  { digest: 'd', release: { kind: 'dir', path: '/b' } },
);

function sample(): Sample {
  return {
    at: now,
    health: { label: 'GET /health', status: 200, expectStatus: 200, latencyMs: 3, ok: true },
    requests: [],
    cpuPercent: null,
    memoryPercent: null,
    cursor: null,
    ...(settled === undefined ? {} : { settled }),
  };
}

beforeEach(async () => {
  now = T0;
  settled = undefined;
  home = await mkdtemp(join(tmpdir(), 'gate-'));
  const local = createLocalRuntime({ ML_ROLLOUT_HOME: home }, { now: () => now });
  rt = { ...local, target: () => ({ sample: async () => sample() }) as unknown as Target };
});
afterEach(async () => rm(home, { recursive: true, force: true }));

const state = (): PlannedState => ({
  rolloutId: 'r1',
  bundle: { path: '/b' },
  plan,
  cursor: { index: 0, count: 1 },
  phaseRun: { index: 0, name: 'only', startedAt: T0, deadlineAt: T0 + 120_000, url: null },
});

describe('SampleGate while the target shifts traffic by itself (Sample.settled)', () => {
  it('a window with nothing moving closes once its bake time has passed (no bake: at once)', async () => {
    expect((await sampleGate(rt, state())).done).toBe(true);
  });

  it('stays open while the shift runs, closes once it has finished', async () => {
    settled = false;
    const open = await sampleGate(rt, state());
    expect(open.done).toBe(false);
    now += 30_000;
    settled = true;
    expect((await sampleGate(rt, { ...state(), phaseRun: { ...state().phaseRun!, bake: open } })).done).toBe(true);
  });

  it("fails with DeadlineExceeded when the shift outlasts the phase's deadline", async () => {
    settled = false;
    now = T0 + 120_001;
    await expect(sampleGate(rt, state())).rejects.toThrow(DeadlineExceededError);
    await expect(sampleGate(rt, state())).rejects.toThrow('only: the traffic shift did not finish within 120 s');
  });
});
