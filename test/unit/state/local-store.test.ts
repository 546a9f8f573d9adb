import { jest } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateFileInvalidError } from '../../../lib/errors.js';
import { writeJsonAtomic } from '../../../lib/state/files.js';
import { LocalLockStore } from '../../../lib/state/local-lock.js';
import { LocalStateStore } from '../../../lib/state/local-store.js';
import { updateRecord } from '../../../lib/rollout/record.js';
import type { Plan } from '../../../lib/plan/plan.js';

/**
 * Issue 14, cases 1 and 6: every state file is read through its schema, and one of the wrong shape
 * names itself and what is wrong; a record written by a newer version (an extra field) is read.
 */
let home: string;
let dir: string;
const clock = { now: () => Date.parse('2026-12-01T10:00:00Z') };
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'state-'));
  dir = join(home, 'envs', 'env');
  await mkdir(join(dir, 'rollouts'), { recursive: true });
});
afterEach(() => rm(home, { recursive: true, force: true }));

const release = { name: 'app', version: '2.0.0', digest: 'd2', source: { kind: 'dir', path: '/r/2' }, settings: { A: '1' } };
const knownGood = { environment: 'env', current: release, previous: [], recordedAt: '2026-12-01T09:00:00Z' };

async function problem(read: () => Promise<unknown>): Promise<string> {
  const err = await read().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateFileInvalidError);
  return (err as Error).message;
}

describe('state files of the wrong shape', () => {
  const store = () => new LocalStateStore(home);

  it.each([
    ['an array', '[1,2,3]', '(the whole file): Invalid input: expected object, received array'],
    ['empty', '', 'the file is empty'],
    ['cut short', '{"environment":"env","current":{"version":"2"}', 'not JSON'],
    [
      'without a digest',
      JSON.stringify({ ...knownGood, current: { ...release, digest: undefined } }),
      'current.digest: Invalid input: expected string, received undefined',
    ],
  ])('known-good.json %s: names the file and the problem', async (_label, text, what) => {
    await writeFile(join(dir, 'known-good.json'), text);
    const message = await problem(() => store().getKnownGood('env'));
    expect(message).toContain(`${join(dir, 'known-good.json')} is not a valid state file (`);
    expect(message).toContain(what);
  });

  it('serving.json, a rollout record and lock.json likewise', async () => {
    await writeFile(join(dir, 'serving.json'), '{"version": 3}');
    expect(await problem(() => store().getServing('env'))).toMatch(/serving\.json is not a valid state file \(environment: /);
    await writeFile(join(dir, 'rollouts', 'r1.json'), 'garbage');
    expect(await problem(() => store().getRollout('env', 'r1'))).toMatch(/rollouts\/r1\.json is not a valid state file \(not JSON: /);
    await writeFile(join(dir, 'lock.json'), '');
    expect(await problem(() => new LocalLockStore(home, clock).get('env'))).toMatch(
      /lock\.json is not a valid state file \(the file is empty\)/,
    );
  });

  it('a record with a field this version does not know is read, and written back with it', async () => {
    await writeFile(
      join(dir, 'known-good.json'),
      JSON.stringify({ ...knownGood, approvedBy: 'someone', current: { ...release, cost: 3 } }),
    );
    const kg = await store().getKnownGood('env');
    expect(kg).toMatchObject({ approvedBy: 'someone', current: { version: '2.0.0', cost: 3 } });
    await store().putKnownGood(kg!);
    expect(JSON.parse(await readFile(join(dir, 'known-good.json'), 'utf8'))).toMatchObject({ approvedBy: 'someone' });
  });

  it('a rollout record of the wrong shape is written anew by the next update, not a wedge', async () => {
    await writeFile(join(dir, 'rollouts', 'r1.json'), '[]');
    const plan = { environment: 'env', name: 'app', version: '3.0.0', digest: 'd3', phases: [{ name: 'only' }] } as unknown as Plan;
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let told: unknown[][];
    try {
      await updateRecord({ state: store(), clock }, plan, 'r1', (r) => (r.previousVersion = '2.0.0'));
    } finally {
      told = [...stderr.mock.calls];
      stderr.mockRestore();
    }
    expect(told.map((c) => String(c[0]))).toEqual([expect.stringMatching(/r1\.json is not a valid state file .*; it is written anew/)]);
    expect(await store().getRollout('env', 'r1')).toMatchObject({
      id: 'r1',
      version: '3.0.0',
      previousVersion: '2.0.0',
      status: 'running',
    });
  });
});

describe('atomic writes', () => {
  it('a write that fails leaves the old file and no temporary file', async () => {
    const path = join(dir, 'serving.json');
    await writeJsonAtomic(path, { a: 1 });
    // The rename fails: a directory stands where the file goes.
    const blocked = join(dir, 'blocked');
    await mkdir(join(blocked, 'inside'), { recursive: true });
    await expect(writeJsonAtomic(blocked, { b: 2 })).rejects.toThrow();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ a: 1 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a lock file of the wrong shape', () => {
  const entry = {
    environment: 'env',
    rolloutId: 'new',
    version: '3.0.0',
    since: '',
    expiresAt: '2026-12-01T11:00:00Z',
    owner: `${hostname()}:${process.pid}`,
  };

  it.each([[''], ['{"rolloutId":'], ['[1]']])('%j holds nothing: it is taken over, and nothing is left beside the lock', async (text) => {
    await writeFile(join(dir, 'lock.json'), text);
    const locks = new LocalLockStore(home, clock);
    await locks.acquire(entry);
    expect(await locks.get('env')).toEqual(entry);
    expect((await readdir(dir)).filter((f) => f.startsWith('lock.json'))).toEqual(['lock.json']);
  });

  it('clear removes it (what unlock does)', async () => {
    await writeFile(join(dir, 'lock.json'), 'garbage');
    const locks = new LocalLockStore(home, clock);
    expect(await locks.clear('env')).toBeNull();
    expect(await locks.get('env')).toBeNull();
  });
});
