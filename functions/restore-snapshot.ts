import { restoreSnapshot } from '../lib/rollout/restore.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** RestoreSnapshot: put the known-good release back. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => restoreSnapshot(rt, state));
