import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseManifest } from '../bundle/read.js';
import { BundleInvalidError, describeError } from '../errors.js';
import { executionArnOf, executionName, type ObjectIdentity } from './execution-name.js';
import { readZipEntry, type S3ObjectVersion } from './s3-zip.js';

/** An uploaded bundle as an S3 event (or a direct invoke) names it. */
export interface UploadedBundle {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  /** bytes, as the event says (HeadObject has the last word) */
  size?: number;
}

/** What starting a rollout needs. */
export interface StartDeps {
  s3: S3Client;
  sfn: SFNClient;
  /** ARN of the rollout state machine. */
  stateMachineArn: string;
}

export const StartStatus = {
  /** StartExecution accepted it (or found the same name and input still running). */
  Started: 'started',
  /** An execution of this name already ran: a duplicate delivery of the same upload. */
  AlreadyStarted: 'already_started',
} as const;
export type StartStatus = (typeof StartStatus)[keyof typeof StartStatus];

export interface StartResult {
  status: StartStatus;
  /** Also the rollout id. */
  executionName: string;
  executionArn: string;
  /** From the bundle's rollout.yaml; null when it could not be read (ValidateBundle will reject it). */
  environment: string | null;
  version: string | null;
  /** Why environment and version are null. */
  manifestProblem?: string;
  /** The execution's input, as sent. */
  input: { rolloutId: string; bundle: { bucket: string; key: string; versionId?: string } };
}

/**
 * Pins the object: its version id, ETag and size, from HeadObject. One request even when the
 * event carries them, so that a hand-written event (sls invoke local) cannot send the ranged
 * reads to the wrong offsets, and a version that is gone fails here, by name.
 */
async function pin(s3: S3Client, bundle: UploadedBundle): Promise<ObjectIdentity & S3ObjectVersion> {
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: bundle.bucket, Key: bundle.key, ...(bundle.versionId ? { VersionId: bundle.versionId } : {}) }),
  );
  const versionId = head.VersionId && head.VersionId !== 'null' ? head.VersionId : bundle.versionId;
  const etag = head.ETag ?? bundle.etag;
  return {
    bucket: bundle.bucket,
    key: bundle.key,
    size: head.ContentLength ?? bundle.size ?? 0,
    ...(versionId ? { versionId } : {}),
    ...(etag ? { etag } : {}),
  };
}

/** Environment and version from the bundle's rollout.yaml; a problem instead when it cannot be read. */
async function peekManifest(
  s3: S3Client,
  object: S3ObjectVersion,
): Promise<{ manifest: { environment: string; version: string } | null; problem?: string }> {
  try {
    const entry = await readZipEntry(s3, object, 'rollout.yaml');
    if (!entry) return { manifest: null, problem: 'no rollout.yaml at the root of the zip' };
    const manifest = parseManifest(entry.data.toString('utf8'));
    return { manifest: { environment: manifest.target.environment, version: manifest.version } };
  } catch (err) {
    if (err instanceof BundleInvalidError) return { manifest: null, problem: describeError(err) };
    throw err;
  }
}

/**
 * Starts the rollout of an uploaded bundle. The execution name comes from the manifest's
 * environment and version and the object's version id (or ETag), so S3 delivering one upload
 * twice starts one execution: the second StartExecution finds the name taken and is reported as
 * already started. A bundle whose manifest cannot be read is started all the same, under a name
 * from its key, so that ValidateBundle rejects it and the team is notified.
 */
export async function startRollout(deps: StartDeps, bundle: UploadedBundle): Promise<StartResult> {
  const object = await pin(deps.s3, bundle);
  const { manifest, problem } = await peekManifest(deps.s3, object);
  const name = executionName(object, manifest);
  const input = {
    rolloutId: name,
    bundle: { bucket: object.bucket, key: object.key, ...(object.versionId ? { versionId: object.versionId } : {}) },
  };
  const base = {
    executionName: name,
    environment: manifest?.environment ?? null,
    version: manifest?.version ?? null,
    ...(problem ? { manifestProblem: problem } : {}),
    input,
  };
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { ...base, status: StartStatus.Started, executionArn: out.executionArn ?? executionArnOf(deps.stateMachineArn, name) };
  } catch (err) {
    if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    return { ...base, status: StartStatus.AlreadyStarted, executionArn: executionArnOf(deps.stateMachineArn, name) };
  }
}
