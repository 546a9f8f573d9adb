import * as z from 'zod';
import { DEFAULTS, DEFAULT_PHASES } from './defaults.js';
import { slug, targetSchema } from './target-schema.js';
import { capacitySchema } from './capacity-schema.js';

/** Environment variable values: YAML scalars are accepted and kept as strings. */
const settingValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const settingsSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'setting names are environment variable names'), settingValue);

/** Longest a pause may wait for approval, s (7 days; the lock's lease covers it). */
const APPROVAL_MAX_SECONDS = 604_800;

/** Thresholds a phase's gate checks; every one optional, health always checked. */
export const gateSchema = z.strictObject({
  /** Highest CPU use, % of one core (local) or of the instance (AWS). */
  cpuPercent: z.number().positive().max(10_000).optional(),
  /** Highest memory use, % of the environment's memory. */
  memoryPercent: z.number().positive().max(100).optional(),
  /** Highest p95 latency of the smoke load, ms. */
  p95LatencyMs: z.number().positive().optional(),
  /** Highest share of failed smoke requests, %. */
  errorRatePercent: z.number().min(0).max(100).optional(),
  /** Highest latency of any one smoke request, ms (default 5000). */
  inferenceMs: z.number().positive().optional(),
  /** Gate samples allowed to fail (health or a smoke request) while the phase bakes (default 0). */
  failureLimit: z.number().int().min(0).max(10_000).optional(),
});
export type GateSpec = z.infer<typeof gateSchema>;

export const phaseSchema = z.strictObject({
  name: slug,
  /** Environment settings this phase adds; they accumulate from phase to phase. */
  settings: settingsSchema.default({}),
  /** Send the smoke requests at this gate (default true). */
  smoke: z.boolean().default(true),
  /** How long the gate measures under load before passing, s (default 0). */
  bakeSeconds: z.number().int().min(0).max(86_400).default(DEFAULTS.bakeSeconds),
  /** How long the phase may take to become healthy, s (default 120 locally, 900 on EB, 1800 on SageMaker). */
  deadlineSeconds: z.number().int().min(1).max(86_400).optional(),
  gate: gateSchema.default({}),
  /** After this phase's gate passes, wait for `ml-rollout approve` (default false). */
  approve: z.boolean().default(false),
  /** How long this phase's pause waits before rolling back, s (default: the manifest's approvalTimeoutSeconds). */
  approvalTimeoutSeconds: z.number().int().min(1).max(APPROVAL_MAX_SECONDS).optional(),
});
export type PhaseSpec = z.infer<typeof phaseSchema>;

export const HttpMethod = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const smokeSchema = z.strictObject({
  method: z.enum(HttpMethod).default('GET'),
  path: z.string().startsWith('/', 'a path starts with /'),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  expectStatus: z.number().int().min(100).max(599).default(200),
});
export type SmokeRequest = z.infer<typeof smokeSchema>;

/** rollout.yaml: the spec of a rollout. */
export const manifestSchema = z
  .strictObject({
    name: slug,
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'letters, digits, dots, dashes, plus, underscores'),
    target: targetSchema,
    health: z
      .strictObject({
        path: z.string().startsWith('/', 'a path starts with /').default(DEFAULTS.healthPath),
        timeoutMs: z.number().int().positive().default(DEFAULTS.healthTimeoutMs),
        /** Per probe, s (default 2); overrides timeoutMs when given. */
        timeoutSeconds: z.number().positive().max(120).optional(),
        /** Consecutive 2xx before a phase counts as stable (default 2). */
        healthyThreshold: z.number().int().min(1).max(100).default(DEFAULTS.healthyThreshold),
        /** Consecutive failed probes, once stable, that fail the phase (default 2). */
        unhealthyThreshold: z.number().int().min(1).max(100).default(DEFAULTS.unhealthyThreshold),
      })
      .default({
        path: DEFAULTS.healthPath,
        timeoutMs: DEFAULTS.healthTimeoutMs,
        healthyThreshold: DEFAULTS.healthyThreshold,
        unhealthyThreshold: DEFAULTS.unhealthyThreshold,
      }),
    /** How long a pause waits for approval before the rollout rolls back, s (default 3600). */
    approvalTimeoutSeconds: z.number().int().min(1).max(APPROVAL_MAX_SECONDS).default(DEFAULTS.approvalTimeoutSeconds),
    smoke: z.array(smokeSchema).default([]),
    /** The memory the service needs; checked against the instance type before any change. */
    capacity: capacitySchema.optional(),
    phases: z
      .array(phaseSchema)
      .min(1)
      .default(() => DEFAULT_PHASES.map((p) => phaseSchema.parse(structuredClone(p)))),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.phases.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'name'], message: `duplicate phase name ${p.name}` });
      }
      seen.add(p.name);
    });
  });
export type Manifest = z.infer<typeof manifestSchema>;

/** One line naming the first problem of a failed parse: "phases.2.gate.cpuPercent: …". */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${where ? ` in ${where}` : ''}`;
  }
  return `${where || '(root)'}: ${issue.message}`;
}
