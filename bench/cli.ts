/**
 * `npm run bench:cli`: the CPU time of the CLI's start beside a bare `node -e 0`, as ratios.
 * Each command runs RUNS times after a warm-up, in a child with bench/cpu-probe.cjs preloaded
 * (it reports the child's own user + system CPU time at exit). `status` is measured on a local
 * environment where a version serves (so it also sends its health check) and on one where
 * nothing serves. Figures are printed, never asserted. Target: `status` ≤ 4× bare node.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../cli/paths.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TARGET = 4;
const root = projectRoot();
const BIN = join(root, 'bin', 'ml-rollout.js');
const PROBE = join(root, 'bench', 'cpu-probe.cjs');

const home = await mkdtemp(join(tmpdir(), 'ml-rollout-bench-cli-'));
const env = { ...process.env, ML_ROLLOUT_HOME: home, NO_COLOR: '1' };

/** Runs one child to its end; returns its CPU time in ms. */
async function cpuMs(args: string[]): Promise<number> {
  const file = join(home, 'cpu.json');
  const r = spawnSync(process.execPath, ['--require', PROBE, ...args], {
    env: { ...env, ML_ROLLOUT_CPU_FILE: file },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
  const u = JSON.parse(await readFile(file, 'utf8')) as { user: number; system: number };
  await rm(file);
  return (u.user + u.system) / 1000;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function measure(args: string[]): Promise<number[]> {
  await cpuMs(args);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await cpuMs(args));
  return samples;
}

/** A one-phase local environment of the example service, so that `status` has something to check. */
async function deployServing(): Promise<void> {
  const dir = join(home, 'bundle');
  await cp(join(root, 'examples', 'skin-similarity'), dir, { recursive: true });
  await writeFile(
    join(dir, 'rollout.yaml'),
    ['name: skin-similarity', 'version: 1.0.0', 'target: { environment: bench-cli }', 'phases: [{ name: only, smoke: false }]', ''].join(
      '\n',
    ),
  );
  const r = spawnSync(process.execPath, [BIN, 'deploy', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`the bench environment did not deploy: ${r.stderr.toString().trim()}`);
}

const loadAtStart = (loadavg()[0] ?? 0).toFixed(2);
try {
  await deployServing();
  const rows: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['ml-rollout --help', [BIN, '--help']],
    ['ml-rollout --version', [BIN, '--version']],
    ['ml-rollout status --env E --json (serving)', [BIN, 'status', '--env', 'bench-cli', '--json']],
    ['ml-rollout status --env E --json (nothing)', [BIN, 'status', '--env', 'bench-empty', '--json']],
  ];
  const results: { label: string; samples: number[] }[] = [];
  for (const [label, args] of rows) results.push({ label, samples: await measure(args) });
  const bare = median(results[0]?.samples ?? []);
  console.log(
    `CLI start benchmark · Node ${process.version} · ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}) · ` +
      `load average at start ${loadAtStart}, at end ${(loadavg()[0] ?? 0).toFixed(2)} · ${RUNS} runs each after a warm-up`,
  );
  console.log('');
  console.log(
    `${'CPU time (user + system)'.padEnd(46)}${'median ms'.padStart(10)}${'min'.padStart(8)}${'max'.padStart(8)}${'× node'.padStart(9)}`,
  );
  for (const { label, samples } of results) {
    const m = median(samples);
    console.log(
      `${label.padEnd(46)}${m.toFixed(1).padStart(10)}${Math.min(...samples)
        .toFixed(1)
        .padStart(8)}` +
        `${Math.max(...samples)
          .toFixed(1)
          .padStart(8)}${(m / bare).toFixed(2).padStart(9)}`,
    );
  }
  const worstStatus = Math.max(...results.filter((r) => r.label.includes('status')).map((r) => median(r.samples)));
  const ratio = worstStatus / bare;
  console.log('');
  console.log(`status / node -e 0: ${ratio.toFixed(2)} (target ≤ ${TARGET}: ${ratio <= TARGET ? 'met' : 'NOT met'})`);
} finally {
  spawnSync(process.execPath, [BIN, 'destroy', '--env', 'bench-cli'], { env, stdio: 'ignore' });
  await rm(home, { recursive: true, force: true });
}
