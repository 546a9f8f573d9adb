/**
 * The local engine's own process: `node dist/cli/runner.js <run dir>` runs one rollout or manual
 * rollback to its end, as Step Functions runs an execution, whatever happens to the command that
 * started it. Started detached (its own session: no terminal signal reaches it), stdio to
 * engine.log; it appends each EngineEvent to events.jsonl and writes end.json last.
 */
import { unlessInvalid } from '../lib/state/files.js';
import { appendFileSync, readFileSync } from 'node:fs';
import type { Plan } from '../lib/plan/plan.js';
import { createLocalRuntime, setRuntime } from '../lib/runtime.js';
import { writeJsonAtomic } from '../lib/state/files.js';
import { describeError, ErrorName } from '../lib/errors.js';
import { runStateMachine, type EngineEvent, type RunResult } from './engine.js';
import { buildReport, type RolloutReport } from './report.js';
import { CLI_BIN_ENV } from './terminal.js';
import { RUN_ENDED, RunKind, runFile, writeRunInfo, type RunEnd, type RunSpec } from './runs.js';

async function run(dir: string): Promise<void> {
  const spec = JSON.parse(readFileSync(runFile.spec(dir), 'utf8')) as RunSpec;
  const rt = createLocalRuntime(process.env, undefined, process.env[CLI_BIN_ENV]);
  setRuntime(rt);
  const events = runFile.events(dir);
  // Synchronous appends keep the lines whole and in order for the follower.
  const append = (line: object) => appendFileSync(events, `${JSON.stringify(line)}\n`);
  await writeRunInfo(dir, {
    rolloutId: spec.rolloutId,
    kind: spec.kind,
    environment: spec.environment,
    version: spec.version,
    pid: process.pid,
    startedAt: new Date(rt.clock.now()).toISOString(),
  });
  // The cost estimate in the notification counts the states entered so far.
  const entered: { state: string; type: string; at: number }[] = [];
  rt.executionStates = () => entered;
  let head: { environment: string | null; version: string | null; steps?: number[][] } = {
    environment: spec.environment,
    version: spec.version,
  };
  const onEvent = (e: EngineEvent) => {
    if (e.type === 'StateEntered') entered.push({ state: e.state, type: e.stateType, at: e.at });
    if (e.type === 'StateExited' && e.state === 'ValidateBundle') {
      const plan = (e.output as { plan?: Plan }).plan;
      if (plan) head = { environment: plan.environment, version: plan.version, steps: plan.phases.map((p) => p.traffic?.steps ?? [100]) };
    }
    append(e);
  };
  let result: RunResult;
  try {
    result = await runStateMachine({ name: spec.kind, input: spec.input, onEvent });
  } catch (err) {
    // A wiring fault of the engine itself: the run still ends with an outcome.
    result = {
      status: 'FAILED',
      finalState: null,
      output: null,
      error: ErrorName.EngineError,
      cause: describeError(err),
      transitions: [],
      retries: [],
    };
  }
  let report: RolloutReport | null = null;
  if (spec.kind === RunKind.Rollout) {
    const planned = result.transitions.some((t) => t.state === 'TakeSnapshot');
    const record = planned && head.environment ? await unlessInvalid(rt.state.getRollout(head.environment, spec.rolloutId)) : null;
    report = buildReport(result, record, head);
  }
  const serving = await unlessInvalid(rt.state.getServing(spec.environment));
  const end: RunEnd = { result, report, url: serving?.url ?? null };
  await writeJsonAtomic(runFile.end(dir), end);
  append({ type: RUN_ENDED });
}

// Nothing the terminal does reaches a detached session, but a stray SIGINT or SIGHUP (sent to
// the pid by hand) must not cut a rollout in half either; SIGTERM/SIGKILL still stop the engine,
// and the next command then records the rollout as interrupted.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
// Its stdio is a log file; should writing it ever fail, the rollout goes on.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: runner.js <run dir>\n');
  process.exitCode = 2;
} else {
  await run(dir);
  // Keep-alive sockets and caches must not hold the engine up once the run has ended.
  process.exit(0);
}
