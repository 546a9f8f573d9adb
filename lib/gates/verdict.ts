/** One measured value against its threshold. */
export interface Check {
  /** e.g. "health", "smoke POST /predict", "cpuPercent", "p95LatencyMs". */
  name: string;
  /** The measured value; null when it could not be measured (inconclusive). */
  value: number | string | null;
  /** The limit it was held to, e.g. 80 for memoryPercent, 200 for an expected status. */
  threshold: number | string | null;
  passed: boolean;
  /** Set when the value could not be measured: such a check never passes silently. */
  inconclusive?: boolean;
  /** ISO time: the target's metric had no datapoint from this moment (the phase became stable) on. */
  noDataSince?: string;
  unit?: string;
  /** The threshold is a lowest value (≥), e.g. agreementPercent; otherwise a highest one (≤). */
  min?: boolean;
  /** What a report needs beside the value, e.g. the first disagreeing request and both answers. */
  detail?: string;
  /** A failed per-sample check the gate let pass: within failureLimit (and unhealthyThreshold). */
  tolerated?: boolean;
}

/** A gate's verdict: passed only when every check passed. */
export interface Verdict {
  passed: boolean;
  checks: Check[];
}

/** "memoryPercent 93.2 % > 80 %": the one line that names a failed check. */
export function describeCheck(check: Check): string {
  if (check.min) return describeMinimum(check);
  if (check.inconclusive && check.noDataSince)
    return `${check.name}: no datapoint since ${check.noDataSince} (threshold ${check.threshold}${check.unit ?? ''})`;
  if (check.inconclusive) return `${check.name} could not be measured (threshold ${check.threshold}${check.unit ?? ''})`;
  const unit = check.unit ?? '';
  // Status checks hold a value to an expected one (200, "2xx"), not to a limit.
  if (typeof check.threshold === 'string' || !check.unit) {
    return check.passed ? `${check.name} ${check.value}` : `${check.name} ${check.value ?? 'no answer'} (expected ${check.threshold})`;
  }
  const op = check.passed ? '≤' : typeof check.value === 'number' && typeof check.threshold === 'number' ? '>' : '≠';
  return `${check.name} ${check.value}${unit} ${op} ${check.threshold}${unit}`;
}

/** "agreementPercent 40% < 95% (…first disagreeing…)"; a value that is not a number says why. */
function describeMinimum(check: Check): string {
  const unit = check.unit ?? '';
  const detail = check.detail ? ` (${check.detail})` : '';
  if (typeof check.value !== 'number') return `${check.name}: ${check.detail ?? 'not measured'}`;
  return `${check.name} ${check.value}${unit} ${check.passed ? '≥' : '<'} ${check.threshold}${unit}${detail}`;
}
