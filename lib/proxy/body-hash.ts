import { LRUCache } from 'lru-cache';
import { payloadHash, requestHashOf } from './cache-key.js';
import { parseJsonBody } from './request.js';

/** Bodies larger than this are hashed every time rather than remembered (UTF-16 units). */
const MAX_REMEMBERED_BODY = 64 * 1024;

/**
 * The canonical request hash (method, path, JSON body with sorted keys), remembering the requests
 * seen recently: a repeated request (the point of a cache) is then neither parsed, re-encoded nor
 * hashed again, which is most of a hit's CPU time. A request is remembered only once its body
 * parsed, so a remembered body is valid JSON.
 */
export class RequestHasher {
  private readonly memo: LRUCache<string, string>;

  constructor(
    /** total size of the remembered requests, UTF-16 units (~2 bytes each) */
    maxSize = 4 * 1024 * 1024,
  ) {
    this.memo = new LRUCache<string, string>({
      maxSize,
      maxEntrySize: MAX_REMEMBERED_BODY,
      sizeCalculation: (hash, request) => request.length + hash.length,
    });
  }

  /** requestHash of the request; throws InvalidJsonError when the body is not JSON. */
  hash(method: string, path: string, body: string): string {
    // NUL cannot occur in a method or a path, so the memo key is unambiguous.
    const request = `${method}\u0000${path}\u0000${body}`;
    const known = this.memo.get(request);
    if (known !== undefined) return known;
    const hash = requestHashOf(method, path, payloadHash(parseJsonBody(body)));
    if (request.length <= MAX_REMEMBERED_BODY) this.memo.set(request, hash);
    return hash;
  }
}
