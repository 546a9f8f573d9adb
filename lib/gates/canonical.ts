/** JSON with object keys sorted at every level: two answers that mean the same print the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/**
 * Deep equality of two JSON values: keys in any order, arrays in order, numbers exactly or,
 * with `tolerance`, within it (absolute).
 */
export function sameJson(a: unknown, b: unknown, tolerance?: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return tolerance === undefined ? a === b : Math.abs(a - b) <= tolerance;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i], tolerance));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
    return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tolerance));
  }
  return a === b;
}

/** A value for a report line: canonical JSON cut to `max` characters. */
export function cutJson(value: unknown, max = 120): string {
  const text = value === undefined ? '(absent)' : canonicalJson(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
