import * as z from 'zod';

/*
 * The state files the tool writes, as it reads them back. A file of the wrong shape (written by
 * hand, truncated by a full disk, another program's) is reported naming the file and what is
 * wrong, never trusted half-way.
 *
 * These schemas are loose (z.looseObject: unknown keys are kept, not rejected) on purpose, unlike
 * the manifest's: these are not user input but records this tool wrote, and a newer version of
 * the tool adds optional fields to them. A record with a field this version does not know is not
 * corrupt; it must be read, and written back with that field kept.
 */

const iso = z.string();

const bundleSource = z.union([
  z.looseObject({ kind: z.literal('dir'), path: z.string().min(1) }),
  z.looseObject({ kind: z.literal('s3'), bucket: z.string().min(1), key: z.string().min(1), versionId: z.string().optional() }),
]);

/** The plan kept with a release: a resolved plan this tool wrote; only its being an object is checked. */
const keptPlan = z.looseObject({});

export const releaseSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().min(1),
  digest: z.string().min(1),
  source: bundleSource,
  settings: z.record(z.string(), z.string()),
  targetState: z.record(z.string(), z.unknown()).optional(),
  plan: keptPlan.optional(),
});

export const knownGoodSchema = z.looseObject({
  environment: z.string().min(1),
  current: releaseSchema,
  previous: z.array(releaseSchema),
  recordedAt: iso,
});

export const servingSchema = z.looseObject({
  environment: z.string().min(1),
  targetType: z.string().min(1),
  version: z.string().min(1),
  digest: z.string().min(1),
  url: z.string().nullable(),
  endpointName: z.string().optional(),
  phase: z.string().nullable(),
  updatedAt: iso,
});

const check = z.looseObject({
  name: z.string(),
  value: z.union([z.number(), z.string(), z.null()]),
  threshold: z.union([z.number(), z.string(), z.null()]),
  passed: z.boolean(),
});

const phaseRecord = z.looseObject({
  name: z.string(),
  status: z.string(),
  checks: z.array(check),
  startedAt: iso.optional(),
  finishedAt: iso.optional(),
  error: z.string().optional(),
});

export const rolloutRecordSchema = z.looseObject({
  id: z.string().min(1),
  environment: z.string().min(1),
  name: z.string(),
  version: z.string(),
  digest: z.string(),
  previousVersion: z.string().nullable(),
  status: z.string(),
  phases: z.array(phaseRecord),
  rollback: z.looseObject({
    performed: z.boolean(),
    restoredVersion: z.string().nullable(),
    verified: z.boolean(),
    error: z.string().optional(),
  }),
  failure: z.looseObject({ phase: z.string().nullable(), error: z.string(), message: z.string() }).nullable(),
  startedAt: iso,
  finishedAt: iso.nullable(),
});

export const lockEntrySchema = z.looseObject({
  environment: z.string().min(1),
  rolloutId: z.string().min(1),
  version: z.string(),
  since: iso,
  expiresAt: iso,
  owner: z.string().min(1),
});

/** process.json of a local environment: the service process it started. */
export const localProcessSchema = z.looseObject({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65_535),
  url: z.string().min(1),
  version: z.string().min(1),
  digest: z.string().min(1),
  releaseDir: z.string().min(1),
  settings: z.record(z.string(), z.string()),
  logFile: z.string().min(1),
  startedAt: iso,
});

/** One line naming what is wrong: "current.digest: expected string, received undefined". */
export function describeStateIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'not the expected shape';
  const where = issue.path.map(String).join('.');
  return `${where || '(the whole file)'}: ${issue.message}`;
}

/** processes.json: every version process of a local environment (beside the router). */
export const localProcessesSchema = z.looseObject({ processes: z.array(localProcessSchema) });

/** The schemas by name, for readState: imported on first read, so that a command reading no state file loads no zod. */
export const stateSchemas = {
  knownGood: knownGoodSchema,
  serving: servingSchema,
  rolloutRecord: rolloutRecordSchema,
  lockEntry: lockEntrySchema,
  localProcess: localProcessSchema,
  localProcesses: localProcessesSchema,
} as const;
export type StateSchemaName = keyof typeof stateSchemas;
