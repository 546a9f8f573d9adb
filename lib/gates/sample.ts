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
  /** Which manifest request this answers, where the gate reads its answer (expect, golden). */
  ref?: RequestRef;
  /**
   * The answer's body, parsed as JSON (a string when it is not JSON), for requests with a ref.
   * Judged in the task that sent it and dropped before the window travels on.
   */
  answer?: unknown;
}

/** A smoke request (by index in plan.smoke) or a golden request (by index in plan.golden). */
export interface RequestRef {
  kind: 'smoke' | 'golden';
  index: number;
}

/** Latency and error figures a target measured itself (CloudWatch, enhanced health). */
export interface TargetMetrics {
  /** ms: a true 95th percentile. */
  p95LatencyMs?: number | null;
  /**
   * ms: the mean latency of the slowest 5 % of requests (Elastic Beanstalk enhanced health's
   * Latency.P95 without an Application Load Balancer). Judged by the gate's p95LatencyMs threshold,
   * under its own name, where the target has no p95LatencyMs.
   */
  slowest5PercentMeanLatencyMs?: number | null;
  /** %. */
  errorRatePercent?: number | null;
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
  metrics?: TargetMetrics;
  /**
   * epoch ms: the target's CloudWatch metrics count only datapoints from this moment (the phase
   * became stable); a null metric then means "no datapoint since", judged when the window closes.
   */
  metricsSince?: number;
  cursor: Record<string, unknown> | null;
  /**
   * False while the target is still moving traffic by itself (Elastic Beanstalk's traffic-splitting
   * evaluation, a SageMaker canary or linear shift): the window cannot end before it has finished.
   * Absent: nothing is moving.
   */
  settled?: boolean;
  /** Where a router splits user traffic: what it saw of each version since the window began. */
  versions?: VersionWindows;
}

/** User requests one version answered through the environment's router over a window. */
export interface VersionWindow {
  version: string | null;
  /** Share of user requests it takes, %. */
  weight: number;
  requests: number;
  /** Answers ≥ 500 or none. */
  errors: number;
  /** ms; null without answered requests. */
  p95LatencyMs: number | null;
}

/** The new version and the one it replaces, each measured apart over the same window. */
export interface VersionWindows {
  new: VersionWindow;
  /** null when no other version takes traffic (a step at 100 %). */
  old: VersionWindow | null;
}
