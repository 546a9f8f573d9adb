import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../lib/errors.js';
import { writeJsonAtomic } from '../lib/state/files.js';
import { lastLogLine } from '../lib/targets/local/process.js';
import { readRunInfo, runDir, runFile, type RunInfo, type RunSpec } from './runs.js';
import { CLI_BIN_ENV, invokedAs } from './terminal.js';

const RUNNER = fileURLToPath(new URL('./runner.js', import.meta.url));

/** How long the engine may take to start and say so, ms. */
const START_TIMEOUT_MS = 15_000;

/**
 * Starts the engine process of a run: detached in its own session (a terminal's Ctrl-C or
 * hang-up never reaches it), its output in the run's engine.log, not waited for. Returns once the
 * engine has written run.json with its pid.
 */
export async function startRun(home: string, spec: RunSpec): Promise<{ dir: string; info: RunInfo }> {
  const dir = runDir(home, spec.environment, spec.rolloutId);
  await mkdir(dir, { recursive: true });
  await writeJsonAtomic(runFile.spec(dir), spec);
  const log = openSync(runFile.log(dir), 'a');
  let exited: number | null = null;
  try {
    const child = spawn(process.execPath, [RUNNER, dir], {
      detached: true,
      stdio: ['ignore', log, log],
      // The engine's own messages (a held lock's hint) name the command as the user typed it.
      env: { ...process.env, ML_ROLLOUT_HOME: home, [CLI_BIN_ENV]: invokedAs() },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', resolve);
    });
    child.once('exit', (code) => (exited = code ?? 1));
    child.unref();
  } finally {
    closeSync(log);
  }
  const until = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const info = await readRunInfo(dir);
    if (info) return { dir, info };
    if (exited !== null || Date.now() > until) {
      const last = await lastLogLine(runFile.log(dir));
      throw new EngineError(`the engine did not start${last ? `: ${last}` : ''} (log: ${runFile.log(dir)})`);
    }
    await sleep(20);
  }
}
