import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhaseFailedError } from '../../../lib/errors.js';
import { readBundle } from '../../../lib/bundle/read.js';
import { resolvePlan } from '../../../lib/plan/plan.js';
import { LocalTarget } from '../../../lib/targets/local/local-target.js';
import { ProbeState } from '../../../lib/targets/types.js';
import { makeBundle } from '../../support/bundles.js';
import { waitFor } from '../../support/processes.js';

/**
 * Issue 14, case 11: when the service died while the gate sampled it, the reason given was
 * `memoryPercent could not be measured`. A process that died is reported as such.
 */
let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sample-exit-'));
});
afterAll(async () => {
  await new LocalTarget({ home, clock: { now: () => Date.now() } }).stop('exits');
  await rm(home, { recursive: true, force: true });
});

it('the service killed in the middle of a sample: PhaseFailed "the process exited while the gate sampled it"', async () => {
  const dir = await makeBundle(home, {
    version: '1.0.0',
    environment: 'exits',
    phases: [{ name: 'only', settings: { SLOW_MS: '1500' }, deadlineSeconds: 20, gate: { memoryPercent: 90 } }],
  });
  const read = await readBundle(dir, home);
  const plan = resolvePlan(read.manifest, { digest: read.digest, release: { kind: 'dir', path: read.dir } });
  const target = new LocalTarget({ home, clock: { now: () => Date.now() } });
  const phase = plan.phases[0]!;
  await target.apply(plan, phase);
  await waitFor('the service', async () => (await target.probe(plan)).state === ProbeState.Stable, 20_000);
  const { pid } = JSON.parse(await readFile(join(home, 'envs', 'exits', 'process.json'), 'utf8')) as { pid: number };
  const sampling = target.sample(plan, phase, null);
  // The smoke request takes 1.5 s: the service is killed while it waits for it.
  setTimeout(() => process.kill(-pid, 'SIGKILL'), 500);
  const err = await sampling.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PhaseFailedError);
  expect((err as Error).message).toMatch(/^only: the process exited while the gate sampled it/);
  expect((err as Error).message).not.toMatch(/memoryPercent/);
}, 60_000);
