import { releaseLock } from '../lib/rollout/lock.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** ReleaseLock (idempotent). */
export const handler = taskHandler(plannedStateSchema, (rt, state) => releaseLock(rt, state));
