import { recordKnownGood } from '../lib/rollout/known-good.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** RecordKnownGood: every gate passed. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => recordKnownGood(rt, state));
