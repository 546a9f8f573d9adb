import { resolve } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { stateHome } from './plan/defaults.js';
import type { TargetSpec } from './plan/target-schema.js';
import type { Notifier } from './notify/types.js';
import type { LockStore, StateStore } from './state/types.js';
import type { ControlStore } from './state/control.js';
import { LocalControlStore } from './state/control-files.js';
import { LocalStateStore } from './state/local-store.js';
import type { AnswersStore } from './state/answers.js';
import { LocalAnswersStore } from './state/answers-local.js';
import { LocalLockStore, localOwner } from './state/local-lock.js';
import { LocalNotifier } from './notify/local.js';
import { targetRegistry } from './targets/index.js';
import type { Target } from './targets/types.js';
import type { EnteredState } from './rollout/cost.js';

/**
 * The narrow interfaces the tasks depend on. Built once per process (a Lambda container, or the
 * local CLI), replaceable as a whole or in part for tests.
 */
export interface Runtime {
  clock: Clock;
  state: StateStore;
  locks: LockStore;
  /** Recorded golden answers of known-good releases; absent → agreement has nothing to compare with. */
  answers?: AnswersStore;
  /** Abort and approval requests of running rollouts (beside the lock, in the same store). */
  control: ControlStore;
  notifier: Notifier;
  /** The target that serves a manifest's `target:`. */
  target(spec: TargetSpec): Target;
  /** Local state directory (absolute); used by the local target and stores. */
  home: string;
  /**
   * Who takes a rollout's lock, as the lock records it: locally this process ("host:pid", whose
   * death on this host makes the lock stale), on Lambda the execution ("execution:<rollout id>").
   */
  lockOwner(rolloutId: string): string;
  /**
   * The states the running execution entered so far, where the engine runs in this process (the
   * local engine): the rollout's cost estimate counts them. Absent on Lambda.
   */
  executionStates?: () => EnteredState[];
}

/** The runtime of one machine: files under $ML_ROLLOUT_HOME, local processes, outbox + Slack. */
export function createLocalRuntime(
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = systemClock,
  /** How the user runs the CLI, for the hints in its errors (default `ml-rollout`). */
  cli?: string,
): Runtime {
  const home = resolve(stateHome(env));
  return {
    clock,
    home,
    state: new LocalStateStore(home),
    locks: new LocalLockStore(home, clock, cli),
    answers: new LocalAnswersStore(home),
    control: new LocalControlStore(home),
    notifier: new LocalNotifier(home, env.SLACK_WEBHOOK_URL),
    target: targetRegistry({ home, clock }),
    lockOwner: () => localOwner(),
  };
}

let current: Runtime | null = null;

/** The runtime set for this process (by the local engine, a Lambda entry or a test), or null. */
export function currentRuntime(): Runtime | null {
  return current;
}

/** Replaces the runtime (the local engine, tests). */
export function setRuntime(next: Runtime): void {
  current = next;
}

export function resetRuntime(): void {
  current = null;
}
