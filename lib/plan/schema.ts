import * as z from 'zod';
import { DEFAULTS, DEFAULT_PHASES } from './defaults.js';
import { slug, targetSchema } from './target-schema.js';
import { capacitySchema } from './capacity-schema.js';
import { MAX, ORIGIN_RELATIVE_PATH } from './limits.js';
import { agreementSchema, expectSchema } from './answers-schema.js';
import { refineTargetTraffic } from './target-traffic.js';
import { trafficSchema } from './traffic-schema.js';

/**
 * A health or smoke path: origin-relative only, so that every gate request goes to the service
 * itself (`//other-host/x` and `/\\other-host/x` are URLs of another host).
 */
const originPath = z
  .string()
  .max(MAX.pathLength, `at most ${MAX.pathLength} characters`)
  .regex(ORIGIN_RELATIVE_PATH, 'a path on the service: one leading /, no // or backslash at its start, no spaces');

/**
 * Environment variable values: YAML scalars are accepted and kept as strings (parseManifest
 * hands numbers over as the text written, so `1.10` stays `1.10`, not `1.1`).
 */
const settingValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => String(v))
  .pipe(z.string().max(MAX.settingValue, `a setting value has at most ${MAX.settingValue} characters`));
const settingsSchema = z
  .record(
    z
      .string()
      .max(MAX.settingName, `a setting name has at most ${MAX.settingName} characters`)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'setting names are environment variable names'),
    settingValue,
  )
  .refine((s) => Object.keys(s).length <= MAX.settings, `at most ${MAX.settings} settings`);

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
  /** How this phase moves traffic to its new version; wins over the manifest's `traffic:`. */
  traffic: trafficSchema.optional(),
  /** After this phase's gate passes, wait for `ml-rollout approve` (default false). */
  approve: z.boolean().default(false),
  /** How long this phase's pause waits before rolling back, s (default: the manifest's approvalTimeoutSeconds). */
  approvalTimeoutSeconds: z.number().int().min(1).max(APPROVAL_MAX_SECONDS).optional(),
});
export type PhaseSpec = z.infer<typeof phaseSchema>;

export const HttpMethod = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const smokeSchema = z.strictObject({
  method: z.enum(HttpMethod).default('GET'),
  path: originPath,
  body: z
    .unknown()
    .optional()
    .refine(
      (b) => b === undefined || JSON.stringify(b).length <= MAX.bodyLength,
      `a body has at most ${MAX.bodyLength} characters as JSON`,
    ),
  headers: z
    .record(z.string().max(MAX.headerLength), z.string().max(MAX.headerLength, `a header has at most ${MAX.headerLength} characters`))
    .refine((h) => Object.keys(h).length <= MAX.headers, `at most ${MAX.headers} headers`)
    .optional(),
  expectStatus: z.number().int().min(100).max(599).default(200),
  /** Assertions on the answer's JSON body (JSONPath); each one is a gate check. */
  expect: z.array(expectSchema).max(100).optional(),
});
export type SmokeRequest = z.infer<typeof smokeSchema>;

/** A request whose answer says what "the model answers right" means (compared by `agreement`). */
export const goldenSchema = smokeSchema.omit({ expect: true });
export type GoldenRequest = z.infer<typeof goldenSchema>;

/** rollout.yaml: the spec of a rollout. */
export const manifestSchema = z
  .strictObject({
    name: slug,
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/, 'letters, digits, dots, dashes, plus, underscores'),
    target: targetSchema,
    health: z
      .strictObject({
        path: originPath.default(DEFAULTS.healthPath),
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
    smoke: z.array(smokeSchema).max(MAX.smoke, `at most ${MAX.smoke} smoke requests`).default([]),
    /** Requests sent at every gate that sends smoke requests; their answers are recorded with the release. */
    golden: z.array(goldenSchema).max(MAX.smoke, `at most ${MAX.smoke} golden requests`).optional(),
    /** How the golden answers are held against the known-good release's. */
    agreement: agreementSchema.optional(),
    /** The memory the service needs; checked against the instance type before any change. */
    capacity: capacitySchema.optional(),
    /** How every phase that deploys moves traffic (default all at once: blue/green); a phase may carry its own. */
    traffic: trafficSchema.optional(),
    phases: z
      .array(phaseSchema)
      .min(1)
      .max(MAX.phases, `at most ${MAX.phases} phases`)
      .default(() => DEFAULT_PHASES.map((p) => phaseSchema.parse(structuredClone(p)))),
  })
  .superRefine((m, ctx) => {
    if (m.agreement && !m.golden?.length) {
      ctx.addIssue({ code: 'custom', path: ['agreement'], message: 'agreement compares the golden answers: add golden requests' });
    }
    const seen = new Set<string>();
    m.phases.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'name'], message: `duplicate phase name ${p.name}` });
      }
      seen.add(p.name);
    });
    // Settings accumulate from phase to phase: the last phase runs with all of them.
    const all = new Set(m.phases.flatMap((p) => Object.keys(p.settings)));
    if (all.size > MAX.settings)
      ctx.addIssue({ code: 'custom', path: ['phases'], message: `at most ${MAX.settings} settings in all phases together` });
    refineTargetTraffic(m, ctx);
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
  // A record's key that fails its own schema: say what that schema said (zod's own is "Invalid key in record").
  const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
  return `${where || '(root)'}: ${inner ?? issue.message}`;
}
