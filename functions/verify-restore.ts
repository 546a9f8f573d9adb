import { verifyRestore } from '../lib/rollout/restore.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** VerifyRestore: is the restored release healthy? */
export const handler = taskHandler(plannedStateSchema, (rt, state) => verifyRestore(rt, state));
