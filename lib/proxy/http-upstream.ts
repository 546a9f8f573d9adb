import { describeError } from '../errors.js';
import type { UpstreamAnswer } from './answer.js';
import { UPSTREAM_PREDICT_PATH } from './defaults.js';
import { ProxyError, UpstreamError, UpstreamTimeoutError } from './errors.js';
import { deadline, type Upstream } from './upstream.js';

/** The service at a base URL (local process, Elastic Beanstalk environment): POST {base}/predict. */
export class HttpUpstream implements Upstream {
  readonly label: string;

  constructor(
    baseUrl: string,
    /** ms */
    private readonly timeoutMs: number,
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.label = `${baseUrl.replace(/\/+$/, '')}${UPSTREAM_PREDICT_PATH}`;
  }

  async predict(body: string): Promise<UpstreamAnswer> {
    const { signal, clear } = deadline(this.timeoutMs);
    try {
      const res = await this.fetchFn(this.label, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal,
        // A redirect is a misconfigured service, not something to follow blindly.
        redirect: 'error',
      });
      const text = await res.text();
      if (res.status < 200 || res.status >= 500 || (res.status >= 300 && res.status < 400)) {
        throw new UpstreamError(`the service at ${this.label} answered HTTP ${res.status}`, res.status);
      }
      return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body: text };
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      if (signal.aborted) throw new UpstreamTimeoutError(this.timeoutMs, { cause: err });
      throw new UpstreamError(`the service at ${this.label} could not be reached: ${describeError(err)}`, null, {
        cause: err,
      });
    } finally {
      clear();
    }
  }
}
