import { applyPhase } from '../lib/rollout/phase.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** ApplyPhase: deploy this phase's settings. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => applyPhase(rt, state));
