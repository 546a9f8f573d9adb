/** What the client gets and what the cache holds. */

/** How the cache took part in an answer: the `x-cache` response header. */
export const CacheStatus = {
  /** Answered from the cache (or from another instance's call, read back from the cache). */
  Hit: 'hit',
  /** Forwarded to the service (or shared with an identical request already forwarded). */
  Miss: 'miss',
  /** `Cache-Control: no-cache`: forwarded without reading or writing the cache. */
  Bypass: 'bypass',
  /** The service failed; answered from the stale copy of an earlier answer of the version serving now. */
  Stale: 'stale',
} as const;
export type CacheStatus = (typeof CacheStatus)[keyof typeof CacheStatus];

/** An answer of the service. */
export interface UpstreamAnswer {
  /** HTTP status */
  status: number;
  contentType: string;
  body: string;
}

export interface ProxyAnswer extends UpstreamAnswer {
  cache: CacheStatus;
}

/** Only successful answers are cached: an error must not outlive its cause. */
export function isCacheable(answer: UpstreamAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/**
 * Stored form: "<status> <content-type>\n<body>". Not JSON: a hit would parse (and a fill
 * escape) the whole body once more for nothing.
 */
export function encodeAnswer(answer: UpstreamAnswer): string {
  return `${answer.status} ${answer.contentType}\n${answer.body}`;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * null for anything that is not a stored answer (treated as a miss, never as an error). With
 * `cache`, the answer as the proxy gives it (one object less on a hit).
 */
export function decodeAnswer(raw: string): UpstreamAnswer | null;
export function decodeAnswer(raw: string, cache: CacheStatus): ProxyAnswer | null;
export function decodeAnswer(raw: string, cache?: CacheStatus): UpstreamAnswer | ProxyAnswer | null {
  // "<status> <content-type>\n": a status of three digits, 100 to 599.
  const eol = raw.indexOf('\n');
  const first = raw.charCodeAt(0);
  if (eol < 4 || first < 0x31 || first > 0x35 || !isDigit(raw.charCodeAt(1)) || !isDigit(raw.charCodeAt(2)) || raw.charCodeAt(3) !== 0x20)
    return null;
  const status = (first - 0x30) * 100 + (raw.charCodeAt(1) - 0x30) * 10 + (raw.charCodeAt(2) - 0x30);
  const contentType = raw.slice(4, eol);
  const body = raw.slice(eol + 1);
  return cache === undefined ? { status, contentType, body } : { status, contentType, body, cache };
}
