import { slug } from '../plan/target-schema.js';
import { InvalidJsonError, InvalidRequestError, PayloadTooLargeError } from './errors.js';

/** The route path of an environment: the one path the proxy answers. */
export function predictPath(environment: string): string {
  return `/v1/${environment}/predict`;
}

/** The environment named in the path, checked to be a slug (it becomes a file name locally). */
export function parseEnvironment(raw: string | undefined): string {
  const parsed = slug.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidRequestError(`"${raw ?? ''}" is not an environment name (lowercase letters, digits and dashes)`);
  }
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
