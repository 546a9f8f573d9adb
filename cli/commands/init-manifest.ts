import { Document, isCollection, isPair, isScalar, visit } from 'yaml';
import { DEFAULT_PHASES } from '../../lib/plan/defaults.js';
import { describeIssues, manifestSchema } from '../../lib/plan/schema.js';
import { TargetType } from '../../lib/plan/target-schema.js';
import { BundleInvalidError } from '../../lib/errors.js';

/** The choices `ml-rollout init` makes (through prompts, or by default). */
export interface InitAnswers {
  name: string;
  target: TargetType;
  /** Names locks and state (and, on Elastic Beanstalk, the environment itself). */
  environment: string;
  /** AWS region; unused by the local target. */
  region: string;
  /** EC2 (elastic-beanstalk) or ml.* (sagemaker) instance type; null where the target has none (local, ecs). */
  instanceType: string | null;
  /** GB the service needs (the capacity preflight's input); null: not stated. */
  memoryGb: number | null;
  /** The inference proxy's answer cache: its TTL in s, or null when off. */
  cacheTtlSeconds: number | null;
}

/** Where the account id goes in the placeholders an AWS target needs (image, role). */
export const PLACEHOLDER_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'eu-west-1';
/** A local rollout bakes 10 s instead of 60 s, so that `deploy` of a new project answers in about a minute. */
const LOCAL_BAKE_SECONDS = 10;

/** The default environment name of a target (Elastic Beanstalk wants at least 4 characters). */
export function defaultEnvironment(name: string, target: TargetType): string {
  const suffix = target === TargetType.Local ? 'dev' : target === TargetType.SageMaker ? 'sm' : 'prod';
  return `${name}-${suffix}`.slice(0, 40).replace(/-+$/, '');
}

/** The default instance type of a target: the deployment guides' smallest ML-capable one. */
export function defaultInstanceType(target: TargetType): string | null {
  if (target === TargetType.ElasticBeanstalk) return 'm5.large';
  if (target === TargetType.SageMaker) return 'ml.m5.large';
  return null;
}

function targetBlock(a: InitAnswers): Record<string, unknown> {
  const ecr = `${PLACEHOLDER_ACCOUNT}.dkr.ecr.${a.region}.amazonaws.com/${a.name}:0.1.0`;
  switch (a.target) {
    case TargetType.Local:
      return { type: a.target, environment: a.environment, memoryMb: 1024 };
    case TargetType.ElasticBeanstalk:
      return {
        type: a.target,
        environment: a.environment,
        region: a.region,
        application: a.name,
        bucket: `${a.name}-bundles`,
        ...(a.instanceType ? { instance: { instanceType: a.instanceType } } : {}),
      };
    case TargetType.SageMaker:
      return {
        type: a.target,
        environment: a.environment,
        region: a.region,
        endpoint: a.name,
        image: ecr,
        executionRoleArn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role/${a.name}-sagemaker`,
        instanceType: a.instanceType ?? defaultInstanceType(a.target),
      };
    case TargetType.Ecs:
      return {
        type: a.target,
        environment: a.environment,
        region: a.region,
        cluster: `${a.name}-cluster`,
        service: `${a.name}-service`,
        containerName: a.name,
        image: ecr,
        // Seed 004's load balancer health check.
        healthCheck: { healthyThreshold: 2, unhealthyThreshold: 2, intervalSeconds: 30, timeoutSeconds: 20, matcher: '200' },
      };
  }
}

/** The manifest as data: default phases and thresholds, smoke requests, the target's fields. */
export function manifestOf(a: InitAnswers): Record<string, unknown> {
  const phases = DEFAULT_PHASES.map((p) =>
    a.target === TargetType.Local && 'bakeSeconds' in p ? { ...p, bakeSeconds: LOCAL_BAKE_SECONDS } : { ...p },
  );
  return {
    name: a.name,
    version: '0.1.0',
    target: targetBlock(a),
    health: { path: '/health' },
    smoke: [{ method: 'POST', path: '/predict', body: { input: [0.1, 0.2, 0.3, 0.4] }, expectStatus: 200 }],
    ...(a.memoryGb !== null ? { capacity: { memoryGb: a.memoryGb } } : {}),
    phases,
  };
}

/** Keys whose values read best on one line, as in the example bundle's rollout.yaml. */
const ONE_LINE = new Set(['settings', 'gate', 'body', 'healthCheck', 'instance']);

function compact(data: Record<string, unknown>): string {
  const doc = new Document(data);
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && ONE_LINE.has(String(pair.key.value)) && isCollection(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** rollout.yaml's text, checked against the manifest schema (what init writes always validates). */
export function manifestText(a: InitAnswers): string {
  const data = manifestOf(a);
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) throw new BundleInvalidError(`init: ${describeIssues(parsed.error)}`);
  const placeholders =
    a.target === TargetType.Local
      ? ''
      : `# Replace the placeholders before the first rollout: account ${PLACEHOLDER_ACCOUNT}${
          a.target === TargetType.ElasticBeanstalk ? `, bucket ${a.name}-bundles` : ''
        }, and the names of resources you already have.\n`;
  return (
    `# The rollout of ${a.name}: made by ml-rollout init. \`npx ml-rollout plan .\` shows what it does.\n` + placeholders + compact(data)
  );
}
