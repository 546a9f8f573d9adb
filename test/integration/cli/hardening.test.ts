import { readdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { alive, killIfAlive, waitFor } from '../../support/processes.js';

/**
 * Issue 14 through the real CLI: corrupt state files still let unlock, destroy, rollback and a
 * new deploy repair the environment (case 6); destroy during a rollout is refused (case 7); a
 * daemon that left its process group is stopped with its version (case 5); --env is a name,
 * never a path, on every command (case 10).
 */
const ENV = 'hardening';
const FAST = ['--poll-seconds', '1', '--sample-seconds', '1'];
let home: string;
let work: string;
const dir = () => join(home, 'envs', ENV);
const phases = (settings: Record<string, string> = {}, bakeSeconds = 0): TestPhase[] => [
  { name: 'only', settings, deadlineSeconds: 20, bakeSeconds, gate: { errorRatePercent: 1 } },
];
const deploy = async (version: string, settings: Record<string, string> = {}) =>
  cli(['deploy', await makeBundle(work, { version, environment: ENV, phases: phases(settings) }), ...FAST], home);
const processRecord = async () => JSON.parse(await readFile(join(dir(), 'process.json'), 'utf8')) as { pid: number; url: string };
async function answering(url: string): Promise<string | null> {
  const res = await fetch(`${url}/predict`, { method: 'POST', body: '{}' }).catch(() => null);
  return res ? ((await res.json()) as { version: string }).version : null;
}
const enginePids = async () => {
  const runs = join(dir(), 'runs');
  const ids = await readdir(runs).catch(() => [] as string[]);
  const infos = await Promise.all(ids.map((id) => readFile(join(runs, id, 'run.json'), 'utf8').catch(() => null)));
  return infos.filter((t): t is string => t !== null).map((t) => (JSON.parse(t) as { pid: number }).pid);
};
const daemons: number[] = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-hardening-'));
  work = join(home, 'work');
  expect((await deploy('1.0.0')).code).toBe(0);
  expect((await deploy('2.0.0')).code).toBe(0);
}, 120_000);
afterAll(async () => {
  for (const pid of await enginePids()) killIfAlive(pid);
  await cli(['unlock', '--env', ENV], home);
  await cli(['destroy', '--env', ENV], home);
  daemons.forEach((pid) => killIfAlive(pid));
  await rm(home, { recursive: true, force: true });
});

describe('--env is an environment name on every command (case 10)', () => {
  it.each([['status'], ['destroy'], ['unlock'], ['rollback'], ['proxy']])(
    '%s --env ../../other/envs/x: exit 2, one line, nothing touched',
    async (command) => {
      const before = await processRecord();
      const r = await cli([command, '--env', `../../other/envs/${ENV}`], home);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `ml-rollout: --env takes an environment name (lowercase letters, digits and dashes, at most 63), not '../../other/envs/${ENV}'\n`,
      );
      expect(alive(before.pid)).toBe(true);
    },
  );
});

describe('corrupt state files (case 6)', () => {
  it('an empty lock.json: a new deploy takes over and succeeds', async () => {
    await writeFile(join(dir(), 'lock.json'), '');
    const r = await deploy('3.0.0');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await answering((await processRecord()).url)).toBe('3.0.0');
  });

  it('a garbage lock.json: unlock removes it, naming the file and the problem', async () => {
    await writeFile(join(dir(), 'lock.json'), '{{{');
    const r = await cli(['unlock', '--env', ENV], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^removed the lock of hardening: .*\/envs\/hardening\/lock\.json is not a valid state file \(not JSON: /);
    expect(await readdir(dir())).not.toContain('lock.json');
  });

  it('a garbage lock.json: rollback still works (back to 2.0.0, verified)', async () => {
    await writeFile(join(dir(), 'lock.json'), 'garbage');
    const r = await cli(['rollback', '--env', ENV], home);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await answering((await processRecord()).url)).toBe('2.0.0');
  });

  it('a known-good.json of the wrong shape: status names it (exit 1)', async () => {
    const kg = await readFile(join(dir(), 'known-good.json'), 'utf8');
    await writeFile(join(dir(), 'known-good.json'), '[1,2,3]');
    const r = await cli(['status', '--env', ENV], home);
    await writeFile(join(dir(), 'known-good.json'), kg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ml-rollout: .*\/envs\/hardening\/known-good\.json is not a valid state file \(\(the whole file\): .*array\)\n$/,
    );
  });

  it('a garbage process.json: destroy still stops the service (exit 0), and a deploy brings it back', async () => {
    const { pid } = await processRecord();
    await writeFile(join(dir(), 'process.json'), 'garbage');
    const r = await cli(['destroy', '--env', ENV], home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^stopped every process of hardening \(.*process\.json is not a valid state file \(not JSON: .*\); removed\)\n$/,
    );
    await waitFor('the service to stop', async () => !alive(pid), 10_000);
    expect((await deploy('2.0.0')).code).toBe(0);
  });
});

describe('destroy while a rollout runs (case 7)', () => {
  it('is refused with one line naming the rollout, exit 2; nothing is stopped', async () => {
    const started = await cli(
      ['deploy', await makeBundle(work, { version: '4.0.0', environment: ENV, phases: phases({}, 60) }), ...FAST, '--detach'],
      home,
    );
    const id = started.stdout.trim().split('\n').at(-1) as string;
    await waitFor(
      'the bake',
      async () =>
        (JSON.parse((await cli(['status', '--env', ENV, '--json'], home)).stdout) as { rollout: { phase: string | null } | null }).rollout
          ?.phase === 'only',
    );
    try {
      await waitFor('4.0.0 to serve', async () => (await answering((await processRecord()).url)) === '4.0.0', 30_000);
      const service = await processRecord();
      const r = await cli(['destroy', '--env', ENV], home);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^ml-rollout: destroy refused: rollout ${id} of 4\\.0\\.0 is running on hardening \\(engine pid \\d+\\); let it end \\(or abort it\\), then destroy\\n$`,
        ),
      );
      expect(alive(service.pid)).toBe(true);
      expect(await answering(service.url)).toBe('4.0.0');
    } finally {
      for (const pid of await enginePids()) killIfAlive(pid);
    }
  }, 90_000);
});

describe('a service that daemonizes out of its process group (case 5)', () => {
  /** A bundle whose service starts a daemon in a session of its own (setsid) that writes its pid to a file. */
  async function daemonBundle(version: string, settings: Record<string, string>): Promise<string> {
    const b = await makeBundle(work, { version, environment: ENV, phases: phases(settings) });
    await writeFile(
      join(b, 'launch.js'),
      [
        "import { spawn } from 'node:child_process';",
        "const d = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });",
        'd.unref();',
        "import('node:fs').then((fs) => fs.writeFileSync(process.env.DAEMON_PID_FILE, String(d.pid)));",
        "await import('./server.js');",
      ].join('\n'),
    );
    await writeFile(join(b, 'Procfile'), 'web: node launch.js\n');
    return b;
  }
  const daemonPid = async (file: string) =>
    waitFor('the daemon', async () => Number(await readFile(file, 'utf8').catch(() => '')) || null, 10_000);

  it('a rollback stops the daemon of the version it replaces', async () => {
    await cli(['unlock', '--env', ENV], home);
    const file = join(work, 'daemon-a.pid');
    const r = await cli(['deploy', await daemonBundle('5.0.0', { DAEMON_PID_FILE: file, PREDICT_STATUS: '500' }), ...FAST], home);
    expect(r.code).toBe(3);
    const pid = await daemonPid(file);
    daemons.push(pid);
    await waitFor('the daemon to stop', async () => !alive(pid), 10_000);
    expect(await answering((await processRecord()).url)).toBe('2.0.0');
  }, 90_000);

  it('destroy stops it too: nothing is left behind', async () => {
    const file = join(work, 'daemon-b.pid');
    expect((await cli(['deploy', await daemonBundle('6.0.0', { DAEMON_PID_FILE: file }), ...FAST], home)).code).toBe(0);
    const pid = await daemonPid(file);
    daemons.push(pid);
    expect(alive(pid)).toBe(true);
    const { pid: service } = await processRecord();
    expect((await cli(['destroy', '--env', ENV], home)).code).toBe(0);
    await waitFor('the daemon to stop', async () => !alive(pid) && !alive(service), 10_000);
  }, 90_000);
});
