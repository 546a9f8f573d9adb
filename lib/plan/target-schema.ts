import { z } from 'zod';
import { DEFAULTS } from './defaults.js';

/** Lowercase letters, digits and dashes: safe as a directory, resource and execution name. */
export const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use lowercase letters, digits and dashes');

/** The vocabulary of target types. */
export const TargetType = {
  Local: 'local',
  ElasticBeanstalk: 'elastic-beanstalk',
  SageMaker: 'sagemaker',
} as const;
export type TargetType = (typeof TargetType)[keyof typeof TargetType];

/** A local environment: the bundle's Procfile `web:` process on this machine. */
export const localTargetSchema = z.strictObject({
  type: z.literal(TargetType.Local),
  environment: slug,
  /** The memory the environment has, MiB (default 1024); memoryPercent is measured against it. */
  memoryMb: z.number().int().min(16).max(1_048_576).default(DEFAULTS.localMemoryMb),
});

/**
 * The manifest's `target:`. `type` defaults to local. Other target types are added to this union
 * by their own modules' schemas.
 */
export const targetSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !Array.isArray(value) && !('type' in value)
      ? { ...value, type: TargetType.Local }
      : value,
  z.discriminatedUnion('type', [localTargetSchema]),
);
export type TargetSpec = z.infer<typeof targetSchema>;
export type LocalTargetSpec = z.infer<typeof localTargetSchema>;
