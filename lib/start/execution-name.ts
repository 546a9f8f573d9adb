import { createHash } from 'node:crypto';
import { InvalidEventError } from '../errors.js';

/** Step Functions' limit on an execution name (and the rollout id's, which is the same string). */
export const MAX_NAME = 80;
const HASH_CHARS = 16;

/**
 * Turns any text into name characters. Step Functions allows more than this, but the rollout id
 * (the same string) is a key segment in S3 and a file name locally: letters, digits, _ and -.
 */
export function sanitize(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `parts` joined by dashes and cut so that `suffix` still fits in MAX_NAME. */
export function boundedName(parts: string[], suffix: string): string {
  const room = MAX_NAME - suffix.length - 1;
  const head = sanitize(parts.map(sanitize).filter(Boolean).join('-')).slice(0, room).replace(/-+$/, '');
  return head ? `${head}-${suffix}` : suffix;
}

/** Which stored object a rollout was started for: one upload = one version id (or ETag). */
export interface ObjectIdentity {
  bucket: string;
  key: string;
  /** Set in a versioned bucket; preferred, since the same bytes uploaded twice get two ids. */
  versionId?: string;
  /** Without quotes or with them: both name the same object. */
  etag?: string;
}

/** sha256 of the object's identity, hex, cut to 16 characters (64 bits: collisions are not a concern). */
export function objectHash(object: ObjectIdentity): string {
  const id = object.versionId ?? (object.etag ? object.etag.replace(/"/g, '') : '');
  if (!id) throw new InvalidEventError(`s3://${object.bucket}/${object.key}: neither a version id nor an ETag to name the execution by`);
  return createHash('sha256').update(`${object.bucket}\n${object.key}\n${id}`).digest('hex').slice(0, HASH_CHARS);
}

/**
 * The execution name (and rollout id) of an upload: "<environment>-<version>-<hash of the object>".
 * The same upload delivered twice by S3 gives the same name, so Step Functions starts it once.
 * When the manifest could not be read, the key's file name stands in for environment and version.
 */
export function executionName(object: ObjectIdentity, manifest: { environment: string; version: string } | null): string {
  const hash = objectHash(object);
  if (manifest) return boundedName([manifest.environment, manifest.version], hash);
  const file = object.key.split('/').pop() ?? object.key;
  return boundedName(['unreadable', file.replace(/\.zip$/i, '')], hash);
}

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name> */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
