import { hash } from 'node:crypto';
import { InvalidJsonError } from './errors.js';

/**
 * The canonical form of a JSON body, written as bytes: object keys sorted at every depth (arrays
 * keep their order: an embedding's is meaningful).
 * `{"a":1,"b":2}` and `{"b":2,"a":1}`, or `1.0` and `1`, are therefore one request. Numbers go in
 * as their 8 bytes rather than as text: formatting an embedding's floats back to JSON text would
 * cost more than the whole Redis round trip of a hit.
 */
class CanonicalWriter {
  private buf = Buffer.allocUnsafe(4_096);
  private len = 0;

  reset(): this {
    this.len = 0;
    return this;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  private tag(t: number): void {
    this.room(1);
    this.buf[this.len++] = t;
  }

  private count(n: number): void {
    this.room(4);
    this.len = this.buf.writeUInt32LE(n, this.len);
  }

  string(s: string): void {
    this.tag(T.String);
    this.room(4 + Buffer.byteLength(s, 'utf8'));
    const written = this.buf.write(s, this.len + 4, 'utf8');
    this.buf.writeUInt32LE(written, this.len);
    this.len += 4 + written;
  }

  value(v: unknown): void {
    if (v === null) return this.tag(T.Null);
    switch (typeof v) {
      case 'boolean':
        return this.tag(v ? T.True : T.False);
      case 'number':
        this.tag(T.Number);
        this.room(8);
        this.len = this.buf.writeDoubleLE(v, this.len);
        return;
      case 'string':
        return this.string(v);
      case 'object': {
        if (Array.isArray(v)) {
          this.tag(T.Array);
          this.count(v.length);
          for (const item of v) this.value(item);
          return;
        }
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o).sort();
        this.tag(T.Object);
        this.count(keys.length);
        for (const k of keys) {
          this.string(k);
          this.value(o[k]);
        }
        return;
      }
      default:
        // Not produced by JSON.parse.
        throw new InvalidJsonError(`a ${typeof v} is not a JSON value`);
    }
  }
}

const T = { Null: 0, False: 1, True: 2, Number: 3, String: 4, Array: 5, Object: 6 } as const;

// One writer for the process: payloadHash runs to completion without awaiting, so it is never shared.
const writer = new CanonicalWriter();

/** sha256 (hex) of a parsed JSON body in its canonical form (object keys sorted at every depth). */
export function payloadHash(payload: unknown): string {
  writer.reset();
  writer.value(payload);
  return hash('sha256', writer.bytes(), 'hex');
}

/** sha256 (hex) of the canonical request: method, path and the body's payloadHash. */
export function requestHashOf(method: string, path: string, bodyHash: string): string {
  return hash('sha256', `${method.toUpperCase()}\n${path}\n${bodyHash}`, 'hex');
}

/** sha256 (hex) of the canonical request: method, path and the JSON body with sorted keys. */
export function requestHash(method: string, path: string, payload: unknown): string {
  return requestHashOf(method, path, payloadHash(payload));
}

/**
 * The cache key of a request: the serving version is part of it, so that after a rollout or a
 * rollback no answer of another version can be served.
 */
export function cacheKey(prefix: string, environment: string, version: string, hash: string): string {
  // encodeURIComponent keeps ':' (the separator) out of the version.
  return `${prefix}answer:${environment}:${encodeURIComponent(version)}:${hash}`;
}

/** The lock of a cache key, held by the one instance fetching its answer. */
export function lockKeyOf(key: string): string {
  return `${key}:lock`;
}

/** The stale copy of an answer (stale-if-error): same version in the key, longer life. */
export function staleKeyOf(key: string): string {
  return `${key}:stale`;
}
