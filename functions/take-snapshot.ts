import { takeSnapshot } from '../lib/rollout/snapshot.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** TakeSnapshot: the known-good release a rollback restores. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => takeSnapshot(rt, state));
