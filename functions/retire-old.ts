import { plannedStateSchema } from '../lib/rollout/state.js';
import { retireOld } from '../lib/rollout/traffic.js';
import { taskHandler } from './task-handler.js';

/** RetireOld: the rollout succeeded; stop what kept the known-good release ready for a switch back. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => retireOld(rt, state));
