import { LRUCache } from 'lru-cache';
import { payloadHash } from './cache-key.js';
import { parseJsonBody } from './request.js';

/** Bodies larger than this are hashed every time rather than remembered, bytes (UTF-16 units). */
const MAX_REMEMBERED_BODY = 64 * 1024;

/**
 * The canonical hash of request bodies, remembering those seen recently: a repeated request (the
 * point of a cache) is then neither parsed nor re-encoded, which is most of a hit's CPU time. A
 * body is remembered only once it parsed, so a remembered body is valid JSON.
 */
export class BodyHasher {
  private readonly memo: LRUCache<string, string>;

  constructor(
    /** total size of the remembered bodies, UTF-16 units (~2 bytes each) */
    maxSize = 4 * 1024 * 1024,
  ) {
    this.memo = new LRUCache<string, string>({
      maxSize,
      maxEntrySize: MAX_REMEMBERED_BODY,
      sizeCalculation: (digest, body) => body.length + digest.length,
    });
  }

  /** payloadHash of the body; throws InvalidJsonError when it is not JSON. */
  digest(body: string): string {
    const known = this.memo.get(body);
    if (known !== undefined) return known;
    const digest = payloadHash(parseJsonBody(body));
    if (body.length <= MAX_REMEMBERED_BODY) this.memo.set(body, digest);
    return digest;
  }
}
