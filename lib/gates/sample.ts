/* What one measurement round at a gate holds: the targets produce it, the gate judges it. */

/** One smoke request's outcome. */
export interface RequestResult {
  /** "POST /predict" */
  label: string;
  status: number | null;
  expectStatus: number;
  /** ms */
  latencyMs: number;
  ok: boolean;
  error?: string;
}

/**
 * One round of measurement at a gate. While baking, the gate takes one sample per Wait and
 * accumulates them; `cursor` carries what the next sample needs (e.g. CPU counters) through the
 * state machine's JSON, so it must be plain JSON.
 */
export interface Sample {
  /** epoch ms */
  at: number;
  health: RequestResult;
  /** Smoke requests sent in this round (empty when the phase has `smoke: false`). */
  requests: RequestResult[];
  /** CPU use since the window began, %; null when it cannot be measured. */
  cpuPercent: number | null;
  /** Memory in use now, % of what the environment has; null when it cannot be measured. */
  memoryPercent: number | null;
  /** Metrics the target measures itself (CloudWatch), overriding those computed from requests. */
  metrics?: { p95LatencyMs?: number | null; errorRatePercent?: number | null };
  cursor: Record<string, unknown> | null;
  /**
   * False while the target is still moving traffic by itself (Elastic Beanstalk's traffic-splitting
   * evaluation, a SageMaker canary or linear shift): the window cannot end before it has finished.
   * Absent: nothing is moving.
   */
  settled?: boolean;
}
