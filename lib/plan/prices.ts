/**
 * The AWS prices a rollout's cost estimate uses (USD), for the region and architecture that
 * serverless.yml deploys by default (eu-west-1, arm64, 512 MB). Checked on 2026-12-02 against
 * the published price pages: https://aws.amazon.com/step-functions/pricing/ (Standard
 * workflows: $0.025 per 1,000 state transitions in Europe (Ireland), as in us-east-1) and
 * https://aws.amazon.com/lambda/pricing/ (arm64 duration $0.0000133334 per GB-second, first
 * 7.5 billion GB-s a month; requests $0.20 per million). Free tiers are left out: the estimate
 * is what this rollout itself costs, not what a month's bill shows.
 */
export const PRICES = {
  region: 'eu-west-1',
  /** USD per state transition of a Standard workflow. */
  stepFunctionsStandardPerTransition: 0.025 / 1_000,
  /** USD per GB-second of Lambda duration (arm64). */
  lambdaPerGbSecond: 0.0000133334,
  /** USD per Lambda request. */
  lambdaPerRequest: 0.2 / 1_000_000,
  /** The task functions' memory, MB (serverless.yml provider.memorySize). */
  lambdaMemoryMb: 512,
  /** Where the prices come from, named in every estimate. */
  source: 'aws.amazon.com/step-functions/pricing + aws.amazon.com/lambda/pricing (eu-west-1, arm64), checked 2026-12-02',
} as const;
