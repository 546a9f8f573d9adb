import { acquireLock } from '../lib/rollout/lock.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** AcquireLock: one rollout per environment. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => acquireLock(rt, state));
