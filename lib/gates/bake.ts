import { DEFAULTS } from '../plan/defaults.js';
import type { PlanPhase } from '../plan/plan.js';
import type { RequestResult, Sample, TargetMetrics, VersionWindows } from './sample.js';
import { summarize } from './stats.js';
import type { Check } from './verdict.js';

/**
 * The measurements of one gate, accumulated sample by sample while the phase bakes. It travels
 * through the state machine as JSON (at $.phaseRun.bake), so it holds plain numbers only.
 */
export interface BakeWindow {
  /** Index of the phase this window measures. */
  phase: number;
  /** epoch ms of the first sample */
  startedAt: number;
  /** epoch ms when the window is complete (startedAt + bakeSeconds) */
  until: number;
  samples: number;
  /** Smoke requests sent, and how many did not answer as expected. */
  requests: number;
  failures: number;
  /** Smoke latencies, ms; the newest DEFAULTS.maxLatencySamples are kept. */
  latencies: number[];
  /** The latest sample's health and smoke results. */
  health: RequestResult;
  lastRequests: RequestResult[];
  /** CPU use over the window so far, % of one core; null when not measurable. */
  cpuPercent: number | null;
  /** Highest memory use seen, % of the environment's memory; null when not measurable. */
  memoryPercent: number | null;
  /** Latency and error metrics the target measured itself (CloudWatch), when it did. */
  targetMetrics: TargetMetrics | null;
  /** epoch ms the target's metrics count from (Sample.metricsSince). */
  metricsSince?: number;
  /** The target's counters for the next sample. */
  cursor: Record<string, unknown> | null;
  /** Set once the window is complete and its verdict passed. */
  done: boolean;
  /** The latest verdict's checks. */
  checks: Check[];
  /** Index of the traffic step this window measures (absent: the phase's only one). */
  step?: number;
  /** What the router saw of each version over the window (user traffic), where it splits it. */
  versions?: VersionWindows;
  /** Samples whose health probe or a smoke request failed, over the window (failureLimit holds it). */
  failedSamples?: number;
  /** Failed health probes in a row up to the latest sample (unhealthyThreshold holds it). */
  healthFailuresInARow?: number;
}

/** A sample failed when its health probe did, or one of its smoke requests where each one is judged (no error budget). */
export function sampleFailed(sample: Sample, phase: PlanPhase): boolean {
  const smokeJudged = phase.smoke && phase.gate.errorRatePercent === undefined;
  return !sample.health.ok || (smokeJudged && sample.requests.some((r) => !r.ok));
}

/** Adds one sample to the window (a new window when `window` is null or belongs to another phase). */
export function accumulate(window: BakeWindow | null, sample: Sample, phase: PlanPhase): BakeWindow {
  const w =
    window && window.phase === phase.index
      ? window
      : {
          phase: phase.index,
          startedAt: sample.at,
          until: sample.at + phase.bakeSeconds * 1000,
          samples: 0,
          requests: 0,
          failures: 0,
          latencies: [],
          memoryPercent: null,
          failedSamples: 0,
          healthFailuresInARow: 0,
        };
  const latencies = [...w.latencies, ...sample.requests.map((r) => r.latencyMs)].slice(-DEFAULTS.maxLatencySamples);
  const peak = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  return {
    phase: w.phase,
    startedAt: w.startedAt,
    until: w.until,
    samples: w.samples + 1,
    requests: w.requests + sample.requests.length,
    failures: w.failures + sample.requests.filter((r) => !r.ok).length,
    latencies,
    health: sample.health,
    lastRequests: sample.requests,
    cpuPercent: sample.cpuPercent,
    memoryPercent: peak(w.memoryPercent, sample.memoryPercent),
    targetMetrics: sample.metrics ?? null,
    ...(sample.metricsSince !== undefined ? { metricsSince: sample.metricsSince } : {}),
    cursor: sample.cursor,
    done: false,
    checks: [],
    failedSamples: (w.failedSamples ?? 0) + (sampleFailed(sample, phase) ? 1 : 0),
    healthFailuresInARow: sample.health.ok ? 0 : (w.healthFailuresInARow ?? 0) + 1,
  };
}

/** True once the window has measured for the phase's whole bake time. */
export function isComplete(window: BakeWindow, now: number): boolean {
  return now >= window.until;
}

/** What a window measured, for reports: every figure, whether or not a threshold was set. */
export interface WindowMeasurements {
  samples: number;
  requests: number;
  failures: number;
  /** ms */
  p50LatencyMs: number | null;
  /** ms */
  p95LatencyMs: number | null;
  /** ms */
  p99LatencyMs: number | null;
  /** ms: the mean of the slowest 5 % (TargetMetrics); present only where the target reports it. */
  slowest5PercentMeanLatencyMs?: number | null;
  /** % of one core */
  cpuPercent: number | null;
  /** peak, % of the environment's memory */
  memoryPercent: number | null;
}

export function measurementsOf(w: BakeWindow): WindowMeasurements {
  const lat = summarize(w.latencies);
  return {
    samples: w.samples,
    requests: w.requests,
    failures: w.failures,
    p50LatencyMs: lat.p50,
    p95LatencyMs: w.targetMetrics?.p95LatencyMs ?? lat.p95,
    p99LatencyMs: lat.p99,
    ...(w.targetMetrics?.slowest5PercentMeanLatencyMs !== undefined
      ? { slowest5PercentMeanLatencyMs: w.targetMetrics.slowest5PercentMeanLatencyMs }
      : {}),
    cpuPercent: w.cpuPercent,
    memoryPercent: w.memoryPercent,
  };
}
