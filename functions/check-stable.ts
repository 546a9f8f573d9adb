import { checkStable } from '../lib/rollout/phase.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** CheckStable: one health probe against the phase's deadline. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => checkStable(rt, state));
