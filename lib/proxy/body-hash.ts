import { LRUCache } from 'lru-cache';
import { payloadHash, requestHashOf } from './cache-key.js';
import { parseJsonBody } from './request.js';

/** Bodies larger than this are hashed every time rather than remembered (UTF-16 units). */
const MAX_REMEMBERED_BODY = 64 * 1024;

/** What is remembered of a body: its canonical hash, and the request hash it last went with. */
interface Remembered {
  payloadHash: string;
  method: string;
  path: string;
  requestHash: string;
}

/** Room of a Remembered besides its body (two hashes, a method, a path), UTF-16 units. */
const ENTRY_OVERHEAD = 256;

/**
 * The canonical request hash (method, path, JSON body with sorted keys), remembering the bodies
 * seen recently: a repeated request (the point of a cache) is then neither parsed, re-encoded nor
 * hashed again, which is most of a hit's CPU time. Keyed by the body alone, as received: no key is
 * built by copying the body, and the string hash a lookup needs is V8's own (computed once per
 * string). A body is remembered only once it parsed, so a remembered body is valid JSON.
 */
export class RequestHasher {
  private readonly memo: LRUCache<string, Remembered>;

  constructor(
    /** total size of the remembered requests, UTF-16 units (~2 bytes each) */
    maxSize = 4 * 1024 * 1024,
  ) {
    this.memo = new LRUCache<string, Remembered>({
      maxSize,
      maxEntrySize: MAX_REMEMBERED_BODY + ENTRY_OVERHEAD,
      sizeCalculation: (_, body) => body.length + ENTRY_OVERHEAD,
    });
  }

  /** requestHash of the request; throws InvalidJsonError when the body is not JSON. */
  hash(method: string, path: string, body: string): string {
    const known = this.memo.get(body);
    if (known !== undefined) {
      if (known.method === method && known.path === path) return known.requestHash;
      // The same body on another route (or method): its canonical hash holds, the request's is new.
      known.method = method;
      known.path = path;
      known.requestHash = requestHashOf(method, path, known.payloadHash);
      return known.requestHash;
    }
    const bodyHash = payloadHash(parseJsonBody(body));
    const requestHash = requestHashOf(method, path, bodyHash);
    if (body.length <= MAX_REMEMBERED_BODY) this.memo.set(body, { payloadHash: bodyHash, method, path, requestHash });
    return requestHash;
  }
}
