import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { logger } from '../lib/observability/logger.js';
import { s3 } from '../lib/bundle/s3-fetch.js';
import { requiredEnv, sfn } from '../lib/start/clients.js';
import { startRollout, StartStatus, type StartResult, type UploadedBundle } from '../lib/start/start.js';
import { parseEvent } from './parse-event.js';

/** `sls invoke -f startRollout --data '{"bucket":…,"key":…}'`. */
const directSchema = z.strictObject({
  bucket: z.string().min(3),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
});

// Powertools' S3 event schema (AWS owns the shape: unknown keys are ignored), narrowed to
// ObjectCreated. Its sourceIPAddress accepts IPv4 only, but an upload through S3's dual-stack
// endpoint carries an IPv6 address: widened here so such an upload still starts its rollout.
const s3Record = S3Schema.shape.Records.element;
const objectCreatedSchema = S3Schema.extend({
  Records: z
    .array(
      s3Record.extend({
        eventName: z.string().startsWith('ObjectCreated:'),
        requestParameters: z.object({ sourceIPAddress: z.union([z.ipv4(), z.ipv6(), z.literal('s3.amazonaws.com')]) }),
      }),
    )
    .min(1),
});

const startEventSchema = z.union([directSchema, objectCreatedSchema]);
type StartEvent = z.infer<typeof startEventSchema>;

/** S3 URL-encodes the key in events, with + for a space. */
function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The uploads an event names: one per S3 record, or the one of a direct invoke. */
function uploadsOf(event: StartEvent): UploadedBundle[] {
  if (!('Records' in event)) return [event];
  return event.Records.map(({ s3: { bucket, object } }) => ({
    bucket: bucket.name,
    key: decodeKey(object.key),
    ...(object.versionId ? { versionId: object.versionId } : {}),
    ...(object.eTag ? { etag: object.eTag } : {}),
    ...(object.size !== undefined ? { size: object.size } : {}),
  }));
}

/** Starts one rollout per uploaded bundle; a duplicate delivery is reported, not started again. */
export const handler = middy<StartEvent, { executions: StartResult[] }, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parseEvent(startEventSchema, 'an S3 ObjectCreated event or {"bucket","key"[,"versionId"]}'))
  .handler(async (event) => {
    const deps = { s3: s3(), sfn: sfn(), stateMachineArn: requiredEnv('ROLLOUT_STATE_MACHINE_ARN') };
    const executions: StartResult[] = [];
    for (const upload of uploadsOf(event)) {
      const result = await startRollout(deps, upload);
      logger.appendKeys({ executionId: result.executionArn, environment: result.environment ?? 'unknown' });
      if (result.manifestProblem)
        logger.warn('manifest unreadable; started anyway for ValidateBundle to reject', {
          problem: result.manifestProblem,
          key: upload.key,
        });
      logger.info(result.status === StartStatus.Started ? 'rollout started' : 'duplicate delivery: already started', {
        version: result.version,
        bucket: upload.bucket,
        key: upload.key,
      });
      executions.push(result);
    }
    return { executions };
  });
