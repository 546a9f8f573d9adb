/**
 * Every default of a rollout, in one place. The figures come from the seed documents: the phased
 * Elastic Beanstalk procedure (minimal package, ML dependencies, FAISS index + SCIN dataset,
 * metric verification) and its thresholds (CPU < 70 %, memory < 80 %, ML inference < 5 s,
 * error rate < 1 %, p95 under the 10 s that the seeds' gunicorn/nginx timeouts allow for).
 */

/** The phases used when a manifest names none (issue contract, seeds 000/001). */
export const DEFAULT_PHASES = [
  { name: 'minimal', settings: { ML_AVAILABLE: 'false', PRELOAD_FAISS: 'false' }, smoke: false },
  { name: 'ml-dependencies', settings: { ML_AVAILABLE: 'true' } },
  { name: 'faiss-scin', settings: { PRELOAD_FAISS: 'true', FAISS_DIMENSION: '512' } },
  {
    name: 'verify-metrics',
    bakeSeconds: 60,
    gate: { cpuPercent: 70, memoryPercent: 80, p95LatencyMs: 10000, errorRatePercent: 1 },
  },
] as const;

export const DEFAULTS = {
  healthPath: '/health',
  /** Per-request timeout of a health check, ms. */
  healthTimeoutMs: 2_000,
  /** Every smoke request must answer within this, ms ("ML inference < 5 s"). */
  inferenceMs: 5_000,
  /** How long a phase may take to become healthy, s, per target type (an EB or SageMaker update takes minutes). */
  deadlineSeconds: { local: 120, 'elastic-beanstalk': 900, sagemaker: 1800, ecs: 900 },
  /** How long a gate keeps measuring under load, s. */
  bakeSeconds: 0,
  /** The memory a local environment has, MiB. */
  localMemoryMb: 1024,
  /** Seconds between two stability polls (a Wait state), per target type. */
  pollSeconds: { local: 1, 'elastic-beanstalk': 15, sagemaker: 30, ecs: 15 },
  /** Seconds between two gate samples while baking (a Wait state), per target type. */
  sampleSeconds: { local: 1, 'elastic-beanstalk': 30, sagemaker: 60, ecs: 60 },
  /** How long a lock lasts past the longest the rollout can take, s. */
  lockMarginSeconds: 300,
  /** How long the restored version may take to become healthy again, s, per target type. */
  rollbackDeadlineSeconds: { local: 120, 'elastic-beanstalk': 900, sagemaker: 1800, ecs: 900 },
  /** While baking, each gate sample sends every smoke request this many times (the steady load). */
  bakeRoundsPerSample: 5,
  /** Largest number of latencies kept for a bake window (percentiles are computed over them). */
  maxLatencySamples: 2_000,
  /** How long each traffic step is measured under the phase's gate before the next, s. */
  trafficStepSeconds: 60,
  /** How long a pause (`approve: true`) waits for a person before the rollout rolls back, s. */
  approvalTimeoutSeconds: 3_600,
  /** Consecutive healthy probes before a phase counts as stable (as the ECS health check's healthy threshold). */
  healthyThreshold: 2,
  /** Consecutive failed health probes, once stable, that fail the phase (the ECS unhealthy threshold). */
  unhealthyThreshold: 2,
  /** Gate samples allowed to fail while a phase bakes (Argo's failureLimit). */
  failureLimit: 0,
  /** How often the local engine looks at the state store while a rollout waits for approval, ms. */
  approvalPollMs: 500,
} as const;

/** Where local state lives: $ML_ROLLOUT_HOME, default ./.ml-rollout. */
export function stateHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.ML_ROLLOUT_HOME && env.ML_ROLLOUT_HOME.length > 0 ? env.ML_ROLLOUT_HOME : '.ml-rollout';
}

/**
 * Defaults of the AWS targets (Elastic Beanstalk, SageMaker) and the capacity preflight, kept
 * apart from the rollout's own so that each block has one owner.
 */
export const AWS_DEFAULTS = {
  /** The memory gate the capacity preflight holds the service to, % of the instance's memory (seeds: memory < 80 %). */
  capacityLimitPercent: 80,
  /** CloudWatch period of the gate's metrics, s: SageMaker and the CloudWatch agent publish per minute. */
  metricPeriodSeconds: 60,
  /**
   * The shortest bake that sees a one-minute CloudWatch datapoint from after the phase became
   * stable, s: up to 60 s to the next whole minute, the 60 s period itself, and one to two minutes
   * until CloudWatch publishes it. `plan` warns about a shorter bake on an AWS target.
   */
  metricsBakeSeconds: 240,
  /** How far back a gate looks for the newest datapoint of a metric, s. */
  metricLookbackSeconds: 300,
  /** Where the CloudWatch agent publishes memory use on Elastic Beanstalk instances (% of the instance). */
  agentMemoryMetric: { namespace: 'CWAgent', name: 'mem_used_percent' },
  /** SageMaker: the name of the one production variant. */
  sagemakerVariant: 'AllTraffic',
  /** SageMaker: instances behind the endpoint when the manifest names no count. */
  sagemakerInstanceCount: 1,
  /** SageMaker blue/green: how long the new fleet serves with the manifest's alarms watched before the old one goes, s. */
  sagemakerAlarmBakeSeconds: 300,
  /** ECS: the statistic of the service's CPU and memory metrics (the busiest minute of its tasks' average). */
  ecsUtilizationStat: 'Maximum',
  /** S3 key prefix of bundles that `ml-rollout deploy` uploads. */
  bundlePrefix: 'ml-rollout/bundles/',
} as const;
