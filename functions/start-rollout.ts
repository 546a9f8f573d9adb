import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod';
import { logger } from '../lib/observability/logger.js';
import { s3 } from '../lib/bundle/s3-fetch.js';
import { requiredEnv, sfn } from '../lib/start/clients.js';
import { startRollout, StartStatus, type StartResult, type UploadedBundle } from '../lib/start/start.js';

/** `sls invoke -f startRollout --data '{"bucket":…,"key":…}'`. */
const directSchema = z.strictObject({
  bucket: z.string().min(3),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
});

// AWS owns the S3 event's shape and adds fields over time: unknown keys are ignored here, on purpose.
const s3EventSchema = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        eventSource: z.literal('aws:s3'),
        eventName: z.string().startsWith('ObjectCreated:'),
        s3: z.looseObject({
          bucket: z.looseObject({ name: z.string() }),
          object: z.looseObject({
            key: z.string(),
            size: z.number().int().nonnegative().optional(),
            eTag: z.string().optional(),
            versionId: z.string().optional(),
          }),
        }),
      }),
    )
    .min(1),
});

/** S3 URL-encodes the key in events, with + for a space. */
function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The uploads an event names: one per S3 record, or the one of a direct invoke. */
export function uploadsOf(event: unknown): UploadedBundle[] {
  const direct = directSchema.safeParse(event);
  if (direct.success) return [direct.data];
  const s3Event = s3EventSchema.safeParse(event);
  if (!s3Event.success) {
    throw new TypeError(
      `expected an S3 ObjectCreated event or {"bucket","key"[,"versionId"]}: ${s3Event.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return s3Event.data.Records.map(({ s3: { bucket, object } }) => ({
    bucket: bucket.name,
    key: decodeKey(object.key),
    ...(object.versionId ? { versionId: object.versionId } : {}),
    ...(object.eTag ? { etag: object.eTag } : {}),
    ...(object.size !== undefined ? { size: object.size } : {}),
  }));
}

/** Starts one rollout per uploaded bundle; a duplicate delivery is reported, not started again. */
export const handler = middy(async (event: unknown): Promise<{ executions: StartResult[] }> => {
  const deps = { s3: s3(), sfn: sfn(), stateMachineArn: requiredEnv('ROLLOUT_STATE_MACHINE_ARN') };
  const executions: StartResult[] = [];
  for (const upload of uploadsOf(event)) {
    const result = await startRollout(deps, upload);
    logger.appendKeys({ executionId: result.executionArn, environment: result.environment ?? 'unknown' });
    if (result.manifestProblem)
      logger.warn('manifest unreadable; started anyway for ValidateBundle to reject', { problem: result.manifestProblem, key: upload.key });
    logger.info(result.status === StartStatus.Started ? 'rollout started' : 'duplicate delivery: already started', {
      version: result.version,
      bucket: upload.bucket,
      key: upload.key,
    });
    executions.push(result);
  }
  return { executions };
}).use(injectLambdaContext(logger, { resetKeys: true }));
