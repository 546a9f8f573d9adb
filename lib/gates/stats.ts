/** Percentile by the nearest-rank method; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export interface LatencySummary {
  /** ms */
  p50: number | null;
  /** ms */
  p95: number | null;
  /** ms */
  p99: number | null;
  /** ms */
  max: number | null;
  count: number;
}

export function summarize(latencies: readonly number[]): LatencySummary {
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length ? Math.max(...latencies) : null,
    count: latencies.length,
  };
}
