import { validateBundle } from '../lib/rollout/validate.js';
import { executionInputSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** ValidateBundle: read and check the bundle; resolve the plan. */
export const handler = taskHandler(executionInputSchema.loose(), (rt, input) => validateBundle(rt, input));
