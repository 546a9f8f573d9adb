import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../lib/clock.js';
import { LocalLockStore } from '../../../lib/state/local-lock.js';
import { cli } from '../../support/cli.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';

/** Live progress never contradicts itself: each line as printed, in order. */
const ENV = 'progress-lines';
const FAST = ['--poll-seconds', '1', '--sample-seconds', '1'];
let home: string;
let work: string;
const HEADER = /^ml-rollout: rolling out .+ \(rollout [\w-]+\)$/;
const lines = (s: string) => s.replace(/\n$/, '').split('\n');

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-progress-'));
  work = join(home, 'work');
  await mkdir(work, { recursive: true });
});
afterAll(async () => {
  await cli(['destroy', '--env', ENV], home);
  await rm(home, { recursive: true, force: true });
});

const start: TestPhase = { name: 'start', settings: { ML_AVAILABLE: 'false' }, smoke: false, deadlineSeconds: 20 };

describe('progress lines', () => {
  it('a bundle that is not a zip: rejected, and the summary names the file (no "Summary: ?")', async () => {
    const f = join(work, 'not-a.zip');
    await writeFile(f, 'this is not a zip file');
    const r = await cli(['deploy', f], home);
    expect(r.code).toBe(2);
    expect(lines(r.stdout)).toEqual([
      expect.stringMatching(HEADER),
      `✗ rejected: ${f} is not a zip file (End of central directory record signature not found. Either not a zip file, or file is truncated.)`,
      '',
      `Summary: ${f}`,
      `Rejected: ${f} is not a zip file (End of central directory record signature not found. Either not a zip file, or file is truncated.)`,
    ]);
  });

  it('a process that exits in its phase: "failed" once, never "healthy" after it', async () => {
    const dir = await makeBundle(work, {
      version: '1.0.0',
      environment: ENV,
      phases: [start, { name: 'crash', settings: { CRASH: 'true' }, deadlineSeconds: 20 }],
    });
    const r = await cli(['deploy', dir, ...FAST], home);
    expect(r.code).toBe(3);
    const out = lines(r.stdout);
    const failed = out.findIndex((l) => l.startsWith('[2/2 crash] ✗ failed: crash: the process exited'));
    expect(failed).toBeGreaterThan(0);
    expect(out.filter((l) => l.includes('CheckStable'))).toEqual([]);
    expect(out.slice(failed + 1).filter((l) => /\] healthy/.test(l))).toEqual([]);
    expect(out[failed + 1]).toBe('↩ first deployment failed: stopping the environment');
  });

  it('a process that dies while the gate samples it is reported as such', async () => {
    const first = await makeBundle(work, { version: '2.0.0', environment: ENV, phases: [start] });
    expect((await cli(['deploy', first, ...FAST], home)).code).toBe(0);
    const dir = await makeBundle(work, {
      version: '2.1.0',
      environment: ENV,
      phases: [{ name: 'bake', settings: { EXIT_AFTER_MS: '2500' }, deadlineSeconds: 20, bakeSeconds: 20 }],
    });
    const r = await cli(['deploy', dir, ...FAST], home);
    expect(r.code).toBe(3);
    const out = lines(r.stdout);
    const failed = out.filter((l) => l.includes('✗'));
    expect(failed[0]).toMatch(/^\[1\/1 bake\] ✗ failed: bake: the process exited/);
    expect(out.slice(out.indexOf(failed[0] as string) + 1)[0]).toBe('↩ rolling back to 2.0.0');
    expect(r.stderr).toMatch(/^ml-rollout: rolled back: bake: the process exited/);
  });

  it('a held lock: "rejected" once, no "✓ locked" after it', async () => {
    const locks = new LocalLockStore(home, systemClock);
    const since = new Date().toISOString();
    await locks.acquire({
      environment: ENV,
      rolloutId: 'someone-else',
      version: '7.7.7',
      since,
      expiresAt: new Date(Date.parse(since) + 600_000).toISOString(),
      owner: `${hostname()}:${process.pid}`,
    });
    try {
      const dir = await makeBundle(work, { version: '3.0.0', environment: ENV, phases: [start] });
      const r = await cli(['deploy', dir, ...FAST], home);
      expect(r.code).toBe(2);
      const out = lines(r.stdout);
      expect(out.slice(0, 3)).toEqual([
        expect.stringMatching(HEADER),
        `✓ bundle test-app 3.0.0 is valid (1 phases, local environment ${ENV})`,
        `✗ rejected: environment ${ENV} is locked by the rollout of version 7.7.7 (someone-else) since ${since}; the lease ends ${new Date(Date.parse(since) + 600_000).toISOString()} (if that rollout crashed, clear it with: npx ml-rollout unlock --env ${ENV})`,
      ]);
      expect(out.slice(3)).toEqual(['', `Summary: ${ENV} 3.0.0`, expect.stringMatching(/^Rejected: environment progress-lines is locked/)]);
    } finally {
      await locks.clear(ENV);
    }
  });
});
