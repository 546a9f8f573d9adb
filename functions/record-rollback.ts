import { recordRollback } from '../lib/rollout/manual-rollback.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** RecordRollback: the restored release is the known-good again. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => recordRollback(rt, state));
