import { slug } from '../plan/target-schema.js';
import { InvalidJsonError, InvalidRequestError, PayloadTooLargeError } from './errors.js';

/**
 * The fields of an HTTP API payload 2.0 event that the proxy reads, as the handler may trust them
 * once readHttpApiEvent has checked them.
 */
export interface HttpApiRequest {
  version: '2.0';
  body?: string;
  isBase64Encoded: boolean;
  pathParameters?: { environment?: string };
  requestContext: { http: { method: string } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the fields of an HTTP API payload 2.0 event that the proxy reads. Not strict: API Gateway
 * sends many more (and adds new ones), none of which the proxy uses. Headers are read one by one
 * where needed (x-api-key, cache-control) rather than checked as a whole map. Written out rather
 * than as a zod schema (it accepts and refuses the same events): it runs on every cache hit, where
 * a schema parse took about a sixth of the Redis round trip.
 */
export function readHttpApiEvent(event: unknown): HttpApiRequest {
  if (
    isRecord(event) &&
    event.version === '2.0' &&
    (event.body === undefined || typeof event.body === 'string') &&
    typeof event.isBase64Encoded === 'boolean' &&
    (event.pathParameters === undefined ||
      (isRecord(event.pathParameters) &&
        (event.pathParameters.environment === undefined || typeof event.pathParameters.environment === 'string'))) &&
    isRecord(event.requestContext) &&
    isRecord(event.requestContext.http) &&
    typeof event.requestContext.http.method === 'string'
  ) {
    return event as unknown as HttpApiRequest;
  }
  throw new InvalidRequestError('not an HTTP API (payload format 2.0) request');
}

/** The route path of an environment: the one path the proxy answers. */
export function predictPath(environment: string): string {
  return `/v1/${environment}/predict`;
}

/** Names already checked (bounded: cleared when full). A proxy serves a handful of environments. */
const checkedEnvironments = new Set<string>();
const MAX_CHECKED_ENVIRONMENTS = 256;

/** The environment named in the path, checked to be a slug (it becomes a file name locally). */
export function parseEnvironment(raw: string | undefined): string {
  if (raw !== undefined && checkedEnvironments.has(raw)) return raw;
  const parsed = slug.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidRequestError(`"${raw ?? ''}" is not an environment name (lowercase letters, digits and dashes)`);
  }
  if (checkedEnvironments.size >= MAX_CHECKED_ENVIRONMENTS) checkedEnvironments.clear();
  checkedEnvironments.add(parsed.data);
  return parsed.data;
}

/** The body as text, refused past `maxBytes` (decoded size). */
export function decodeBody(body: string | undefined, isBase64: boolean, maxBytes: number): string {
  if (body === undefined) return '';
  const bytes = isBase64 ? Buffer.from(body, 'base64') : null;
  const size = bytes ? bytes.length : Buffer.byteLength(body, 'utf8');
  if (size > maxBytes) throw new PayloadTooLargeError(maxBytes);
  return bytes ? bytes.toString('utf8') : body;
}

/** The parsed JSON body; a missing, empty or malformed body is refused. */
export function parseJsonBody(text: string): unknown {
  if (text.trim().length === 0) throw new InvalidJsonError('the body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidJsonError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** `Cache-Control: no-cache` (any case, among other directives). */
export function wantsNoCache(cacheControl: string | undefined): boolean {
  return cacheControl !== undefined && /(^|,)\s*no-cache\s*(,|$|=)/i.test(cacheControl);
}
