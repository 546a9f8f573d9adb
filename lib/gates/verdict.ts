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
  unit?: string;
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
  if (check.inconclusive) return `${check.name} could not be measured (threshold ${check.threshold}${check.unit ?? ''})`;
  const unit = check.unit ?? '';
  // Status checks hold a value to an expected one (200, "2xx"), not to a limit.
  if (typeof check.threshold === 'string' || !check.unit) {
    return check.passed ? `${check.name} ${check.value}` : `${check.name} ${check.value ?? 'no answer'} (expected ${check.threshold})`;
  }
  const op = check.passed ? '≤' : typeof check.value === 'number' && typeof check.threshold === 'number' ? '>' : '≠';
  return `${check.name} ${check.value}${unit} ${op} ${check.threshold}${unit}`;
}
