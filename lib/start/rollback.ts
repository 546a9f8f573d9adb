import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Clock } from '../clock.js';
import { boundedName, executionArnOf } from './execution-name.js';

/** What starting a manual rollback needs. */
export interface RollbackDeps {
  sfn: SFNClient;
  /** ARN of the rollback state machine. */
  stateMachineArn: string;
  clock: Clock;
}

export interface RollbackStart {
  /** Also the execution name. */
  rolloutId: string;
  executionArn: string;
  input: { rolloutId: string; environment: string };
}

/** "20250314T091500123Z": sortable, and only name characters. */
function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/**
 * Starts the rollback state machine for an environment: it puts the last known-good release back.
 * Each request is a new rollback (named by the time, to the millisecond), unlike an upload,
 * whose duplicates are folded into one execution.
 */
export async function startRollback(deps: RollbackDeps, environment: string): Promise<RollbackStart> {
  const rolloutId = boundedName(['rollback', environment], compactTime(deps.clock.now()));
  const input = { rolloutId, environment };
  const out = await deps.sfn.send(
    new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: rolloutId, input: JSON.stringify(input) }),
  );
  return { rolloutId, executionArn: out.executionArn ?? executionArnOf(deps.stateMachineArn, rolloutId), input };
}
