import * as z from 'zod';
import { prepareRollback } from '../lib/rollout/manual-rollback.js';
import { slug } from '../lib/plan/target-schema.js';
import { taskHandler } from './task-handler.js';

const eventSchema = z.strictObject({ rolloutId: z.string().min(1), environment: slug });

/** PrepareRollback: a manual rollback's plan and the release it restores. */
export const handler = taskHandler(eventSchema, (rt, e) => prepareRollback(rt, e));
