import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { outbox, startCli, waitFor, killIfAlive, type RunningCli } from '../../support/processes.js';

/**
 * `approve` and `abort` as a person types them in a second terminal, while `deploy` runs in
 * another process: every process here is the real CLI (bin/ml-rollout.js over dist/).
 */
const ENV = 'operate-cli';
const FAST = ['--poll-seconds', '1', '--sample-seconds', '1'];
let home: string;
let deploying: RunningCli | null = null;

const phases = (last: Partial<TestPhase>): TestPhase[] => [
  { name: 'start', settings: { ML_AVAILABLE: 'false' }, smoke: false, deadlineSeconds: 20 },
  { name: 'faiss-scin', deadlineSeconds: 20, gate: { errorRatePercent: 1 }, ...last },
];
const deploy = async (version: string, last: Partial<TestPhase>) => {
  deploying = startCli(
    ['deploy', await makeBundle(join(home, 'work'), { version, environment: ENV, phases: phases(last) }), ...FAST],
    home,
  );
  return deploying;
};

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-operate-'));
});
afterEach(() => {
  killIfAlive(deploying?.child.pid);
  deploying = null;
});
afterAll(async () => {
  await cli(['destroy', '--env', ENV], home);
  await rm(home, { recursive: true, force: true });
});

describe('approve and abort from another terminal', () => {
  it('with no rollout running: approve and abort exit 2 with one line, nothing changed', async () => {
    const a = await cli(['approve', '--env', ENV], home);
    expect([a.code, a.stdout, a.stderr]).toEqual([2, '', `ml-rollout: no rollout of ${ENV} is waiting for approval\n`]);
    const b = await cli(['abort', '--env', ENV, '--reason', 'test'], home);
    expect([b.code, b.stdout, b.stderr]).toEqual([2, '', `ml-rollout: no rollout of ${ENV} is running\n`]);
  });

  it('a paused rollout approved from a second terminal goes on and succeeds (deploy exits 0)', async () => {
    const d = await deploy('1.0.0', { approve: true });
    await waitFor('the pause', async () => /waiting for approval/.test(d.stdout()));
    expect(d.stdout()).toMatch(new RegExp(`approve with: .*approve --env ${ENV} · abort with: .*abort --env ${ENV}`));
    const r = await cli(['approve', '--env', ENV], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^approved: rollout [\w-]+ of 1\.0\.0 goes on after faiss-scin \(by .+@.+\)\n$/);
    expect((await d.done).code).toBe(0);
    expect(d.stdout()).toMatch(/\[2\/2 faiss-scin\] ✓ approved by .+@.+/);
    const waiting = (await outbox(home)).find((n) => n.Message.outcome === 'awaiting_approval');
    expect(waiting?.Subject).toBe(`[ml-rollout] ${ENV}: test-app 1.0.0 waits for approval (faiss-scin)`);
    // It goes on no more: approving again finds nothing.
    expect((await cli(['approve', '--env', ENV], home)).code).toBe(2);
  });

  it('abort of a paused rollout: verified rollback, the reason named, deploy exits 3', async () => {
    const d = await deploy('2.0.0', { approve: true });
    await waitFor('the pause', async () => /waiting for approval/.test(d.stdout()));
    const r = await cli(['abort', '--env', ENV, '--reason', 'p95 looks wrong'], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/it was waiting for approval: it rolls back now/);
    expect((await d.done).code).toBe(3);
    expect(d.stdout()).toMatch(/restored and healthy/);
    expect(d.stderr()).toMatch(/^ml-rollout: rolled back: faiss-scin: aborted by .+@.+: p95 looks wrong$/m);
    const status = JSON.parse((await cli(['status', '--env', ENV, '--json'], home)).stdout) as { version: string; healthy: boolean };
    expect(status).toMatchObject({ version: '1.0.0', healthy: true });
  });

  it('abort during a bake: deploy exits 3 within a few samples', async () => {
    const d = await deploy('2.1.0', { bakeSeconds: 120 });
    await waitFor('the bake', async () => /\[2\/2 faiss-scin\] baking/.test(d.stdout()));
    const started = Date.now();
    expect((await cli(['abort', '--env', ENV], home)).code).toBe(0);
    expect((await d.done).code).toBe(3);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(d.stderr()).toMatch(/rolled back: faiss-scin: aborted by .+ \(no reason given\)/);
  });
});
