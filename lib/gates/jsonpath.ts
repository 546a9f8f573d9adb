/**
 * The JSONPath subset the gates read answers with: `$` (the whole body), then any number of
 * `.name`, `['name']`, `["name"]` or `[index]` steps (a negative index counts from the end).
 * No wildcards, filters or recursive descent: an assertion names one value.
 */
export type PathStep = string | number;

const STEP = /\.([A-Za-z_$][\w$-]*)|\[(-?\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;

/** The steps of `path`, or null when it is not in the subset. */
export function parsePath(path: string): PathStep[] | null {
  if (!path.startsWith('$')) return null;
  const steps: PathStep[] = [];
  STEP.lastIndex = 1;
  let at = 1;
  while (at < path.length) {
    STEP.lastIndex = at;
    const m = STEP.exec(path);
    if (!m) return null;
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3] ?? m[4] ?? '');
    at = STEP.lastIndex;
  }
  return steps;
}

/** What a path found in a value: `found` false when a step is missing (not the same as a null value). */
export type Lookup = { found: true; value: unknown } | { found: false };

export function lookup(value: unknown, path: string): Lookup {
  const steps = parsePath(path);
  if (!steps) throw new Error(`not a supported JSONPath: ${path}`);
  let current = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return { found: false };
      const i = step < 0 ? current.length + step : step;
      if (i < 0 || i >= current.length) return { found: false };
      current = current[i];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, step)) {
        return { found: false };
      }
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: current };
}
