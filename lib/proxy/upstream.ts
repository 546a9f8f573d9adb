import type { UpstreamAnswer } from './answer.js';

/** Where a prediction is forwarded: the service now serving an environment. */
export interface Upstream {
  /** For logs: the URL or the endpoint name. */
  readonly label: string;
  /**
   * Sends the request body (JSON text) and returns the service's answer. A 2xx or 4xx answer is
   * returned (a 4xx is the service judging the input, passed through uncached); everything else
   * throws UpstreamError (→ 502) or UpstreamTimeoutError (→ 504).
   */
  predict(body: string): Promise<UpstreamAnswer>;
}

/** A bound on one upstream call. */
export interface Deadline {
  /** Aborted when the time is up; `aborted` afterwards tells a timeout from other failures. */
  signal: AbortSignal;
  /** Rejects when the time is up: raced against calls that might not honour the signal. */
  expired: Promise<never>;
  clear(): void;
}

export function deadline(timeoutMs: number): Deadline {
  const controller = new AbortController();
  let expire!: (err: Error) => void;
  const expired = new Promise<never>((_, reject) => (expire = reject));
  expired.catch(() => undefined);
  const timer = setTimeout(() => {
    controller.abort();
    expire(new Error(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  return { signal: controller.signal, expired, clear: () => clearTimeout(timer) };
}
