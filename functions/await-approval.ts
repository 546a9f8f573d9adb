import { approvalEventSchema, awaitApproval } from '../lib/rollout/approval.js';
import { taskHandler } from './task-handler.js';

/** WaitForApproval (`.waitForTaskToken`): keep the token, notify, return; Step Functions waits. */
export const handler = taskHandler(approvalEventSchema, (rt, event) => awaitApproval(rt, event));
