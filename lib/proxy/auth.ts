import { hash, timingSafeEqual } from 'node:crypto';
import { describeError } from '../errors.js';
import { AuthUnavailableError, ForbiddenError, UnauthorizedError } from './errors.js';

/** Where the valid API keys come from (SSM on AWS, ML_ROLLOUT_API_KEY locally). */
export interface ApiKeySource {
  keys(): Promise<readonly string[]>;
}

/** A source with fixed keys. */
export function staticKeys(...keys: string[]): ApiKeySource {
  const frozen = Object.freeze(keys.filter((k) => k.length > 0));
  return { keys: () => Promise.resolve(frozen) };
}

/** Keys as stored in one parameter: separated by commas or newlines, blanks ignored. */
export function parseKeyList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

const digest = (s: string): Buffer => hash('sha256', s, 'buffer');
const idOf = (d: Buffer) => d.toString('hex', 0, 6);

/** Names a key in logs and rate-limit counters without revealing it: sha256, 12 hex digits. */
export function keyId(key: string): string {
  return idOf(digest(key));
}

/**
 * Checks x-api-key against every valid key in constant time: both sides are hashed to 32 bytes
 * first (so lengths leak nothing) and every key is compared, with no early exit.
 */
export class ApiKeyAuth {
  private digests: { source: readonly string[]; list: Buffer[] } | null = null;

  /** `source` null: auth is off and every request is let through. */
  constructor(private readonly source: ApiKeySource | null) {}

  get enabled(): boolean {
    return this.source !== null;
  }

  /** The key's id when valid; null when auth is off. Throws 401/403/503 errors otherwise. */
  async check(presented: string | undefined): Promise<string | null> {
    if (!this.source) return null;
    if (presented === undefined || presented.length === 0) throw new UnauthorizedError();
    let keys: readonly string[];
    try {
      keys = await this.source.keys();
    } catch (err) {
      throw new AuthUnavailableError(`the API keys cannot be read: ${describeError(err)}`, { cause: err });
    }
    const wanted = digest(presented);
    let match = false;
    for (const d of this.digestsOf(keys)) match = timingSafeEqual(d, wanted) || match;
    if (!match) throw new ForbiddenError();
    return idOf(wanted);
  }

  private digestsOf(keys: readonly string[]): Buffer[] {
    if (this.digests?.source !== keys) this.digests = { source: keys, list: keys.map(digest) };
    return this.digests.list;
  }
}
