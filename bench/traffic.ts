/**
 * `npm run bench:traffic`: the local router on the example service, in one run.
 *  1. p50/p99 of POST /predict through the router and sent to the process directly (ratio; target ≤ 1.3 at p50);
 *  2. throughput both ways (concurrent clients for a few seconds each);
 *  3. the time from a failed verdict (the rollback's restore call) to every request answered by the
 *     known-good, beside the restart that a rollback was before the router (stop, start, healthy).
 * Figures are printed, never asserted.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { projectRoot } from '../cli/paths.js';
import { resolvePlan, type Plan } from '../lib/plan/plan.js';
import { manifestSchema } from '../lib/plan/schema.js';
import { systemClock } from '../lib/clock.js';
import type { Release } from '../lib/state/types.js';
import { LocalTarget } from '../lib/targets/local/local-target.js';
import { startProcess, stopProcess, freePort } from '../lib/targets/local/process.js';
import { VERSION_HEADER } from '../lib/targets/local/router-types.js';
import { ProbeState } from '../lib/targets/types.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = 8;
const SWITCHES = Number(process.env.BENCH_SWITCHES ?? 5);
const example = join(projectRoot(), 'examples', 'skin-similarity');
const home = await mkdtemp(join(tmpdir(), 'ml-rollout-bench-traffic-'));
const target = new LocalTarget({ home, clock: systemClock });
const ENV = 'bench-traffic';
const manifest = manifestSchema.parse(parse(await readFile(join(example, 'rollout.yaml'), 'utf8')));
const body = JSON.stringify({ embedding: [0.1, 0.2, 0.3, 0.4] });

const planOf = (version: string): Plan => {
  const p = resolvePlan(
    { ...manifest, version, target: { ...manifest.target, environment: ENV } as never },
    {
      digest: version,
      release: { kind: 'dir', path: example },
    },
  );
  return p;
};
const full = (plan: Plan) => plan.phases.at(-1)!;
const releaseOf = (plan: Plan): Release => ({
  name: plan.name,
  version: plan.version,
  digest: plan.digest,
  source: plan.release,
  settings: full(plan).settings,
});

async function healthy(plan: Plan): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await target.probe(plan)).state === ProbeState.Stable) return;
    await sleep(25);
  }
  throw new Error('the example service did not become healthy');
}

/** Deploys `plan` beside what serves and gives it all traffic (a blue/green phase). */
async function deploy(plan: Plan): Promise<void> {
  const phase = { ...full(plan), index: 0 };
  await target.apply(plan, phase);
  await healthy(plan);
  await target.shift(plan, phase, 100);
}

const predict = async (url: string) => {
  const res = await fetch(`${url}/predict`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  await res.arrayBuffer();
  return res;
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;
const r2 = (n: number) => Math.round(n * 100) / 100;

async function throughput(url: string): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await predict(url);
        done++;
      }
    }),
  );
  return Math.round(done / SECONDS);
}

try {
  const kg = planOf('1.0.0');
  await deploy(kg);
  await target.retire(kg);
  const next = planOf('2.0.0');
  await deploy(next);
  const router = (await target.current(next))?.url ?? '';
  const direct = (await target.record(ENV))?.url ?? '';

  // 1. Latency, interleaved so that both ways see the same machine.
  const viaRouter: number[] = [];
  const viaDirect: number[] = [];
  for (let i = 0; i < 50; i++) await Promise.all([predict(router), predict(direct)]);
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    await predict(router);
    viaRouter.push(performance.now() - t);
    t = performance.now();
    await predict(direct);
    viaDirect.push(performance.now() - t);
  }
  const latency = {
    routerP50: r2(pct(viaRouter, 50)),
    directP50: r2(pct(viaDirect, 50)),
    p50Ratio: r2(pct(viaRouter, 50) / pct(viaDirect, 50)),
    routerP99: r2(pct(viaRouter, 99)),
    directP99: r2(pct(viaDirect, 99)),
    p99Ratio: r2(pct(viaRouter, 99) / pct(viaDirect, 99)),
  };
  // 2. Throughput.
  const tput = { routerPerSecond: await throughput(router), directPerSecond: await throughput(direct) };

  // 3. Failed verdict → every request answered by the known-good: the rollback's restore() (a switch back).
  const switches: { ms: number; restoreMs: number; newAfter: number; failed: number }[] = [];
  for (let s = 0; s < SWITCHES; s++) {
    if (s > 0) await deploy(next);
    const answers: { at: number; version: string | null; ok: boolean }[] = [];
    let running = true;
    const clients = Array.from({ length: 4 }, async () => {
      while (running) {
        const at = performance.now();
        try {
          const res = await predict(router);
          answers.push({ at, version: res.headers.get(VERSION_HEADER), ok: res.ok });
        } catch {
          answers.push({ at, version: null, ok: false });
        }
      }
    });
    await sleep(300);
    const t0 = performance.now();
    await target.restore(next, releaseOf(kg));
    const t1 = performance.now();
    await sleep(300);
    running = false;
    await Promise.all(clients);
    // From the verdict on, the last request that the new version still took: after it, the known-good takes every one.
    const lastNew = Math.max(t0, ...answers.filter((a) => a.version === '2.0.0').map((a) => a.at));
    switches.push({
      ms: r2(lastNew - t0),
      restoreMs: r2(t1 - t0),
      newAfter: answers.filter((a) => a.at >= t1 && a.version !== '1.0.0').length,
      failed: answers.filter((a) => !a.ok).length,
    });
  }

  // Baseline, same run: a rollback as a restart (stop the process, start the known-good, wait until it answers).
  const restarts: number[] = [];
  for (let s = 0; s < SWITCHES; s++) {
    const port = await freePort();
    const t0 = performance.now();
    const rec = await target.record(ENV);
    if (rec) await stopProcess(rec.pid);
    const pid = await startProcess({
      command: 'node server.js',
      cwd: example,
      port,
      env: { ...full(kg).settings, ML_ROLLOUT_VERSION: '1.0.0' },
      logFile: join(home, 'restart.log'),
    });
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await sleep(10);
    }
    restarts.push(r2(performance.now() - t0));
    await stopProcess(pid);
    await target.stop(ENV);
    await deploy(kg);
  }

  const ms = switches.map((s) => s.ms);
  console.log(
    JSON.stringify(
      {
        machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}`,
        load: loadavg().map((l) => r2(l)),
        latencyMs: latency,
        throughput: { ...tput, ratio: r2(tput.routerPerSecond / tput.directPerSecond), concurrency: CONCURRENCY },
        failedVerdictToKnownGoodMs: {
          runs: ms,
          max: Math.max(...ms),
          // restore() as a whole: the switch, then the new process stopped (SIGTERM, waited for).
          restoreCallMs: switches.map((s) => s.restoreMs),
          newAnswersAfterRestore: switches.map((s) => s.newAfter),
          failedRequests: switches.map((s) => s.failed),
        },
        restartBaselineMs: { runs: restarts, median: pct(restarts, 50) },
        targets: { p50Ratio: '≤ 1.3', failedVerdictToKnownGoodMs: '≤ 100' },
      },
      null,
      2,
    ),
  );
} finally {
  await target.stop(ENV);
  await rm(home, { recursive: true, force: true });
}
process.exit(0);
