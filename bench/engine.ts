/**
 * `npm run bench`: figures of the local engine, printed, never asserted.
 *  1. Engine time per state transition: rollout.asl.yml with every Task bound to a function that
 *     answers at once (the real flow, no I/O), so what is left is the engine and its wiring.
 *  2. Time from a failed gate to the previous version healthy: the example service deployed, then
 *     a version whose faiss-scin gate fails; measured from the GateFailed to VerifyRestore's
 *     healthy answer, with the definition's own Wait durations (1 s polls locally).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { runStateMachine, type EngineEvent } from '../cli/engine.js';
import { projectRoot } from '../cli/paths.js';
import { createLocalRuntime, setRuntime } from '../lib/runtime.js';
import { LocalTarget } from '../lib/targets/local/local-target.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

async function transitions(): Promise<void> {
  const phases = Array.from({ length: 4 }, (_, i) => ({ name: `p${i}` }));
  const plan = { environment: 'bench', version: '1', phases, pollSeconds: 1, sampleSeconds: 1 };
  const instant = async () => ({});
  const functions = {
    validateBundle: async () => plan,
    acquireLock: instant,
    takeSnapshot: async () => ({ previous: null, unchanged: false }),
    applyPhase: async () => ({ index: 0 }),
    checkStable: async () => ({ stable: true }),
    sampleGate: async () => ({ done: true }),
    recordKnownGood: instant,
    releaseLock: instant,
    notify: instant,
  };
  const runs = 200;
  let count = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = await runStateMachine({ name: 'rollout', input: { rolloutId: `b${i}`, bundle: { path: '/nowhere' } }, functions, waitMs: 0 });
    count += r.transitions.length;
  }
  const ms = performance.now() - started;
  console.log(
    `engine: ${runs} executions, ${count} state transitions in ${ms.toFixed(0)} ms → ${((ms * 1000) / count).toFixed(0)} µs per transition`,
  );
}

async function failedGateToHealthy(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'ml-rollout-bench-'));
  const rt = createLocalRuntime({ ML_ROLLOUT_HOME: home });
  setRuntime(rt);
  const example = join(projectRoot(), 'examples', 'skin-similarity');
  const v1 = join(home, 'v1');
  await cp(example, v1, { recursive: true });
  const manifest = (version: string, failing: boolean) =>
    [
      'name: skin-similarity',
      `version: ${version}`,
      'target: { environment: bench }',
      'smoke: [{ method: POST, path: /predict, body: { embedding: [0.1, 0.2] } }]',
      'phases:',
      '  - { name: minimal, settings: { ML_AVAILABLE: "false" }, smoke: false }',
      '  - { name: ml-dependencies, settings: { ML_AVAILABLE: "true" } }',
      `  - { name: faiss-scin, settings: { PRELOAD_FAISS: "true" }${failing ? ', gate: { inferenceMs: 0.001 }' : ''} }`,
    ].join('\n');
  await writeFile(join(v1, 'rollout.yaml'), manifest('1.0.0', false));
  const samples: number[] = [];
  try {
    const first = await runStateMachine({ name: 'rollout', input: { rolloutId: 'v1', bundle: { path: v1 } } });
    if (first.status !== 'SUCCEEDED') throw new Error(`v1 did not deploy: ${first.cause}`);
    for (let i = 0; i < 5; i++) {
      const v2 = join(home, `v2-${i}`);
      await cp(example, v2, { recursive: true });
      await writeFile(join(v2, 'rollout.yaml'), manifest(`2.0.${i}`, true));
      let failedAt = 0;
      let healthyAt = 0;
      const onEvent = (e: EngineEvent) => {
        if (e.type === 'StateFailed' && e.state === 'SampleGate') failedAt = e.at;
        if (
          e.type === 'StateExited' &&
          e.state === 'VerifyRestore' &&
          (e.output as { restoreProbe?: { stable?: boolean } }).restoreProbe?.stable
        )
          healthyAt = e.at;
      };
      const r = await runStateMachine({ name: 'rollout', input: { rolloutId: `v2-${i}`, bundle: { path: v2 } }, onEvent });
      if (r.error !== 'RolledBack' || !failedAt || !healthyAt) throw new Error(`expected a verified rollback, got ${r.error}: ${r.cause}`);
      samples.push(healthyAt - failedAt);
    }
  } finally {
    await new LocalTarget(rt).stop('bench');
    await rm(home, { recursive: true, force: true });
  }
  samples.sort((a, b) => a - b);
  console.log(
    `rollback: failed gate → previous version healthy: median ${samples[2]} ms (min ${samples[0]}, max ${samples[4]}; 5 runs, 1 s polls)`,
  );
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
await transitions();
await failedGateToHealthy();
