import { PRICES } from '../plan/prices.js';

/** A state the execution entered (the local engine's Transition, or one read back from a report). */
export interface EnteredState {
  state: string;
  type: string;
  /** epoch ms or ISO-8601 */
  at: number | string;
}

/** What one rollout costs on AWS, as an estimate from what ran (locally: what the same run would cost there). */
export interface CostEstimate {
  /** State transitions of the Standard workflow. */
  transitions: number;
  /** Task states run, each one Lambda invocation. */
  lambdaRequests: number;
  /** Lambda duration × memory, GB-seconds. */
  lambdaGbSeconds: number;
  /** USD */
  stepFunctionsUsd: number;
  /** USD */
  lambdaUsd: number;
  /** USD, the sum */
  totalUsd: number;
  /** execution: counted from the states the execution entered; record: estimated from the rollout's record (fewer figures). */
  basis: 'execution' | 'record';
  /** The prices used: lib/plan/prices.ts. */
  prices: { perTransition: number; perGbSecond: number; perRequest: number; lambdaMemoryMb: number; source: string };
}

/** USD to a billionth: past that the figures are float noise. */
const usd = (n: number) => Math.round(n * 1e9) / 1e9;
const ms = (at: number | string) => (typeof at === 'number' ? at : Date.parse(at));

function priced(transitions: number, lambdaRequests: number, taskMs: number, basis: CostEstimate['basis']): CostEstimate {
  const lambdaGbSeconds = (taskMs / 1000) * (PRICES.lambdaMemoryMb / 1024);
  const stepFunctionsUsd = transitions * PRICES.stepFunctionsStandardPerTransition;
  const lambdaUsd = lambdaGbSeconds * PRICES.lambdaPerGbSecond + lambdaRequests * PRICES.lambdaPerRequest;
  return {
    transitions,
    lambdaRequests,
    lambdaGbSeconds: Math.round(lambdaGbSeconds * 1000) / 1000,
    stepFunctionsUsd: usd(stepFunctionsUsd),
    lambdaUsd: usd(lambdaUsd),
    totalUsd: usd(stepFunctionsUsd + lambdaUsd),
    basis,
    prices: {
      perTransition: PRICES.stepFunctionsStandardPerTransition,
      perGbSecond: PRICES.lambdaPerGbSecond,
      perRequest: PRICES.lambdaPerRequest,
      lambdaMemoryMb: PRICES.lambdaMemoryMb,
      source: PRICES.source,
    },
  };
}

/**
 * The cost of an execution from the states it entered, in order: each entered state is one
 * transition; each Task is one Lambda invocation lasting until the next state was entered (the
 * last one until `endedAt`, default: it is not counted). Wait states cost no Lambda time.
 */
export function costOfTransitions(states: EnteredState[], endedAt?: number): CostEstimate {
  let tasks = 0;
  let taskMs = 0;
  states.forEach((s, i) => {
    if (s.type !== 'Task') return;
    tasks += 1;
    const next = states[i + 1];
    const end = next ? ms(next.at) : endedAt;
    if (end !== undefined) taskMs += Math.max(0, end - ms(s.at));
  });
  return priced(states.length, tasks, taskMs, 'execution');
}

/** What a rollout's record tells of its execution where the states it entered are not at hand (a Lambda). */
export interface RecordUsage {
  /** Phases that started. */
  phases: number;
  /** Gate samples taken over all phases. */
  samples: number;
  /** Seconds the phases ran (apply → pass or fail), summed. */
  phaseSeconds: number;
}

/**
 * A lower-bound estimate from the record, counted on statemachines/rollout.asl.yml: 10 states
 * every rollout enters (validate, lock, snapshot, choice, start, record, unlock, outcome, notify,
 * end), 6 per phase (apply, wait, check, choice, next, more) and 3 per gate sample (sample,
 * choice, wait). Lambda time: each task counted at one second, the poll waits not at all.
 */
export function costOfRecordUsage(u: RecordUsage): CostEstimate {
  const transitions = 10 + 6 * u.phases + 3 * u.samples;
  const tasks = 6 + 2 * u.phases + u.samples;
  return priced(transitions, tasks, tasks * 1000, 'record');
}

/** "$0.0021 (84 transitions, 12.3 GB-s)": the one line reports and notifications show. */
export function describeCost(c: CostEstimate): string {
  const usd = c.totalUsd < 0.01 ? c.totalUsd.toFixed(5) : c.totalUsd.toFixed(4);
  return `≈ $${usd} on AWS (${c.transitions} state transitions, ${c.lambdaGbSeconds} Lambda GB-s${c.basis === 'record' ? ', estimated from the record' : ''})`;
}
