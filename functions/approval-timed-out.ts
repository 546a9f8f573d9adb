import { approvalTimedOut } from '../lib/rollout/approval.js';
import { plannedStateSchema } from '../lib/rollout/state.js';
import { taskHandler } from './task-handler.js';

/** ApprovalTimedOut: nobody approved in time; record why, then the state machine rolls back. */
export const handler = taskHandler(plannedStateSchema, (rt, state) => approvalTimedOut(rt, state));
