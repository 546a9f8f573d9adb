import { ConfigurationError } from '../errors.js';

/**
 * The one place that builds AWS SDK clients. Every client gets:
 * - its region: the one given (the manifest's target.region), else the SDK's own chain
 *   (AWS_REGION, the profile's region; in a Lambda, the function's region);
 * - the SDK's endpoint resolution, which honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>
 *   (e.g. AWS_ENDPOINT_URL_S3 for a local stub) without any code here;
 * - the SDK's standard retry mode (throttling and 5xx retried with backoff, 5 attempts) before
 *   the state machine's own Retry sees a TransientError (lib/aws/errors.ts);
 * - for S3, `followRegionRedirects`: a bucket in another region answers 301 with
 *   x-amz-bucket-region, and the SDK repeats the request there.
 * Clients are kept per class, region and settings for the process (a Lambda container). Tests
 * replace the factory with setAwsClientFactory, or patch the class with aws-sdk-client-mock.
 *
 * No SDK package is imported here: each caller passes the class it uses, so a command loads
 * only the clients it needs.
 */

/** How one client is built. */
export interface ClientSettings {
  /** Absent: the SDK's region chain. */
  region?: string;
  /** Attempts of one call, the first included (default 5; 1 = no retry, e.g. a measured smoke request). */
  maxAttempts?: number;
  /** S3 only: follow a bucket's region redirect. */
  followRegionRedirects?: boolean;
}

/** A client class of the SDK v3 (S3Client, ElasticBeanstalkClient, …). */
// biome-ignore lint/suspicious/noExplicitAny: SDK client constructors take their own config types.
export type ClientClass<C> = new (config: any) => C;

/** Builds one client; setAwsClientFactory replaces it in tests. */
export type ClientFactory = <C>(Client: ClientClass<C>, settings: ClientSettings) => C;

export const DEFAULT_MAX_ATTEMPTS = 5;

/** The SDK config a client is built with (exported for tests). */
export function sdkConfig(settings: ClientSettings): Record<string, unknown> {
  return {
    ...(settings.region ? { region: settings.region } : {}),
    retryMode: 'standard',
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(settings.followRegionRedirects ? { followRegionRedirects: true } : {}),
  };
}

export const sdkClientFactory: ClientFactory = (Client, settings) => new Client(sdkConfig(settings));

let factory: ClientFactory = sdkClientFactory;
const cache = new Map<unknown, Map<string, unknown>>();

/** The client of this class and settings, built on first use and kept for the process. */
export function awsClient<C>(Client: ClientClass<C>, settings: ClientSettings = {}): C {
  let byKey = cache.get(Client);
  if (!byKey) {
    byKey = new Map();
    cache.set(Client, byKey);
  }
  const key = `${settings.region ?? ''}|${settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS}|${settings.followRegionRedirects ? 'r' : ''}`;
  let client = byKey.get(key) as C | undefined;
  if (!client) {
    client = factory(Client, settings);
    byKey.set(key, client);
  }
  return client;
}

/** Replaces how clients are built (null: the SDK's); forgets every client built so far. */
export function setAwsClientFactory(next: ClientFactory | null): void {
  factory = next ?? sdkClientFactory;
  cache.clear();
}

/**
 * An S3 client for a bucket: in `region` (the manifest's target.region, or the region the
 * bundle reference carries), following the bucket's region redirect when it is elsewhere.
 * Without a region it falls back to the environment's (a Lambda's own); with none at all it
 * throws a ConfigurationError naming target.region.
 */
export function s3ClientFor<C>(Client: ClientClass<C>, region: string | undefined, env: NodeJS.ProcessEnv = process.env): C {
  const resolved = region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!resolved) {
    throw new ConfigurationError('no AWS region for the S3 bucket: set target.region in rollout.yaml (or AWS_REGION)');
  }
  return awsClient(Client, { region: resolved, followRegionRedirects: true });
}
