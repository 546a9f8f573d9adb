import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePlan } from '../../../lib/plan/plan.js';
import { manifestSchema } from '../../../lib/plan/schema.js';
import { recordKnownGood } from '../../../lib/rollout/known-good.js';
import type { PlannedState } from '../../../lib/rollout/state.js';
import { createLocalRuntime, type Runtime } from '../../../lib/runtime.js';
import type { Release } from '../../../lib/state/types.js';
import type { Target } from '../../../lib/targets/types.js';

let home: string;
let rt: Runtime;
const finished: { plan: unknown; previous: Release | null }[] = [];
const plan = resolvePlan(
  manifestSchema.parse({ name: 'app', version: '1.0.0', target: { environment: 'kg-env' }, phases: [{ name: 'only' }] }),
  {
    digest: 'd'.repeat(64),
    release: { kind: 'dir', path: '/b' },
  },
);
const previous: Release = { name: 'app', version: '0.9.0', digest: 'c'.repeat(64), source: { kind: 'dir', path: '/a' }, settings: {} };

beforeEach(async () => {
  finished.length = 0;
  home = await mkdtemp(join(tmpdir(), 'kg-'));
  const local = createLocalRuntime({ ML_ROLLOUT_HOME: home });
  const target = {
    finish: async (p: unknown, prev: Release | null) => {
      finished.push({ plan: p, previous: prev });
      return { policyOptions: [{ namespace: 'aws:elasticbeanstalk:command', name: 'DeploymentPolicy', value: 'AllAtOnce' }] };
    },
  } as unknown as Target;
  rt = { ...local, target: () => target };
});
afterEach(async () => rm(home, { recursive: true, force: true }));

it("RecordKnownGood lets the target put back what was the rollout's only, and records what it returns with the release", async () => {
  const state: PlannedState = {
    rolloutId: 'r1',
    bundle: { path: '/b' },
    plan,
    snapshot: { previous, unchanged: false },
    phaseRun: { index: 0, name: 'only', startedAt: 0, deadlineAt: 1, url: null, targetState: { versionLabel: '1.0.0-dddd' } },
  };
  await recordKnownGood(rt, state);
  expect(finished).toEqual([{ plan, previous }]);
  const kg = await rt.state.getKnownGood('kg-env');
  expect(kg?.current.targetState).toEqual({
    versionLabel: '1.0.0-dddd',
    policyOptions: [{ namespace: 'aws:elasticbeanstalk:command', name: 'DeploymentPolicy', value: 'AllAtOnce' }],
  });
});
