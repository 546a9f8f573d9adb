import { plannedStateSchema } from '../lib/rollout/state.js';
import { shiftTraffic } from '../lib/rollout/traffic.js';
import { taskHandler } from './task-handler.js';

/** ShiftTraffic: the phase's new version takes this step's share of user requests. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => shiftTraffic(rt, state));
