import type { ExpectSpec } from '../plan/answers-schema.js';
import type { SmokeRequest } from '../plan/schema.js';
import { cutJson, sameJson } from './canonical.js';
import { lookup } from './jsonpath.js';
import type { RequestResult } from './sample.js';
import type { Check } from './verdict.js';

/**
 * The smoke requests' `expect` assertions, one check each, on the latest answer of each request:
 * named `expect POST /predict $.neighbors[0]`, the value what the answer held, the threshold what
 * was expected.
 */
export function expectChecks(smoke: readonly SmokeRequest[], results: readonly RequestResult[]): Check[] {
  const checks: Check[] = [];
  smoke.forEach((request, index) => {
    if (!request.expect?.length) return;
    const result = results.findLast((r) => r.ref?.kind === 'smoke' && r.ref.index === index);
    if (!result) return;
    for (const e of request.expect) checks.push(expectCheck(`expect ${request.method} ${request.path} ${e.path}`, e, result));
  });
  return checks;
}

/** One assertion against one answer. */
export function expectCheck(name: string, e: ExpectSpec, result: Pick<RequestResult, 'status' | 'error' | 'answer'>): Check {
  const threshold = expected(e);
  if (result.status === null || result.answer === undefined) {
    return { name, value: result.error ?? 'no answer', threshold, passed: false };
  }
  const found = lookup(result.answer, e.path);
  const held = found.found ? found.value : undefined;
  const value = typeof held === 'number' ? held : cutJson(held, 80);
  return { name, value, threshold, passed: holds(e, found.found, held) };
}

function holds(e: ExpectSpec, found: boolean, held: unknown): boolean {
  if (e.exists !== undefined) return found === e.exists;
  if (!found) return false;
  if (e.equals !== undefined) return sameJson(held, e.equals);
  if (e.approx !== undefined) return typeof held === 'number' && Math.abs(held - e.approx) <= (e.tolerance ?? 0);
  const length = Array.isArray(held) || typeof held === 'string' ? held.length : null;
  if (length === null) return false;
  if (e.minItems !== undefined) return length >= e.minItems;
  if (e.maxItems !== undefined) return length <= e.maxItems;
  return false;
}

/** What the assertion asked for, as the check's threshold: "1", "0.93 ± 0.01", "≥ 3 items". */
export function expected(e: ExpectSpec): string {
  if (e.exists !== undefined) return e.exists ? 'present' : 'absent';
  if (e.equals !== undefined) return cutJson(e.equals, 80);
  if (e.approx !== undefined) return `${e.approx} ± ${e.tolerance ?? 0}`;
  if (e.minItems !== undefined) return `≥ ${e.minItems} items`;
  return `≤ ${e.maxItems} items`;
}
