import type { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { s3 } from '../bundle/s3-fetch.js';
import { awsClient } from './clients.js';
import { systemClock, type Clock } from '../clock.js';
import { ConfigurationError } from '../errors.js';
import { SnsNotifier } from '../notify/sns.js';
import type { Runtime } from '../runtime.js';
import { S3ControlStore } from '../state/control-s3.js';
import { S3LockStore } from '../state/s3-lock.js';
import { DEFAULT_STATE_PREFIX, S3StateStore } from '../state/s3-store.js';
import { S3AnswersStore } from '../state/answers-s3.js';
import { targetRegistry } from '../targets/index.js';

/** Scratch space of a Lambda container (the only writable directory there). */
export const LAMBDA_HOME = '/tmp/ml-rollout';

/** The topic is in the function's own region; built and kept by lib/aws/clients.ts. */
const sns = (): SNSClient => awsClient(SNSClient, {});

/** What the AWS runtime is built from; each part replaceable in tests. */
export interface AwsRuntimeDeps {
  s3?: S3Client;
  sns?: SNSClient;
  clock?: Clock;
}

/**
 * The runtime of a Lambda container: state and lock in S3 under $STATE_BUCKET/$STATE_PREFIX
 * (default state/), notifications to the SNS topic $TOPIC_ARN, scratch files in /tmp.
 * Clients come from lib/aws/clients.ts: created once per container, shared by every invocation.
 */
export function createAwsRuntime(env: NodeJS.ProcessEnv = process.env, deps: AwsRuntimeDeps = {}): Runtime {
  const bucket = env.STATE_BUCKET;
  if (!bucket) throw new ConfigurationError('STATE_BUCKET is not set: the AWS runtime keeps its state in that bucket');
  const prefix = env.STATE_PREFIX || DEFAULT_STATE_PREFIX;
  const client = deps.s3 ?? s3();
  const clock = deps.clock ?? systemClock;
  const home = LAMBDA_HOME;
  return {
    clock,
    home,
    state: new S3StateStore(client, { bucket, prefix }),
    locks: new S3LockStore(client, { bucket, prefix, clock }),
    answers: new S3AnswersStore(client, { bucket, prefix }),
    control: new S3ControlStore(client, { bucket, prefix }),
    notifier: new SnsNotifier(deps.sns ?? sns(), env.TOPIC_ARN),
    target: targetRegistry({ home, clock }),
    // A Lambda container serves many executions: the lock belongs to the execution (its name is the rollout id).
    lockOwner: (rolloutId) => `execution:${rolloutId}`,
  };
}
