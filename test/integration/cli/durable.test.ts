import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { alive, killIfAlive, outbox, startCli, waitFor, type RunningCli } from '../../support/processes.js';

/**
 * A local rollout outlives the command that follows it: signals and a closed pipe stop the
 * following, never the rollout; an engine killed outright is found, recorded and notified by the
 * next command, and what it left serving is never taken for the known-good.
 */
const ENV = 'durable';
const FAST = ['--poll-seconds', '1', '--sample-seconds', '1'];
let home: string;
let work: string;

const phases = (bakeSeconds: number, last: Partial<TestPhase> = {}): TestPhase[] => [
  { name: 'start', settings: { ML_AVAILABLE: 'false' }, smoke: false, deadlineSeconds: 20 },
  { name: 'bake', deadlineSeconds: 20, bakeSeconds, gate: { errorRatePercent: 1 }, ...last },
];
const bundle = (version: string, bakeSeconds: number, last: Partial<TestPhase> = {}) =>
  makeBundle(work, { version, environment: ENV, phases: phases(bakeSeconds, last) });
const statusJson = async () => {
  const r = await cli(['status', '--env', ENV, '--json'], home);
  return { code: r.code, ...(JSON.parse(r.stdout) as Record<string, unknown>) } as Record<string, unknown> & {
    code: number | null;
    rollout: { id: string; version: string; phase: string | null; pid: number } | null;
  };
};
const rolloutIdOf = (stdout: string) => /\(rollout ([\w-]+)\)/.exec(stdout)?.[1];
const record = async (id: string) =>
  JSON.parse(await readFile(join(home, 'envs', ENV, 'rollouts', `${id}.json`), 'utf8')) as { status: string; version: string };
/** The one notification of a rollout, once it was sent. */
const notified = (id: string) =>
  waitFor(`the notification of ${id}`, async () => (await outbox(home)).find((n) => n.Message.rolloutId === id));
/** Every engine process this home has seen: each test kills what is left of them. */
async function enginePids(): Promise<number[]> {
  const runs = join(home, 'envs', ENV, 'runs');
  const ids = await readdir(runs).catch(() => [] as string[]);
  const infos = await Promise.all(ids.map((id) => readFile(join(runs, id, 'run.json'), 'utf8').catch(() => null)));
  return infos.filter((t): t is string => t !== null).map((t) => (JSON.parse(t) as { pid: number }).pid);
}
let following: RunningCli | null = null;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ml-rollout-durable-'));
  work = join(home, 'work');
  const first = await cli(['deploy', await bundle('1.0.0', 0), ...FAST], home);
  expect(first.code).toBe(0);
});
afterEach(async () => {
  killIfAlive(following?.child.pid);
  following = null;
  // A test that failed half-way leaves no engine behind for the next one.
  for (const pid of await enginePids()) killIfAlive(pid);
  await cli(['unlock', '--env', ENV], home);
});
afterAll(async () => {
  const processRecord = await readFile(join(home, 'envs', ENV, 'process.json'), 'utf8').catch(() => null);
  await cli(['destroy', '--env', ENV], home);
  try {
    // No process is left behind after destroy: not the service, not an engine.
    if (processRecord) expect(alive((JSON.parse(processRecord) as { pid: number }).pid)).toBe(false);
    for (const pid of await enginePids()) expect(alive(pid)).toBe(false);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

/** Starts a deploy, waits for `line` in its progress, sends `signal`, and checks the rollout finishes on its own. */
async function stopFollowing(version: string, bakeSeconds: number, line: RegExp, signal: NodeJS.Signals, group: boolean) {
  following = startCli(['deploy', await bundle(version, bakeSeconds), ...FAST], home);
  const f = following;
  await waitFor(`${line} in the progress`, async () => line.test(f.stdout()));
  const id = rolloutIdOf(f.stdout()) as string;
  process.kill(group ? -(f.child.pid as number) : (f.child.pid as number), signal);
  const { code } = await f.done;
  expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
  const lines = f.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(
      `^ml-rollout: stopped following \\(${signal}\\); ${id} goes on in engine process \\d+: follow it with ml-rollout status --env ${ENV}, stop it with kill \\d+$`,
    ),
  );
  // The rollout goes on without anyone following, and ends as any rollout does: recorded, notified.
  const n = await notified(id);
  expect(n.Message.outcome).toBe('succeeded');
  expect((await record(id)).status).toBe('succeeded');
  const s = await statusJson();
  expect(s).toMatchObject({ code: 0, version, healthy: true, verified: true, knownGood: version, rollout: null });
}

describe('a local rollout outlives what follows it', () => {
  it('SIGINT to the deploy (Ctrl-C, the whole process group) during a phase: the rollout finishes on its own', async () => {
    await stopFollowing('1.1.0', 0, /\[1\/2 start\] applying/, 'SIGINT', true);
  });

  it('SIGTERM to the deploy (a CI runner) during a bake: the rollout finishes on its own', async () => {
    await stopFollowing('1.2.0', 4, /\[2\/2 bake\] baking/, 'SIGTERM', false);
  });

  it('SIGINT during a bake and SIGTERM during a phase: the same', async () => {
    await stopFollowing('1.3.0', 4, /\[2\/2 bake\] baking/, 'SIGINT', true);
    await stopFollowing('1.4.0', 0, /\[1\/2 start\] applying/, 'SIGTERM', false);
  });

  it('deploy | head -n 1 (a pipe closed early): the rollout completes', async () => {
    const dir = await bundle('1.5.0', 2);
    following = startCli([], home, { shell: `$ML_ROLLOUT deploy ${dir} ${FAST.join(' ')} | head -n 1` });
    await following.done;
    expect(following.stdout()).toMatch(/^ml-rollout: rolling out .* \(rollout [\w-]+\)\n$/);
    const id = rolloutIdOf(following.stdout()) as string;
    expect((await notified(id)).Message.outcome).toBe('succeeded');
    expect(await statusJson()).toMatchObject({ code: 0, version: '1.5.0', healthy: true, verified: true });
  });

  it('deploy --detach returns at once with the rollout id; status shows the rollout and its engine', async () => {
    const r = await cli(['deploy', await bundle('1.6.0', 3), ...FAST, '--detach'], home);
    expect(r.code).toBe(0);
    const id = r.stdout.trim().split('\n').at(-1) as string;
    expect(id).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    const s = await waitFor('the rollout in status', async () => {
      const st = await statusJson();
      return st.rollout?.phase === 'bake' ? st : null;
    });
    expect(s.rollout).toEqual({ id, version: '1.6.0', phase: 'bake', pid: expect.any(Number) });
    expect(alive(s.rollout?.pid as number)).toBe(true);
    expect((await notified(id)).Message.outcome).toBe('succeeded');
    expect(await statusJson()).toMatchObject({ code: 0, version: '1.6.0', verified: true, rollout: null });
  });
});

describe('an engine killed outright (kill -9) during a bake', () => {
  /** Deploys `version` detached and kills its engine once the bake has started. */
  async function killDuringBake(version: string): Promise<{ id: string; pid: number }> {
    const r = await cli(['deploy', await bundle(version, 60), ...FAST, '--detach'], home);
    expect(r.code).toBe(0);
    const id = r.stdout.trim().split('\n').at(-1) as string;
    const s = await waitFor('the bake', async () => {
      const st = await statusJson();
      return st.rollout?.phase === 'bake' ? st : null;
    });
    const pid = s.rollout?.pid as number;
    await waitFor('a bake sample', async () =>
      (await readFile(join(home, 'envs', ENV, 'runs', id, 'events.jsonl'), 'utf8')).includes('"state":"SampleGate"'),
    );
    process.kill(pid, 'SIGKILL');
    await waitFor('the engine to be gone', async () => !alive(pid));
    return { id, pid };
  }

  it('the next status reports it (exit 1), the record is interrupted, one notification names what serves unverified', async () => {
    const { id, pid } = await killDuringBake('2.0.0');
    const before = (await outbox(home)).length;
    const text = await cli(['status', '--env', ENV], home);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')).toEqual([
      `! rollout ${id} of 2.0.0 was interrupted in bake (its engine is gone); notified`,
      expect.stringMatching(
        new RegExp(`^${ENV}: 2\\.0\\.0 at http://127\\.0\\.0\\.1:\\d+ \\(healthy; UNVERIFIED, known-good: 1\\.6\\.0\\)$`),
      ),
      '',
    ]);
    expect((await record(id)).status).toBe('interrupted');
    const sent = (await outbox(home)).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.Subject).toBe(`[ml-rollout] ${ENV}: test-app 2.0.0 INTERRUPTED (bake)`);
    expect(sent[0]?.Message).toMatchObject({
      outcome: 'interrupted',
      rolloutId: id,
      version: '2.0.0',
      previousVersion: '1.6.0',
      phase: 'bake',
      reason: {
        error: 'Interrupted',
        message: `interrupted in bake: its engine process ${pid} is gone; 2.0.0 serves unverified (known-good: 1.6.0)`,
      },
    });
    // Reported once: the next status neither notifies again nor calls it verified.
    const again = await statusJson();
    expect(again).toMatchObject({ code: 1, version: '2.0.0', verified: false, knownGood: '1.6.0', rollout: null, interrupted: [] });
    expect(await outbox(home)).toHaveLength(before + 1);
    expect(JSON.parse(await readFile(join(home, 'envs', ENV, 'lock.json'), 'utf8').catch(() => 'null'))).toBeNull();
  });

  it('the next deploy of a failing bundle rolls back to the known-good, not to the interrupted version', async () => {
    const report = join(work, 'after-interruption.json');
    const r = await cli(['deploy', await bundle('2.1.0', 0, { settings: { PREDICT_STATUS: '500' } }), ...FAST, '--report', report], home);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('↩ rolling back to 1.6.0');
    expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({
      status: 'rolled_back',
      previousVersion: '1.6.0',
      rollback: { performed: true, restoredVersion: '1.6.0', verified: true },
    });
    expect(await statusJson()).toMatchObject({ code: 0, version: '1.6.0', healthy: true, verified: true });
  });

  it('rollback after an interruption restores the known-good (and keeps it the known-good)', async () => {
    const { id } = await killDuringBake('2.2.0');
    const r = await cli(['rollback', '--env', ENV], home);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^! rollout ${id} of 2\\.2\\.0 was interrupted in bake: its engine process \\d+ is gone; 2\\.2\\.0 serves unverified \\(known-good: 1\\.6\\.0\\); its lock is released; notified$`,
        ),
      ),
      `✓ locked ${ENV}`,
      '↩ rolling back to 1.6.0',
      expect.stringMatching(/^✓ restored and healthy: HTTP 200 from GET \/health in [\d.]+ ms$/),
      expect.stringMatching(new RegExp(`^Rolled back: ${ENV} serves 1\\.6\\.0 at http://127\\.0\\.0\\.1:\\d+ \\(healthy: yes\\)\\.$`)),
      '',
    ]);
    expect(await statusJson()).toMatchObject({ code: 0, version: '1.6.0', healthy: true, verified: true, knownGood: '1.6.0' });
    const kg = JSON.parse(await readFile(join(home, 'envs', ENV, 'known-good.json'), 'utf8')) as {
      current: { version: string };
      previous: { version: string }[];
    };
    expect(kg.current.version).toBe('1.6.0');
    expect(kg.previous.map((p) => p.version)).toContain('1.5.0');
  });
});

describe('destroy while a rollout runs', () => {
  it('is refused, naming the rollout (exit 2): its rollback would undo the destroy; nothing is stopped', async () => {
    const r = await cli(['deploy', await bundle('3.0.0', 60), ...FAST, '--detach'], home);
    const id = r.stdout.trim().split('\n').at(-1) as string;
    const s = await waitFor('the bake', async () => {
      const st = await statusJson();
      return st.rollout?.phase === 'bake' ? st : null;
    });
    const service = JSON.parse(await readFile(join(home, 'envs', ENV, 'process.json'), 'utf8')) as { pid: number };
    const d = await cli(['destroy', '--env', ENV], home);
    expect(d.code).toBe(2);
    expect(d.stdout).toBe('');
    expect(d.stderr).toMatch(
      new RegExp(
        `^ml-rollout: destroy refused: rollout ${id} of 3\\.0\\.0 is running on durable \\(engine pid \\d+\\); let it end \\(or abort it\\), then destroy\\n$`,
      ),
    );
    expect(alive(s.rollout?.pid as number)).toBe(true);
    expect(alive(service.pid)).toBe(true);
  });
});
