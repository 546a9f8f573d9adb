import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mapAwsError } from '../aws/errors.js';
import { InvalidEventError, type RolloutError } from '../errors.js';
import type { KnownGood, RolloutRecord, Serving, StateStore } from './types.js';

/** Where the state lives in S3. */
export interface S3Location {
  bucket: string;
  /** Key prefix of all state, ending in '/' (default 'state/'). */
  prefix?: string;
}

export const DEFAULT_STATE_PREFIX = 'state/';

/** Environment names and rollout ids are slugs; anything else would let one key reach another's. */
const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * The state layout, shared by the store and the lock so both name the same objects:
 *   <prefix><environment>/known-good.json | serving.json | lock.json | rollouts/<id>.json
 */
export class StateKeys {
  readonly prefix: string;
  constructor(prefix: string = DEFAULT_STATE_PREFIX) {
    this.prefix = prefix.endsWith('/') || prefix === '' ? prefix : `${prefix}/`;
  }

  environment(environment: string, ...parts: string[]): string {
    for (const part of [environment, ...parts]) {
      if (!KEY_SEGMENT.test(part)) throw new InvalidEventError(`unsafe S3 key segment ${JSON.stringify(part)}`);
    }
    return `${this.prefix}${[environment, ...parts].join('/')}`;
  }

  knownGood(environment: string): string {
    return `${this.environment(environment)}/known-good.json`;
  }
  serving(environment: string): string {
    return `${this.environment(environment)}/serving.json`;
  }
  lock(environment: string): string {
    return `${this.environment(environment)}/lock.json`;
  }
  rollout(environment: string, id: string): string {
    return `${this.environment(environment, 'rollouts', id)}.json`;
  }
}

/** The parts of an AWS SDK error that decide what to do with it. */
export function s3ErrorInfo(err: unknown): { name: string; status: number } {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return { name: typeof e?.name === 'string' ? e.name : '', status: e?.$metadata?.httpStatusCode ?? 0 };
}

/** The key is not there (a missing bucket is a deployment fault, not "no record yet"). */
export function isNotFound(err: unknown): boolean {
  const { name, status } = s3ErrorInfo(err);
  return name !== 'NoSuchBucket' && (name === 'NoSuchKey' || name === 'NotFound' || status === 404);
}

export function isPreconditionFailed(err: unknown): boolean {
  const { name, status } = s3ErrorInfo(err);
  return name === 'PreconditionFailed' || status === 412;
}

/** 409 ConditionalRequestConflict: another conditional write on the key was in flight; try again. */
export function isConditionalConflict(err: unknown): boolean {
  const { name, status } = s3ErrorInfo(err);
  return name === 'ConditionalRequestConflict' || status === 409;
}

/**
 * The SDK has already retried throttling and 5xx; what still fails is classified by
 * lib/aws/errors.ts (TransientError for the state machine's Retry, TargetError naming the call).
 */
export function asRolloutError(err: unknown, what: string): RolloutError {
  return mapAwsError(err, what);
}

/** An object read with the ETag that conditional writes on it need. */
export interface VersionedText {
  text: string;
  etag: string;
}

/** Small JSON objects in one bucket: the primitives the store and the lock share. */
export class S3Json {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async read(key: string): Promise<VersionedText | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return null;
      return { text: await out.Body.transformToString('utf8'), etag: out.ETag ?? '' };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw asRolloutError(err, `GetObject s3://${this.bucket}/${key}`);
    }
  }

  /** Writes `value`; `condition` makes the write conditional (412 when it does not hold). Returns the new ETag. */
  async write(key: string, value: unknown, condition: { ifNoneMatch?: '*'; ifMatch?: string } = {}): Promise<string> {
    const out = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json',
        ...(condition.ifNoneMatch ? { IfNoneMatch: condition.ifNoneMatch } : {}),
        ...(condition.ifMatch ? { IfMatch: condition.ifMatch } : {}),
      }),
    );
    return out.ETag ?? '';
  }

  async remove(key: string, condition: { ifMatch?: string } = {}): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(condition.ifMatch ? { IfMatch: condition.ifMatch } : {}) }),
    );
  }

  async readJson<T>(key: string): Promise<T | null> {
    const found = await this.read(key);
    return found ? (JSON.parse(found.text) as T) : null;
  }

  async writeJson(key: string, value: unknown): Promise<void> {
    try {
      await this.write(key, value);
    } catch (err) {
      throw asRolloutError(err, `PutObject s3://${this.bucket}/${key}`);
    }
  }
}

/**
 * StateStore on S3: the same layout as the local store (one folder per environment) under the
 * bundle bucket's state/ prefix. Records are written whole; a rollout writes its own records only
 * while it holds the environment's lock, so plain PUTs do not race.
 */
export class S3StateStore implements StateStore {
  private readonly json: S3Json;
  readonly keys: StateKeys;

  constructor(client: S3Client, location: S3Location) {
    this.json = new S3Json(client, location.bucket);
    this.keys = new StateKeys(location.prefix);
  }

  getKnownGood(environment: string): Promise<KnownGood | null> {
    return this.json.readJson<KnownGood>(this.keys.knownGood(environment));
  }

  putKnownGood(knownGood: KnownGood): Promise<void> {
    return this.json.writeJson(this.keys.knownGood(knownGood.environment), knownGood);
  }

  getServing(environment: string): Promise<Serving | null> {
    return this.json.readJson<Serving>(this.keys.serving(environment));
  }

  putServing(serving: Serving): Promise<void> {
    return this.json.writeJson(this.keys.serving(serving.environment), serving);
  }

  async clearServing(environment: string): Promise<void> {
    const key = this.keys.serving(environment);
    try {
      await this.json.remove(key);
    } catch (err) {
      if (!isNotFound(err)) throw asRolloutError(err, `DeleteObject s3://${this.json.bucket}/${key}`);
    }
  }

  getRollout(environment: string, id: string): Promise<RolloutRecord | null> {
    return this.json.readJson<RolloutRecord>(this.keys.rollout(environment, id));
  }

  putRollout(record: RolloutRecord): Promise<void> {
    return this.json.writeJson(this.keys.rollout(record.environment, record.id), record);
  }
}
