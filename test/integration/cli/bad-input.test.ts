import { mkdtemp, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { LocalLockStore } from '../../../lib/state/local-lock.js';
import { systemClock } from '../../../lib/clock.js';
import { cli } from '../../support/cli.js';
import { makeBundle } from '../../support/bundles.js';
import { writeZip } from '../../support/zips.js';

/**
 * Every bad input ends with exit 2, one line on stderr naming the problem, and the running
 * environment untouched (same process, same version, still healthy).
 */
const ENV = 'bad-input';
let home: string;
let work: string;
let running: { pid: number; version: string };
const MANIFEST = `name: test-app\nversion: 9.0.0\ntarget: { environment: ${ENV} }\nphases: [{ name: only }]\n`;
const APP = { name: 'server.js', content: 'require("http")' };
const PROCFILE = { name: 'Procfile', content: 'web: node server.js\n' };

const processRecord = async () =>
  JSON.parse(await readFile(join(home, 'envs', ENV, 'process.json'), 'utf8')) as { pid: number; version: string };

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-bad-'));
  work = join(home, 'work');
  await mkdir(work, { recursive: true });
  const good = await makeBundle(work, { version: '1.0.0', environment: ENV, phases: [{ name: 'only', deadlineSeconds: 10 }] });
  const r = await cli(['deploy', good], home);
  expect(r.code).toBe(0);
  running = await processRecord();
});

afterAll(async () => {
  try {
    // After every rejection, the first version still serves, healthy.
    const status = await cli(['status', '--env', ENV, '--json'], home);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({
      environment: ENV,
      version: '1.0.0',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      healthy: true,
      verified: true,
      knownGood: '1.0.0',
      rollout: null,
      interrupted: [],
      detail: null,
      recorded: '1.0.0',
      exists: true,
    });
  } finally {
    await cli(['destroy', '--env', ENV], home);
    await rm(home, { recursive: true, force: true });
  }
});

async function expectRejected(args: string[], message: RegExp, env: Record<string, string> = {}) {
  const r = await cli(args, home, env);
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(await processRecord()).toEqual(running);
  expect((await fetch(`${((await processRecord()) as unknown as { url: string }).url}/health`)).status).toBe(200);
}

describe('bad input: exit 2, one line, nothing changed', () => {
  it('a file that is not a zip', async () => {
    const f = join(work, 'not-a.zip');
    await writeFile(f, 'this is not a zip file');
    await expectRejected(['deploy', f], /not-a\.zip is not a zip file/);
  });

  it('a zip with an entry outside its root (../)', async () => {
    const f = join(work, 'dotdot.zip');
    await writeZip(f, [{ name: 'rollout.yaml', content: MANIFEST }, PROCFILE, { name: 'xx/evil.txt', content: 'x' }], {
      'xx/evil.txt': '../evil.txt',
    });
    await expectRejected(['deploy', f], /entry \.\.\/evil\.txt points outside the bundle root/);
  });

  it('a zip with an absolute path', async () => {
    const f = join(work, 'absolute.zip');
    await writeZip(f, [{ name: 'rollout.yaml', content: MANIFEST }, PROCFILE, { name: 'xtmp/evil.txt', content: 'x' }], {
      'xtmp/evil.txt': '/tmp/evil.txt',
    });
    await expectRejected(['deploy', f], /entry \/tmp\/evil\.txt has an absolute path/);
  });

  it('a zip with a symlink', async () => {
    const f = join(work, 'symlink.zip');
    await writeZip(f, [{ name: 'rollout.yaml', content: MANIFEST }, PROCFILE, { name: 'passwd', content: '/etc/passwd', mode: 0o120777 }]);
    await expectRejected(['deploy', f], /entry passwd is a symlink/);
  });

  it('a directory bundle with a symlink', async () => {
    const dir = await makeBundle(work, { version: '9.0.1', environment: ENV });
    await symlink('/etc/passwd', join(dir, 'passwd'));
    await expectRejected(['deploy', dir], /passwd is a symlink/);
  });

  it('entries that expand past the size limit', async () => {
    const f = join(work, 'bomb.zip');
    // 3 MiB of zeros compresses to a few KiB; the limit is set to 1 MiB for the test.
    await writeZip(f, [
      { name: 'rollout.yaml', content: MANIFEST },
      PROCFILE,
      { name: 'zeros.bin', content: Buffer.alloc(3 * 1024 * 1024) },
    ]);
    await expectRejected(['deploy', f], /bomb\.zip expands past the size limit of 1048576 bytes/, { ML_ROLLOUT_MAX_BUNDLE_MB: '1' });
  });

  it('a missing rollout.yaml', async () => {
    const f = join(work, 'no-manifest.zip');
    await writeZip(f, [PROCFILE, APP]);
    await expectRejected(['deploy', f], /no-manifest\.zip has no rollout\.yaml at its root/);
  });

  it('a missing Procfile', async () => {
    const f = join(work, 'no-procfile.zip');
    await writeZip(f, [{ name: 'rollout.yaml', content: MANIFEST }, APP]);
    await expectRejected(['deploy', f], /no-procfile\.zip has no Procfile at its root/);
  });

  it('a Procfile without a web: line', async () => {
    const f = join(work, 'no-web.zip');
    await writeZip(f, [{ name: 'rollout.yaml', content: MANIFEST }, { name: 'Procfile', content: 'worker: node jobs.js\n' }, APP]);
    await expectRejected(['deploy', f], /the Procfile has no web: line/);
  });

  it('a manifest failing the schema names the field', async () => {
    const dir = await makeBundle(work, {
      version: '9.0.2',
      environment: ENV,
      phases: [{ name: 'only', gate: { cpuPercent: 'high' as never } }],
    });
    await expectRejected(['deploy', dir], /rollout\.yaml: phases\.0\.gate\.cpuPercent: .*expected number/);
  });

  it('a manifest with a bad name names the field', async () => {
    const dir = await makeBundle(work, { version: '9.0.3', environment: ENV, name: 'Skin_Similarity' });
    await expectRejected(['deploy', dir], /rollout\.yaml: name: use lowercase letters, digits and dashes/);
  });

  it('unknown fields', async () => {
    const dir = await makeBundle(work, { version: '9.0.4', environment: ENV, phases: [{ name: 'only', bake: 5 } as never] });
    await expectRejected(['deploy', dir], /rollout\.yaml: unknown field 'bake' in phases\.0/);
  });

  it('an environment whose lock another rollout holds: says which version, since when', async () => {
    const since = new Date().toISOString();
    const locks = new LocalLockStore(home, systemClock);
    await locks.acquire({
      environment: ENV,
      rolloutId: 'someone-else',
      version: '7.7.7',
      since,
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      owner: `${hostname()}:${process.pid}`,
    });
    try {
      const dir = await makeBundle(work, { version: '9.0.5', environment: ENV, phases: [{ name: 'only' }] });
      await expectRejected(
        ['deploy', dir],
        new RegExp(
          `locked by the rollout of version 7\\.7\\.7 \\(someone-else\\) since ${since.replace(/\./g, '\\.')}.*clear it with: npx ml-rollout unlock --env ${ENV}\\)`,
        ),
      );
      const unlock = await cli(['unlock', '--env', ENV], home);
      expect(unlock.code).toBe(0);
      expect(unlock.stdout).toContain('removed the lock of bad-input held by someone-else (version 7.7.7');
      expect(await locks.get(ENV)).toBeNull();
    } finally {
      await locks.clear(ENV);
    }
  });

  it('a path that does not exist', async () => {
    await expectRejected(['deploy', join(work, 'nowhere.zip')], /nowhere\.zip: no such file or directory/);
  });

  it('an unknown command or option', async () => {
    await expectRejected(['deploi', 'x'], /unknown command 'deploi': did you mean deploy\?/);
    await expectRejected(['deploy', 'x', '--colour'], /unknown option '--colour': deploy takes --report, --bucket, --poll-seconds/);
    await expectRejected(['deploy', 'x', '--poll-seconds', '0.5'], /--poll-seconds takes a whole number of seconds ≥ 1, not '0\.5'/);
  });
});
