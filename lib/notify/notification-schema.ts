import * as z from 'zod';
import { Outcome, type RolloutNotification } from './types.js';

const checkSchema = z.strictObject({
  name: z.string(),
  value: z.union([z.number(), z.string(), z.null()]),
  threshold: z.union([z.number(), z.string(), z.null()]),
  passed: z.boolean(),
  inconclusive: z.boolean().optional(),
  unit: z.string().optional(),
  tolerated: z.boolean().optional(),
});

/** A RolloutNotification as it arrives over SNS: checked before anything is built from it. */
export const rolloutNotificationSchema = z.strictObject({
  outcome: z.enum(Object.values(Outcome) as [Outcome, ...Outcome[]]),
  rolloutId: z.string(),
  environment: z.string().nullable(),
  name: z.string().nullable(),
  version: z.string().nullable(),
  previousVersion: z.string().nullable(),
  phase: z.string().nullable(),
  reason: z.strictObject({ error: z.string(), message: z.string(), check: checkSchema.optional() }).nullable(),
  rollback: z.strictObject({ performed: z.boolean(), restoredVersion: z.string().nullable(), verified: z.boolean() }).nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string(),
  durationMs: z.number().nullable(),
  execution: z.string().optional(),
  approval: z.strictObject({ since: z.string(), expiresAt: z.string(), approveWith: z.string(), abortWith: z.string() }).optional(),
}) satisfies z.ZodType<RolloutNotification>;
