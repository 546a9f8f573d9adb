import { handler as acquireLock } from '../functions/acquire-lock.js';
import { handler as applyPhase } from '../functions/apply-phase.js';
import { handler as approvalTimedOut } from '../functions/approval-timed-out.js';
import { handler as awaitApproval } from '../functions/await-approval.js';
import { handler as checkStable } from '../functions/check-stable.js';
import { handler as notify } from '../functions/notify.js';
import { handler as prepareRollback } from '../functions/prepare-rollback.js';
import { handler as recordKnownGood } from '../functions/record-known-good.js';
import { handler as recordRollback } from '../functions/record-rollback.js';
import { handler as releaseLock } from '../functions/release-lock.js';
import { handler as restoreSnapshot } from '../functions/restore-snapshot.js';
import { handler as sampleGate } from '../functions/sample-gate.js';
import { handler as shiftTraffic } from '../functions/shift-traffic.js';
import { handler as retireOld } from '../functions/retire-old.js';
import { handler as takeSnapshot } from '../functions/take-snapshot.js';
import { handler as validateBundle } from '../functions/validate-bundle.js';
import { handler as verifyRestore } from '../functions/verify-restore.js';

/** A Lambda handler as the local engine calls it. */
// biome-ignore lint/suspicious/noExplicitAny: a Lambda context and middy options, built by the engine
export type TaskFunction = (event: unknown, context: any, opts?: any) => Promise<unknown>;

/**
 * Every function a state machine's Task can name: the same modules Lambda runs (functions/*.ts),
 * so the local engine has no task logic of its own.
 */
export const TASK_FUNCTIONS: Readonly<Record<string, TaskFunction>> = {
  validateBundle,
  acquireLock,
  takeSnapshot,
  applyPhase,
  checkStable,
  sampleGate,
  shiftTraffic,
  retireOld,
  recordKnownGood,
  releaseLock,
  restoreSnapshot,
  verifyRestore,
  notify,
  prepareRollback,
  recordRollback,
  awaitApproval,
  approvalTimedOut,
};
