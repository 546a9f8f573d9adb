import { describeIssues, manifestSchema } from '../../../lib/plan/schema.js';
import { trafficSteps } from '../../../lib/plan/traffic-schema.js';

const EB = {
  type: 'elastic-beanstalk',
  environment: 'skin-prod',
  region: 'eu-west-1',
  application: 'skin-similarity',
  bucket: 'skin-bundles',
};
const SM = {
  type: 'sagemaker',
  environment: 'skin-sm',
  region: 'eu-central-1',
  endpoint: 'skin-similarity',
  image: '123456789012.dkr.ecr.eu-central-1.amazonaws.com/skin:1.2.0',
  executionRoleArn: 'arn:aws:iam::123456789012:role/sagemaker-exec',
  instanceType: 'ml.m5.xlarge',
};

/** The one line a rejected manifest gets (null: accepted). */
function verdict(target: Record<string, unknown>, extra: Record<string, unknown> = {}): string | null {
  const parsed = manifestSchema.safeParse({ name: 'skin-similarity', version: '1.2.0', target, ...extra });
  return parsed.success ? null : describeIssues(parsed.error);
}

describe('trafficSteps', () => {
  it('ends at 100', () => {
    expect(trafficSteps(undefined)).toEqual([100]);
    expect(trafficSteps({ strategy: 'canary', steps: [10, 50], stepSeconds: 60 })).toEqual([10, 50, 100]);
    expect(trafficSteps({ strategy: 'linear', stepPercent: 25, stepSeconds: 60 })).toEqual([25, 50, 75, 100]);
    expect(trafficSteps({ strategy: 'all-at-once', stepSeconds: 60 })).toEqual([100]);
  });
});

describe('Elastic Beanstalk: traffic and deployment policy, checked before any change', () => {
  it.each([
    ['a policy and its batch', { ...EB, deploymentPolicy: 'Rolling', batchSize: 25 }, {}],
    ['a fixed batch', { ...EB, deploymentPolicy: 'RollingWithAdditionalBatch', batchSize: 2, batchSizeType: 'Fixed' }, {}],
    ['a canary of one step, 5 minutes', EB, { traffic: { strategy: 'canary', steps: [10], stepSeconds: 300 } }],
    [
      'a canary with TrafficSplitting named',
      { ...EB, deploymentPolicy: 'TrafficSplitting' },
      { traffic: { strategy: 'canary', steps: [15], stepSeconds: 180 } },
    ],
  ])('accepts %s', (_name, target, extra) => {
    expect(verdict(target, extra)).toBeNull();
  });

  it.each([
    [
      'more than one canary step',
      EB,
      { traffic: { strategy: 'canary', steps: [10, 50], stepSeconds: 300 } },
      "traffic.steps: Elastic Beanstalk's traffic splitting has one step (NewVersionPercent) before 100 %: give one, e.g. [10]",
    ],
    [
      'an evaluation under 3 minutes',
      EB,
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 60 } },
      "traffic.stepSeconds: Elastic Beanstalk's EvaluationTime is whole minutes from 3 to 600: give 180 to 36000 s in steps of 60, not 60",
    ],
    [
      'an evaluation of part of a minute',
      EB,
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 190 } },
      "traffic.stepSeconds: Elastic Beanstalk's EvaluationTime is whole minutes from 3 to 600: give 180 to 36000 s in steps of 60, not 190",
    ],
    [
      'an evaluation over 600 minutes',
      EB,
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 36_060 } },
      "traffic.stepSeconds: Elastic Beanstalk's EvaluationTime is whole minutes from 3 to 600: give 180 to 36000 s in steps of 60, not 36060",
    ],
    [
      'linear',
      EB,
      { traffic: { strategy: 'linear', stepPercent: 25 } },
      'traffic.strategy: Elastic Beanstalk has no linear traffic shifting: use strategy canary (traffic splitting) or target.deploymentPolicy Rolling',
    ],
    [
      'a phase of its own with two steps',
      EB,
      { phases: [{ name: 'minimal' }, { name: 'ml', traffic: { strategy: 'canary', steps: [5, 20], stepSeconds: 300 } }] },
      "phases.1.traffic.steps: Elastic Beanstalk's traffic splitting has one step (NewVersionPercent) before 100 %: give one, e.g. [5]",
    ],
    [
      'a canary with another policy',
      { ...EB, deploymentPolicy: 'Immutable' },
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 300 } },
      'target.deploymentPolicy: a canary on Elastic Beanstalk is deploymentPolicy TrafficSplitting, not Immutable',
    ],
    [
      'a batch size without a batched policy',
      { ...EB, deploymentPolicy: 'Immutable', batchSize: 25 },
      {},
      'target.batchSize: batchSize applies to deploymentPolicy Rolling or RollingWithAdditionalBatch, not Immutable',
    ],
    [
      'a batch size without a policy',
      { ...EB, batchSize: 25 },
      {},
      "target.batchSize: batchSize applies to deploymentPolicy Rolling or RollingWithAdditionalBatch, not the environment's own policy",
    ],
    ['a batch size type alone', { ...EB, batchSizeType: 'Fixed' }, {}, 'target.batchSizeType: batchSizeType needs a batchSize'],
    [
      'a percentage over 100',
      { ...EB, deploymentPolicy: 'Rolling', batchSize: 150 },
      {},
      'target.batchSize: a Percentage batchSize is 1 to 100 (use batchSizeType: Fixed for a count)',
    ],
    ['an unknown policy', { ...EB, deploymentPolicy: 'BlueGreen' }, {}, expect.stringMatching(/^target\.deploymentPolicy: /)],
  ])('rejects %s with one line naming the field', (_name, target, extra, line) => {
    expect(verdict(target, extra)).toEqual(line);
  });
});

describe("SageMaker: traffic within SageMaker's limits, checked before any change", () => {
  it.each([
    ['a canary of 50 %', { traffic: { strategy: 'canary', steps: [50], stepSeconds: 600 } }],
    ['linear 10 %, no wait', { traffic: { strategy: 'linear', stepPercent: 10, stepSeconds: 0 } }],
    [
      'the longest timeout',
      { traffic: { strategy: 'linear', stepPercent: 50, stepSeconds: 3600 }, phases: [{ name: 'one', deadlineSeconds: 28_800 }] },
    ],
  ])('accepts %s', (_name, extra) => {
    expect(verdict(SM, extra)).toBeNull();
  });

  it.each([
    [
      'more than one canary step',
      { traffic: { strategy: 'canary', steps: [10, 50] } },
      "traffic.steps: SageMaker's canary has one step (CanarySize) before 100 %: give one, e.g. [10], or use strategy linear",
    ],
    [
      'a canary over 50 %',
      { traffic: { strategy: 'canary', steps: [60] } },
      "traffic.steps: SageMaker's CanarySize is at most 50 % of the variant's capacity, not 60",
    ],
    [
      'a linear step under 10 %',
      { traffic: { strategy: 'linear', stepPercent: 5 } },
      "traffic.stepPercent: SageMaker's LinearStepSize is 10 to 50 % of the variant's capacity, not 5",
    ],
    [
      'a linear step over 50 %',
      { traffic: { strategy: 'linear', stepPercent: 60 } },
      "traffic.stepPercent: SageMaker's LinearStepSize is 10 to 50 % of the variant's capacity, not 60",
    ],
    [
      'linear with steps (the traffic schema says so before the SageMaker limits)',
      { traffic: { strategy: 'linear', stepPercent: 20, steps: [10, 20] } },
      'traffic.steps: steps are for canary; linear has stepPercent',
    ],
    [
      'a wait over 3600 s',
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 3601 } },
      "traffic.stepSeconds: SageMaker's WaitIntervalInSeconds is 0 to 3600 s, not 3601",
    ],
    [
      'a deadline under 600 s',
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 60 }, phases: [{ name: 'one', deadlineSeconds: 300 }] },
      "phases.0.deadlineSeconds: SageMaker's MaximumExecutionTimeoutInSeconds (the phase's deadline) is 600 to 28800 s, not 300",
    ],
    [
      'a deadline over 28800 s',
      { traffic: { strategy: 'canary', steps: [10], stepSeconds: 60 }, phases: [{ name: 'one', deadlineSeconds: 30_000 }] },
      "phases.0.deadlineSeconds: SageMaker's MaximumExecutionTimeoutInSeconds (the phase's deadline) is 600 to 28800 s, not 30000",
    ],
    [
      'a deadline within the waits (default 1800 s)',
      { traffic: { strategy: 'linear', stepPercent: 25, stepSeconds: 600 } },
      "phases.0.deadlineSeconds: SageMaker's MaximumExecutionTimeoutInSeconds (the phase's deadline, 1800 s) must exceed the waits of its steps (4 × 600 s = 2400 s)",
    ],
  ])('rejects %s, naming the limit', (_name, extra, line) => {
    expect(verdict(SM, extra)).toBe(line);
  });

  it('rejects ten alarms of its own with a stepped shift (the rollout adds one; SageMaker watches 10)', () => {
    const alarms = Array.from({ length: 10 }, (_, i) => `alarm-${i}`);
    expect(verdict({ ...SM, alarms }, { traffic: { strategy: 'canary', steps: [10] } })).toBe(
      "target.alarms: a canary or linear shift adds the rollout's own alarm: name at most 9 (SageMaker watches 10)",
    );
  });
});
