import { FailName } from '../../../lib/errors.js';
import { runStateMachine, type EngineEvent, type RunResult } from '../../../cli/engine.js';
import { LocalTarget } from '../../../lib/targets/local/local-target.js';
import { VERSION_HEADER } from '../../../lib/targets/local/router-types.js';
import type { Runtime } from '../../../lib/runtime.js';
import { makeBundle, type TestPhase } from '../../support/bundles.js';
import { tempRuntime } from '../../support/local-runtime.js';

/**
 * The local environment's router against real processes: a client calls the environment's URL
 * without pause while rollouts, rollbacks and a manual rollback run, and counts what failed.
 */
const ENV = 'traffic';
let rt: Runtime;
let home: string;
let cleanup: (envs: string[]) => Promise<void>;
let n = 0;

const states = (r: RunResult) => r.transitions.map((t) => t.state);
const twoPhases = (extra: Partial<TestPhase> = {}): TestPhase[] => [
  { name: 'minimal', smoke: false, deadlineSeconds: 10 },
  { name: 'full', deadlineSeconds: 10, ...extra },
];

async function deploy(version: string, manifest: Record<string, unknown> = {}, onEvent?: (e: EngineEvent) => void): Promise<RunResult> {
  const bundle = await makeBundle(home, { version, environment: ENV, phases: twoPhases(), ...manifest });
  return runStateMachine({ name: 'rollout', input: { rolloutId: `t${++n}`, bundle: { path: bundle } }, waitMs: 20, retryMs: 5, onEvent });
}

/** Calls the URL without pause until stopped; every answer with its version and time. */
function client(url: string) {
  const answers: { at: number; version: string | null; ok: boolean; detail: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const res = await fetch(`${url}/predict`, { method: 'POST', body: '{"embedding":[0.1]}', signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        answers.push({ at, version: res.headers.get(VERSION_HEADER), ok: res.status === 200, detail: String(res.status) });
      } catch (err) {
        answers.push({ at, version: null, ok: false, detail: String((err as Error).cause ?? err) });
      }
    }
  })();
  return {
    answers,
    async stop() {
      running = false;
      await loop;
      return { total: answers.length, failed: answers.filter((a) => !a.ok) };
    },
  };
}

const url = async () => (await rt.state.getServing(ENV))?.url ?? '';

beforeAll(async () => {
  ({ rt, home, cleanup } = await tempRuntime());
});
afterAll(async () => cleanup([ENV]));

describe('local traffic through the router', () => {
  it('blue/green by default: the URL stays, no request fails, the old process stops once the rollout succeeded', async () => {
    expect((await deploy('1.0.0')).status).toBe('SUCCEEDED');
    const first = await url();
    const c = client(first);
    const r = await deploy('2.0.0');
    const { total, failed } = await c.stop();
    expect(r.status).toBe('SUCCEEDED');
    expect(await url()).toBe(first);
    expect(failed).toEqual([]);
    expect(total).toBeGreaterThan(50);
    expect(new Set(c.answers.map((a) => a.version))).toEqual(new Set(['1.0.0', '2.0.0']));
    // Once 2.0.0 took every request, 1.0.0 answered none.
    const firstNew = c.answers.findIndex((a) => a.version === '2.0.0');
    expect(c.answers.slice(firstNew).every((a) => a.version === '2.0.0')).toBe(true);
    const s = states(r);
    expect(s.filter((x) => x === 'ShiftTraffic')).toHaveLength(2);
    const processes = await new LocalTarget(rt).processes(ENV);
    expect(processes.map((p) => p.version)).toEqual(['2.0.0']);
    const record = await rt.state.getRollout(ENV, `t${n}`);
    expect(record?.phases.map((p) => p.traffic?.map((t) => [t.percent, t.status]))).toEqual([[[100, 'passed']], [[100, 'passed']]]);
  });

  it('a canary: the new version takes about its weight during the step, then everything; no request fails', async () => {
    const steps: { percent: number; at: number }[] = [];
    const onEvent = (e: EngineEvent) => {
      if (e.type === 'StateExited' && e.state === 'ShiftTraffic') {
        const t = (e.output as { traffic: { percent: number; startedAt: number } }).traffic;
        steps.push({ percent: t.percent, at: t.startedAt });
      }
    };
    const c = client(await url());
    const r = await deploy(
      '3.0.0',
      { phases: [{ name: 'only', deadlineSeconds: 10 }], traffic: { strategy: 'canary', steps: [25], stepSeconds: 3 } },
      onEvent,
    );
    const { failed } = await c.stop();
    expect(r.status).toBe('SUCCEEDED');
    expect(failed).toEqual([]);
    expect(steps.map((s) => s.percent)).toEqual([25, 100]);
    const during = c.answers.filter((a) => a.at >= (steps[0]?.at ?? 0) + 50 && a.at < (steps[1]?.at ?? 0) - 50);
    expect(during.length).toBeGreaterThan(40);
    const share = during.filter((a) => a.version === '3.0.0').length / during.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.35);
    const s = states(r);
    expect(s.slice(s.indexOf('StartSteps'), s.indexOf('StartSteps') + 3)).toEqual(['StartSteps', 'ShiftTraffic', 'SampleGate']);
    expect(s).toContain('MoreSteps');
    const record = await rt.state.getRollout(ENV, `t${n}`);
    expect(record?.phases[0]?.traffic?.map((t) => [t.percent, t.status])).toEqual([
      [25, 'passed'],
      [100, 'passed'],
    ]);
  });

  it('a canary slower than the version it replaces fails its compare check and rolls back; the old one answers throughout', async () => {
    const c = client(await url());
    const r = await deploy('4.0.0', {
      phases: [{ name: 'only', deadlineSeconds: 10, settings: { SLOW_MS: '60' } }],
      traffic: { strategy: 'canary', steps: [20, 50], stepSeconds: 2, compare: { p95LatencyRatio: 1.5 } },
    });
    const { failed } = await c.stop();
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toMatch(/^only gate failed at 20 % traffic: p95LatencyRatio \d+(\.\d+)?× > 1\.5×$/);
    expect(failed).toEqual([]);
    expect(c.answers.at(-1)?.version).toBe('3.0.0');
    const s = states(r);
    expect(s.filter((x) => x === 'ShiftTraffic')).toHaveLength(1);
    expect(s.slice(s.lastIndexOf('SampleGate') + 1, s.lastIndexOf('SampleGate') + 2)).toEqual(['RestoreSnapshot']);
    const record = await rt.state.getRollout(ENV, `t${n}`);
    const traffic = record?.phases[0]?.traffic;
    expect(traffic?.map((t) => [t.percent, t.status])).toEqual([
      [20, 'failed'],
      [50, 'skipped'],
      [100, 'skipped'],
    ]);
    expect(traffic?.[0]?.checks.find((x) => x.name === 'p95LatencyRatio')).toMatchObject({ threshold: 1.5, passed: false });
    expect((await new LocalTarget(rt).processes(ENV)).map((p) => p.version)).toEqual(['3.0.0']);
  });

  it('a crash of the new process during a step rolls back with no failed request', async () => {
    const c = client(await url());
    const r = await deploy('5.0.0', {
      phases: [{ name: 'only', deadlineSeconds: 10, settings: { EXIT_AFTER_MS: '1500' } }],
      traffic: { strategy: 'canary', steps: [50], stepSeconds: 10 },
    });
    const { failed } = await c.stop();
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toMatch(/only: the process exited/);
    expect(failed).toEqual([]);
    const s = states(r);
    expect(s.indexOf('ShiftTraffic')).toBeLessThan(s.indexOf('RestoreSnapshot'));
    expect((await rt.state.getServing(ENV))?.version).toBe('3.0.0');
  });

  it('a manual rollback switches back with no failed request', async () => {
    const c = client(await url());
    const r = await runStateMachine({ name: 'rollback', input: { rolloutId: `m${++n}`, environment: ENV }, waitMs: 20, retryMs: 5 });
    const { failed } = await c.stop();
    expect(r.status).toBe('SUCCEEDED');
    expect(failed).toEqual([]);
    expect(c.answers.at(-1)?.version).toBe('2.0.0');
    expect((await new LocalTarget(rt).processes(ENV)).map((p) => p.version)).toEqual(['2.0.0']);
  });

  it('destroy stops the router and every process: nothing answers on the URL afterwards', async () => {
    const target = new LocalTarget(rt);
    const before = await url();
    const ports = (await target.processes(ENV)).map((p) => p.url);
    await target.stop(ENV);
    for (const u of [before, ...ports]) {
      await expect(fetch(`${u}/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    }
    expect(await target.processes(ENV)).toEqual([]);
  });
});
