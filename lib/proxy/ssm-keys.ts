import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock.js';
import { parseKeyList, type ApiKeySource } from './auth.js';

/**
 * API keys from one SSM parameter (SecureString; keys separated by commas or newlines), read at
 * most once per `ttlMs`. A failed refresh keeps serving the keys read before, so an SSM hiccup
 * does not lock clients out.
 */
export class SsmApiKeySource implements ApiKeySource {
  private readonly cache: LRUCache<string, string[]>;

  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
    /** ms */
    ttlMs: number,
    clock: Clock = systemClock,
  ) {
    this.cache = new LRUCache<string, string[]>({
      max: 1,
      ttl: Math.max(ttlMs, 1),
      ttlResolution: 0,
      perf: clock,
      allowStaleOnFetchRejection: true,
      fetchMethod: () => this.read(),
    });
  }

  private lastError: unknown = null;

  /** The keys; directly (no promise) while those read last are fresh. */
  keys(): readonly string[] | Promise<readonly string[]> {
    // A stale entry stays for fetch() to fall back on if the refresh fails.
    return this.cache.get(this.parameterName, { noDeleteOnStaleGet: true }) ?? this.fetchKeys();
  }

  private async fetchKeys(): Promise<readonly string[]> {
    const keys = await this.cache.fetch(this.parameterName);
    // undefined: the read failed and there was nothing read before to fall back on.
    if (keys === undefined) throw this.lastError ?? new Error(`SSM parameter ${this.parameterName} could not be read`);
    return keys;
  }

  private async read(): Promise<string[]> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
      return parseKeyList(out.Parameter?.Value ?? '');
    } catch (err) {
      this.lastError = err;
      throw err;
    }
  }
}
