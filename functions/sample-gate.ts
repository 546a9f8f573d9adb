import { sampleGate } from '../lib/rollout/gate.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** SampleGate: one round of gate measurements. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => sampleGate(rt, state));
