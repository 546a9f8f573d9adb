import type { SlackMessage } from './slack-blocks.js';

/** How hard to try. Worst case: attempts × timeoutMs + (attempts − 1) × maxWaitMs (defaults: 44 s). */
export interface SlackPostOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** epoch ms; for an HTTP-date Retry-After */
  now?: () => number;
  /** Requests in all, the first included (default 4). */
  attempts?: number;
  /** First wait when Slack sends no Retry-After, ms, doubled each time (default 1000). */
  baseDelayMs?: number;
  /** Longest wait between two requests, ms (default 8000). A Retry-After beyond it ends the retries. */
  maxWaitMs?: number;
  /** One request's timeout, ms (default 5000). */
  timeoutMs?: number;
}

export type SlackPostResult =
  | { delivered: true; attempts: number; status: number }
  | { delivered: false; attempts: number; status: number | null; detail: string };

const DEFAULTS = { attempts: 4, baseDelayMs: 1_000, maxWaitMs: 8_000, timeoutMs: 5_000 } as const;

/** Retry-After in ms: delta-seconds or an HTTP-date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * POSTs a message to a Slack incoming webhook. 429 and 5xx (and network failures) are retried,
 * honouring Retry-After, a bounded number of times; other answers (400 invalid_payload,
 * 403/404 for a revoked webhook) are final. Never throws: a Slack outage is reported in the
 * result, for the caller to log, and never reaches the rollout.
 */
export async function postToSlack(url: string, message: SlackMessage, options: SlackPostOptions = {}): Promise<SlackPostResult> {
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const attempts = Math.max(1, options.attempts ?? DEFAULTS.attempts);
  const baseDelayMs = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
  const maxWaitMs = options.maxWaitMs ?? DEFAULTS.maxWaitMs;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const body = JSON.stringify(message);

  let last: { status: number | null; detail: string } = { status: null, detail: 'not attempted' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait: number | null = null;
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text().catch(() => '');
      if (res.ok) return { delivered: true, attempts: attempt, status: res.status };
      last = { status: res.status, detail: `HTTP ${res.status}${text ? ` ${text.slice(0, 200)}` : ''}` };
      if (!retryable(res.status)) return { delivered: false, attempts: attempt, ...last };
      wait = retryAfterMs(res.headers.get('retry-after'), now());
    } catch (err) {
      last = { status: null, detail: (err as Error).message || String(err) };
    }
    if (attempt === attempts) break;
    const delay = wait ?? Math.min(maxWaitMs, baseDelayMs * 2 ** (attempt - 1));
    if (delay > maxWaitMs) {
      return {
        delivered: false,
        attempts: attempt,
        status: last.status,
        detail: `${last.detail}; Retry-After ${Math.ceil(delay / 1_000)} s is past the ${maxWaitMs} ms limit`,
      };
    }
    await sleep(delay);
  }
  return { delivered: false, attempts, ...last };
}
