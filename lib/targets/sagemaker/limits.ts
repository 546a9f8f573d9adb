import { TrafficStrategy, trafficSteps, type Traffic } from '../../plan/traffic-schema.js';

/**
 * SageMaker's limits on blue/green traffic shifting (API reference: TrafficRoutingConfig,
 * BlueGreenUpdatePolicy). Capacity sizes are % of the variant's instances.
 */
export const SAGEMAKER_LIMITS = {
  /** CanarySize: at most 50 % of the variant's capacity. */
  canaryMaxPercent: 50,
  /** LinearStepSize: 10 to 50 % of the variant's capacity. */
  linearPercent: { min: 10, max: 50 },
  /** WaitIntervalInSeconds: 0 to 3600. */
  waitSeconds: { min: 0, max: 3600 },
  /** MaximumExecutionTimeoutInSeconds: 600 to 28800, and larger than the waits' total. */
  executionTimeoutSeconds: { min: 600, max: 28_800 },
} as const;

/**
 * The waits of one blue/green update, s: SageMaker bakes after each step it turns on, the last
 * (100 %) included — canary: the canary's bake and the final one; linear: one per step.
 */
export function totalWaitSeconds(traffic: Traffic): number {
  if (traffic.strategy === TrafficStrategy.AllAtOnce) return 0;
  return trafficSteps(traffic).length * traffic.stepSeconds;
}

export interface LimitIssue {
  path: (string | number)[];
  message: string;
}

/**
 * A phase's traffic against SageMaker's limits, before any change. `where` is the traffic
 * block's path, `deadline` the phase's deadline (MaximumExecutionTimeoutInSeconds) with its path.
 */
export function sageMakerTrafficIssues(
  traffic: Traffic | undefined,
  where: (string | number)[],
  deadline: { seconds: number; path: (string | number)[] },
): LimitIssue[] {
  if (!traffic || traffic.strategy === TrafficStrategy.AllAtOnce) return [];
  const issues: LimitIssue[] = [];
  const steps = trafficSteps(traffic);
  if (traffic.strategy === TrafficStrategy.Canary) {
    if ((traffic.steps?.length ?? 1) > 1) {
      issues.push({
        path: [...where, 'steps'],
        message: `SageMaker's canary has one step (CanarySize) before 100 %: give one, e.g. [${traffic.steps?.[0]}], or use strategy linear`,
      });
    }
    const canary = steps[0] ?? 0;
    if (canary > SAGEMAKER_LIMITS.canaryMaxPercent) {
      issues.push({
        path: [...where, 'steps'],
        message: `SageMaker's CanarySize is at most ${SAGEMAKER_LIMITS.canaryMaxPercent} % of the variant's capacity, not ${canary}`,
      });
    }
  } else {
    const step = steps[0] ?? 0;
    const { min, max } = SAGEMAKER_LIMITS.linearPercent;
    if (traffic.steps !== undefined) {
      issues.push({ path: [...where, 'steps'], message: 'a linear shift takes stepPercent, not steps' });
    } else if (step < min || step > max) {
      issues.push({
        path: [...where, 'stepPercent'],
        message: `SageMaker's LinearStepSize is ${min} to ${max} % of the variant's capacity, not ${step}`,
      });
    }
  }
  const wait = SAGEMAKER_LIMITS.waitSeconds;
  if (traffic.stepSeconds < wait.min || traffic.stepSeconds > wait.max) {
    issues.push({
      path: [...where, 'stepSeconds'],
      message: `SageMaker's WaitIntervalInSeconds is ${wait.min} to ${wait.max} s, not ${traffic.stepSeconds}`,
    });
  }
  const timeout = SAGEMAKER_LIMITS.executionTimeoutSeconds;
  const waits = totalWaitSeconds(traffic);
  if (deadline.seconds < timeout.min || deadline.seconds > timeout.max) {
    issues.push({
      path: deadline.path,
      message: `SageMaker's MaximumExecutionTimeoutInSeconds (the phase's deadline) is ${timeout.min} to ${timeout.max} s, not ${deadline.seconds}`,
    });
  } else if (deadline.seconds <= waits) {
    issues.push({
      path: deadline.path,
      message: `SageMaker's MaximumExecutionTimeoutInSeconds (the phase's deadline, ${deadline.seconds} s) must exceed the waits of its steps (${steps.length} × ${traffic.stepSeconds} s = ${waits} s)`,
    });
  }
  return issues;
}
