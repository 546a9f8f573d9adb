import type { PlanPhase } from '../plan/plan.js';
import type { Sample } from './sample.js';
import { summarize } from './stats.js';

/**
 * One gate sample as the charts show it: this sample's own figures (not the window's), so
 * that a spike is seen where it happened.
 */
export interface SamplePoint {
  /** epoch ms */
  at: number;
  /** ms, over this sample's smoke requests; null when it sent none */
  p50LatencyMs: number | null;
  /** ms; the target's own (CloudWatch) figure where it measured one */
  p95LatencyMs: number | null;
  /** % of this sample's smoke requests that failed; the target's own figure where it has one */
  errorRatePercent: number | null;
  /** % of one core since the window began */
  cpuPercent: number | null;
  /** % of the environment's memory, now */
  memoryPercent: number | null;
  /** The health probe answered 2xx. */
  healthy: boolean;
}

/** The thresholds a phase's charts draw (absent: no line). */
export interface ChartThresholds {
  p95LatencyMs?: number;
  errorRatePercent?: number;
  cpuPercent?: number;
  memoryPercent?: number;
}

/** Largest number of points kept per phase: a long bake is thinned to every other point past it. */
export const MAX_SERIES_POINTS = 720;

const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export function pointOf(sample: Sample): SamplePoint {
  const lat = summarize(sample.requests.map((r) => r.latencyMs));
  const failed = sample.requests.filter((r) => !r.ok).length;
  const own = sample.requests.length > 0 ? (failed / sample.requests.length) * 100 : null;
  return {
    at: sample.at,
    p50LatencyMs: round(lat.p50),
    p95LatencyMs: round(sample.metrics?.p95LatencyMs ?? lat.p95),
    errorRatePercent: round(sample.metrics?.errorRatePercent ?? own),
    cpuPercent: round(sample.cpuPercent),
    memoryPercent: round(sample.memoryPercent),
    healthy: sample.health.ok,
  };
}

/** Appends a point, keeping at most MAX_SERIES_POINTS (the older half thinned). */
export function appendPoint(series: SamplePoint[] | undefined, point: SamplePoint): SamplePoint[] {
  const next = [...(series ?? []), point];
  if (next.length <= MAX_SERIES_POINTS) return next;
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}

export function thresholdsOf(phase: PlanPhase): ChartThresholds {
  const g = phase.gate;
  const t: ChartThresholds = {};
  if (g.p95LatencyMs !== undefined) t.p95LatencyMs = g.p95LatencyMs;
  if (g.errorRatePercent !== undefined) t.errorRatePercent = g.errorRatePercent;
  if (g.cpuPercent !== undefined) t.cpuPercent = g.cpuPercent;
  if (g.memoryPercent !== undefined) t.memoryPercent = g.memoryPercent;
  return t;
}
