/** What the client gets and what the cache holds. */

/** How the cache took part in an answer: the `x-cache` response header. */
export const CacheStatus = {
  /** Answered from the cache (or from another instance's call, read back from the cache). */
  Hit: 'hit',
  /** Forwarded to the service (or shared with an identical request already forwarded). */
  Miss: 'miss',
  /** `Cache-Control: no-cache`: forwarded without reading or writing the cache. */
  Bypass: 'bypass',
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

const HEAD = /^([1-5]\d\d) ([^\n]*)$/;

/** null for anything that is not a stored answer (treated as a miss, never as an error). */
export function decodeAnswer(raw: string): UpstreamAnswer | null {
  const eol = raw.indexOf('\n');
  if (eol < 0) return null;
  const head = HEAD.exec(raw.slice(0, eol));
  if (!head) return null;
  return { status: Number(head[1]), contentType: head[2] ?? '', body: raw.slice(eol + 1) };
}
