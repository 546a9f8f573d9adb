import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { fourPhases, makeBundle } from '../../support/bundles.js';

/** The CLI as a user drives it: deploy, status, a failed deploy with its report, rollback, destroy, plan. */
const ENV = 'lifecycle';
let home: string;
let work: string;
const status = async () => JSON.parse((await cli(['status', '--env', ENV, '--json'], home)).stdout) as Record<string, unknown>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-cli-'));
  work = join(home, 'work');
});
afterAll(async () => {
  await cli(['destroy', '--env', ENV], home);
  await rm(home, { recursive: true, force: true });
});

describe('ml-rollout CLI', () => {
  it('status of an environment never deployed to: exit 2, one line naming it', async () => {
    const r = await cli(['status', '--env', ENV], home);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ml-rollout: no environment ${ENV} here (nothing was ever deployed to it)\n`);
  });

  it('deploy: exit 0, live progress per phase, a summary naming each check, and it keeps serving', async () => {
    const r = await cli(['deploy', await makeBundle(work, { version: '1.0.0', environment: ENV })], home);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const phase of ['minimal', 'ml-dependencies', 'faiss-scin', 'verify-metrics'])
      expect(r.stdout).toMatch(new RegExp(`\\[\\d/4 ${phase}\\] applying`));
    expect(r.stdout).toMatch(/✓ errorRatePercent 0% ≤ 1%/);
    expect(r.stdout).toMatch(/Succeeded: 1\.0\.0 serves at http:\/\/127\.0\.0\.1:\d+/);
    const s = await status();
    expect(s).toMatchObject({ environment: ENV, version: '1.0.0', healthy: true });
    expect((await fetch(`${s.url as string}/health`)).status).toBe(200);
  });

  it('deploy of a bundle that fails in faiss-scin: exit 3, rolled back, the report names the failed check', async () => {
    const report = join(work, 'report.json');
    const phases = fourPhases({ 2: { settings: { PREDICT_STATUS: '500' } } });
    const r = await cli(['deploy', await makeBundle(work, { version: '1.1.0', environment: ENV, phases }), '--report', report], home);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('ml-rollout: rolled back: faiss-scin gate failed: smoke POST /predict 500 (expected 200)');
    expect(r.stdout).toMatch(/✗ smoke POST \/predict 500 \(expected 200\)/);
    const json = JSON.parse(await readFile(report, 'utf8'));
    expect(json).toMatchObject({
      status: 'rolled_back',
      environment: ENV,
      version: '1.1.0',
      previousVersion: '1.0.0',
      rollback: { performed: true, restoredVersion: '1.0.0', verified: true },
    });
    expect(json.phases.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([
      ['minimal', 'passed'],
      ['ml-dependencies', 'passed'],
      ['faiss-scin', 'failed'],
      ['verify-metrics', 'skipped'],
    ]);
    expect(json.phases[2].checks).toContainEqual({ name: 'smoke POST /predict', value: 500, threshold: 200, passed: false });
    expect(json.transitions.map((t: { state: string }) => t.state)).toContain('RestoreSnapshot');
    expect(await status()).toMatchObject({ version: '1.0.0', healthy: true });
    const outbox = (await readFile(join(home, 'outbox.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(outbox.at(-1).Subject).toBe('[ml-rollout] lifecycle: test-app 1.1.0 rolled back (faiss-scin)');
  });

  it('deploy of the serving bundle again: exit 0, nothing restarted', async () => {
    const before = await status();
    const releases = await readdir(join(home, 'releases'));
    const first = releases.find((d) => d.startsWith('test-app-1.0.0-'))!;
    const r = await cli(['deploy', join(home, 'releases', first)], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Unchanged: 1.0.0 already serves');
    expect(await status()).toEqual(before);
  });

  it('rollback: back to the previous known-good version, verified', async () => {
    expect((await cli(['deploy', await makeBundle(work, { version: '2.0.0', environment: ENV })], home)).code).toBe(0);
    expect(await status()).toMatchObject({ version: '2.0.0', healthy: true });
    const r = await cli(['rollback', '--env', ENV], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rolled back: lifecycle serves 1\.0\.0 at http:\/\/127\.0\.0\.1:\d+ \(healthy: yes\)/);
    expect(await status()).toMatchObject({ version: '1.0.0', healthy: true });
  });

  it('plan: prints phases, settings, gates and deadlines, touching nothing', async () => {
    const before = await readdir(home, { recursive: true });
    const r = await cli(['plan', await makeBundle(work, { version: '3.0.0', environment: ENV })], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('test-app 3.0.0 → local environment lifecycle');
    expect(r.stdout).toMatch(/1\. minimal\n\s+settings: ML_AVAILABLE=false\n\s+gate: health 2xx\n/);
    expect(r.stdout).toMatch(
      /2\. ml-dependencies\n\s+settings: ML_AVAILABLE=true\n\s+gate: health 2xx, each smoke status, inferenceMs ≤ 5000\n/,
    );
    expect(r.stdout).toMatch(
      /4\. verify-metrics\n\s+settings: ML_AVAILABLE=true PRELOAD_FAISS=true\n\s+gate: health 2xx, errorRatePercent ≤ 1, inferenceMs ≤ 5000\n\s+deadline 10 s, bake 0 s/,
    );
    const after = (await readdir(home, { recursive: true })).filter((f) => !f.startsWith('work'));
    expect(after).toEqual(before.filter((f) => !f.startsWith('work')));
  });

  it('destroy: stops the environment', async () => {
    const { url } = await status();
    const r = await cli(['destroy', '--env', ENV], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stopped lifecycle \(1\.0\.0, pid \d+\)/);
    const after = await cli(['status', '--env', ENV, '--json'], home);
    // Nothing serving after a destroy is a healthy state of the environment: exit 0.
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({
      environment: ENV,
      version: null,
      url: null,
      healthy: false,
      knownGood: '1.0.0',
      rollout: null,
    });
    await expect(fetch(`${url as string}/health`)).rejects.toThrow();
  });
});
