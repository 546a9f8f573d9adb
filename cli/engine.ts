import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { loadDefinition, type LocalDefinition, type StateMachineName } from './definition.js';
import { TASK_FUNCTIONS, type TaskFunction } from './handlers.js';
import { runtime } from '../functions/runtime.js';
import { approvalEventSchema, waitForDecision } from '../lib/rollout/approval.js';
import { LOCAL_TOKEN_PREFIX } from '../lib/rollout/control.js';

/** A state the execution entered, in order: what the ASL tests assert on. */
export interface Transition {
  state: string;
  type: string;
  /** epoch ms */
  at: number;
}

/** What the local engine reports as it runs (for live progress). */
export type EngineEvent =
  | { type: 'StateEntered'; state: string; stateType: string; input: unknown; at: number }
  | { type: 'StateExited'; state: string; stateType: string; output: unknown; at: number }
  | { type: 'StateFailed'; state: string; stateType: string; error: string; cause: string; at: number }
  | { type: 'StateRetried'; state: string; attempt: number; at: number }
  | { type: 'StateCaught'; state: string; at: number };

export interface RunOptions {
  name: StateMachineName;
  input: Record<string, unknown>;
  /** Replaces functions by name (tests inject faults); the rest are the real handlers. */
  functions?: Record<string, TaskFunction>;
  /** Shortens every Wait state to this many ms (tests); absent → the definition's own durations. */
  waitMs?: number;
  /** Shortens every Retry interval to this many ms (tests). */
  retryMs?: number;
  /** How often a pause for approval looks at the state store, ms (default DEFAULTS.approvalPollMs). */
  approvalPollMs?: number;
  onEvent?: (event: EngineEvent) => void;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  /** The final state's name (e.g. Succeeded, Unchanged, RolledBack, Rejected). */
  finalState: string | null;
  output: unknown;
  /** The Fail state's Error and Cause. */
  error: string | null;
  cause: string | null;
  transitions: Transition[];
  /** Each retry of a state, in order. */
  retries: { state: string; attempt: number }[];
}

/** Definitions are read and validated once per process: validation dominates a short run. */
const cache = new Map<StateMachineName, Promise<LocalDefinition & { machine: StateMachine }>>();
function prepared(name: StateMachineName) {
  let p = cache.get(name);
  if (!p) {
    p = loadDefinition(name).then((d) => ({
      ...d,
      machine: new StateMachine(d.definition as never, { validationOptions: { checkArn: true, checkPaths: true } }),
    }));
    cache.set(name, p);
  }
  return p;
}

/** Lambda context for a local invocation. */
function context(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * A `lambda:invoke.waitForTaskToken` task, locally: invoke the function with the payload (a fresh
 * token), then wait on the state store for what Step Functions would wait for — approve, abort —
 * while the engine's TimeoutSecondsPath raises States.Timeout as Step Functions does.
 */
async function waitForCallback(fn: TaskFunction, fnName: string, input: unknown, signal: AbortSignal, pollMs?: number) {
  const payload = (input as { Payload?: { token?: string } }).Payload ?? {};
  const event = { ...payload, token: `${payload.token ?? LOCAL_TOKEN_PREFIX}:${randomUUID()}` };
  await fn(event, context(fnName));
  const rt = runtime();
  return waitForDecision(rt, approvalEventSchema.parse(event), { signal, ...(pollMs !== undefined ? { pollMs } : {}) });
}

/**
 * Runs statemachines/<name>.asl.yml with aws-local-stepfunctions, each Task bound to the handler
 * Lambda would run. The flow is the definition's alone: this only wires and reports.
 */
export async function runStateMachine(opts: RunOptions): Promise<RunResult> {
  const { definition, taskFunctions, callbackTasks, machine } = await prepared(opts.name);
  const fns = { ...TASK_FUNCTIONS, ...opts.functions };
  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  // Ends the local waits of callback tasks once the execution has ended (their task timed out).
  const waits = new AbortController();
  // The library reports a failed state's Cause as the error's own `cause` when it has one (the
  // wrapped library error): the message, which the Catch puts at $.error.Cause, is kept here.
  const failedWith = new Map<string, string>();
  for (const [stateName, fnName] of Object.entries(taskFunctions)) {
    const fn = fns[fnName];
    if (!fn) throw new Error(`no handler for function ${fnName} (state ${stateName})`);
    const callback = callbackTasks.includes(stateName);
    taskResourceLocalHandlers[stateName] = async (input) => {
      try {
        if (callback) return await waitForCallback(fn, fnName, input, waits.signal, opts.approvalPollMs);
        return await fn(input, context(fnName));
      } catch (err) {
        if (err instanceof Error) failedWith.set(stateName, err.message);
        throw err;
      }
    };
  }
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (opts.waitMs !== undefined && state.Type === 'Wait') waitTimeOverrides[stateName] = opts.waitMs;
    if (opts.retryMs !== undefined && state.Retry) retryIntervalOverrides[stateName] = opts.retryMs;
  }

  const rolloutId = typeof opts.input.rolloutId === 'string' ? opts.input.rolloutId : randomUUID();
  const execution = machine.run(opts.input as never, {
    // The Context Object as Step Functions fills it; Notify passes $$.Execution.Id on.
    context: {
      Execution: { Id: `local:${opts.name}:${rolloutId}`, Name: rolloutId, Input: opts.input, StartTime: new Date().toISOString() },
      // $$.Task.Token of a callback task: each wait makes its own token from it (waitForCallback).
      Task: { Token: `${LOCAL_TOKEN_PREFIX}${rolloutId}` },
    } as never,
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, waitTimeOverrides, retryIntervalOverrides },
  });
  const transitions: Transition[] = [];
  const retries: RunResult['retries'] = [];
  let error: string | null = null;
  let cause: string | null = null;
  const consume = (async () => {
    for await (const ev of execution.eventLogs) {
      const e = ev as unknown as Record<string, unknown> & { type: string; timestamp: number };
      const st = e.state as { name: string; type: string; input?: unknown; output?: unknown } | undefined;
      if (e.type === 'StateEntered' && st) {
        transitions.push({ state: st.name, type: st.type, at: e.timestamp });
        opts.onEvent?.({ type: 'StateEntered', state: st.name, stateType: st.type, input: st.input, at: e.timestamp });
      } else if (e.type === 'StateExited' && st) {
        opts.onEvent?.({ type: 'StateExited', state: st.name, stateType: st.type, output: st.output, at: e.timestamp });
      } else if (e.type === 'StateFailed' && st) {
        opts.onEvent?.({
          type: 'StateFailed',
          state: st.name,
          stateType: st.type,
          error: String(e.Error),
          cause: failedWith.get(st.name) ?? String(e.Cause),
          at: e.timestamp,
        });
      } else if (e.type === 'StateRetried' && st) {
        retries.push({ state: st.name, attempt: Number((e.retry as { attempt?: number } | undefined)?.attempt ?? 0) });
        opts.onEvent?.({
          type: 'StateRetried',
          state: st.name,
          attempt: Number((e.retry as { attempt?: number } | undefined)?.attempt ?? 0),
          at: e.timestamp,
        });
      } else if (e.type === 'StateCaught' && st) {
        opts.onEvent?.({ type: 'StateCaught', state: st.name, at: e.timestamp });
      } else if (e.type === 'ExecutionFailed') {
        error = String(e.Error);
        cause = String(e.Cause);
      }
    }
  })();
  let output: unknown = null;
  let status: RunResult['status'] = 'SUCCEEDED';
  try {
    output = await execution.result;
  } catch (err) {
    status = 'FAILED';
    error ??= (err as Error).name;
    cause ??= (err as Error).message;
  }
  waits.abort();
  await consume;
  return { status, finalState: transitions.at(-1)?.state ?? null, output, error, cause, transitions, retries };
}
