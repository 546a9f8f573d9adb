import * as z from 'zod';
import { AWS_DEFAULTS, DEFAULTS } from './defaults.js';

/** Lowercase letters, digits and dashes: safe as a directory, resource and execution name. */
export const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use lowercase letters, digits and dashes');

/** The vocabulary of target types. */
export const TargetType = {
  Local: 'local',
  ElasticBeanstalk: 'elastic-beanstalk',
  SageMaker: 'sagemaker',
  Ecs: 'ecs',
} as const;
export type TargetType = (typeof TargetType)[keyof typeof TargetType];

/** A local environment: the bundle's Procfile `web:` process on this machine. */
export const localTargetSchema = z.strictObject({
  type: z.literal(TargetType.Local),
  environment: slug,
  /** The memory the environment has, MiB (default 1024); memoryPercent is measured against it. */
  memoryMb: z.number().int().min(16).max(1_048_576).default(DEFAULTS.localMemoryMb),
});

const region = z
  .string({ error: 'required: the AWS region of the target, e.g. eu-west-1 (its buckets are read there too)' })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region, e.g. eu-west-1');
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name');
const ec2InstanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type, e.g. m5.2xlarge');

/**
 * The seeds' environment upgrade (aws:autoscaling:launchconfiguration and aws:autoscaling:asg).
 * Applied with the first phase, in the same UpdateEnvironment as the new version, and put back
 * by a rollback like every other option the rollout changed.
 */
export const ebInstanceSchema = z
  .strictObject({
    /** EC2 instance type, e.g. m5.2xlarge (aws:ec2:instances InstanceTypes). */
    instanceType: ec2InstanceType.optional(),
    /** Root volume size, GB (RootVolumeSize). */
    rootVolumeSize: z.number().int().min(8).max(16_384).optional(),
    /** standard | gp2 | gp3 | io1 (RootVolumeType). */
    rootVolumeType: z.enum(['standard', 'gp2', 'gp3', 'io1']).optional(),
    /** Provisioned IOPS of io1/gp3 volumes (RootVolumeIOPS). */
    rootVolumeIops: z.number().int().min(100).max(64_000).optional(),
    /** Throughput of gp3 volumes, MiB/s (RootVolumeThroughput). */
    rootVolumeThroughput: z.number().int().min(125).max(1_000).optional(),
    /** Fewest instances (aws:autoscaling:asg MinSize). */
    minSize: z.number().int().min(1).max(10_000).optional(),
    /** Most instances (MaxSize). */
    maxSize: z.number().int().min(1).max(10_000).optional(),
    /** Time between scaling activities, s (Cooldown). */
    cooldown: z.number().int().min(0).max(10_000).optional(),
  })
  .refine((i) => Object.values(i).some((v) => v !== undefined), { message: 'name at least one instance setting' })
  .refine((i) => i.minSize === undefined || i.maxSize === undefined || i.minSize <= i.maxSize, {
    message: 'minSize must not exceed maxSize',
    path: ['minSize'],
  });
export type EbInstanceSpec = z.infer<typeof ebInstanceSchema>;

/** Elastic Beanstalk's deployment policies (aws:elasticbeanstalk:command DeploymentPolicy). */
export const EB_DEPLOYMENT_POLICIES = ['AllAtOnce', 'Rolling', 'RollingWithAdditionalBatch', 'Immutable', 'TrafficSplitting'] as const;

/** An existing Elastic Beanstalk environment; the bundle becomes an application version from S3. */
export const elasticBeanstalkTargetSchema = z.strictObject({
  type: z.literal(TargetType.ElasticBeanstalk),
  /** The Elastic Beanstalk environment's name (4 to 40 characters); also names locks and state. */
  environment: slug.min(4, 'an Elastic Beanstalk environment name has at least 4 characters').max(40),
  region,
  /** The Elastic Beanstalk application the environment belongs to. */
  application: z.string().min(1).max(100),
  /** Where bundles are uploaded and application versions read from. */
  bucket,
  instance: ebInstanceSchema.optional(),
  /** The rollout's deployment policy (aws:elasticbeanstalk:command DeploymentPolicy); the environment's own is put back afterwards. */
  deploymentPolicy: z.enum(EB_DEPLOYMENT_POLICIES).optional(),
  /** Instances per batch of a Rolling or RollingWithAdditionalBatch deployment (BatchSize): % or a count, per batchSizeType. */
  batchSize: z.number().int().min(1).max(10_000).optional(),
  /** Percentage (default) or Fixed (BatchSizeType). */
  batchSizeType: z.enum(['Percentage', 'Fixed']).optional(),
});
export type ElasticBeanstalkTargetSpec = z.infer<typeof elasticBeanstalkTargetSchema>;

/**
 * A SageMaker real-time endpoint. Every phase is a model (the phase's settings as the container's
 * environment) and an endpoint config, deployed blue/green; the endpoint is created by the first
 * rollout. `environment` names locks and state, `endpoint` the SageMaker resource.
 */
export const sagemakerTargetSchema = z.strictObject({
  type: z.literal(TargetType.SageMaker),
  environment: slug,
  region,
  endpoint: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'a SageMaker endpoint name: letters, digits, dashes, at most 63'),
  /** The inference container image (ECR URI). */
  image: z.string().min(1).max(255),
  /** The model artifacts (s3://…/model.tar.gz); optional for images that carry their model. */
  modelDataUrl: z.string().startsWith('s3://', 'an s3:// URL').optional(),
  /** The IAM role SageMaker assumes to pull the image and the model data. */
  executionRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN'),
  /** e.g. ml.m5.xlarge */
  instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'a SageMaker instance type, e.g. ml.m5.xlarge'),
  /** Instances behind the endpoint (default 1). */
  instanceCount: z.number().int().min(1).max(100).default(AWS_DEFAULTS.sagemakerInstanceCount),
  /** CloudWatch alarms that make SageMaker roll a blue/green update back by itself (at most 10). */
  alarms: z.array(z.string().min(1).max(255)).min(1).max(10).optional(),
});
export type SageMakerTargetSpec = z.infer<typeof sagemakerTargetSchema>;

/**
 * The target group's health check (seed 004's load balancer health checks). Applied with
 * ModifyTargetGroup before the first phase where the target group's differs; fields left out
 * keep the target group's value.
 */
export const ecsHealthCheckSchema = z
  .strictObject({
    /** Consecutive successes before a target counts as healthy (2–10). */
    healthyThreshold: z.number().int().min(2).max(10).optional(),
    /** Consecutive failures before a target counts as unhealthy (2–10). */
    unhealthyThreshold: z.number().int().min(2).max(10).optional(),
    /** s between two checks of a target (5–300). */
    intervalSeconds: z.number().int().min(5).max(300).optional(),
    /** s without an answer that fail a check (2–120); less than intervalSeconds. */
    timeoutSeconds: z.number().int().min(2).max(120).optional(),
    /** HTTP codes that pass: "200", "200,202" or "200-299". */
    matcher: z
      .string()
      .regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, 'HTTP codes: "200", "200,202" or "200-299"')
      .optional(),
  })
  .refine((h) => Object.values(h).some((v) => v !== undefined), { message: 'name at least one health check setting' })
  .refine((h) => h.intervalSeconds === undefined || h.timeoutSeconds === undefined || h.timeoutSeconds < h.intervalSeconds, {
    message: 'timeoutSeconds must be less than intervalSeconds',
    path: ['timeoutSeconds'],
  });
export type EcsHealthCheckSpec = z.infer<typeof ecsHealthCheckSchema>;

const ecsName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'letters, digits, dashes and underscores, at most 255');

/**
 * An existing ECS service behind an Application Load Balancer (seed 004). Every phase registers a
 * revision of the serving task definition with the image and the phase's settings, and updates
 * the service to it with the deployment circuit breaker on.
 */
export const ecsTargetSchema = z.strictObject({
  type: z.literal(TargetType.Ecs),
  /** Names locks and state. */
  environment: slug,
  region,
  /** The cluster's name (or ARN). */
  cluster: z.union([ecsName, z.string().regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/.+$/, 'a cluster name or ARN')]),
  /** The service's name. */
  service: ecsName,
  /** The container of the task definition that runs the bundle's service. */
  containerName: ecsName,
  /** The image the container runs (an ECR URI with its tag or digest). */
  image: z.string().min(1).max(1024),
  /** The target group the service registers with; read from the service when absent. */
  targetGroupArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[^/]+\/[0-9a-f]+$/, 'a target group ARN')
    .optional(),
  /** Where health and smoke requests go (a path prefix is kept); default: the load balancer's DNS name. */
  url: z
    .url({ protocol: /^https?$/ })
    // The gates go to this origin and path prefix only: no credentials, query, fragment or `//` in the prefix.
    .refine((u) => {
      const x = new URL(u);
      return !x.username && !x.password && !x.search && !x.hash && !x.pathname.includes('//') && !u.includes('\\');
    }, 'a base URL: scheme, host, port and a path prefix only (no user:password@, ?query, #fragment, // or backslash)')
    .optional(),
  healthCheck: ecsHealthCheckSchema.optional(),
});
export type EcsTargetSpec = z.infer<typeof ecsTargetSchema>;

/** The manifest's `target:`. `type` defaults to local. */
export const targetSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !Array.isArray(value) && !('type' in value) ? { ...value, type: TargetType.Local } : value,
  z.discriminatedUnion('type', [localTargetSchema, elasticBeanstalkTargetSchema, sagemakerTargetSchema, ecsTargetSchema]),
);
export type TargetSpec = z.infer<typeof targetSchema>;
export type LocalTargetSpec = z.infer<typeof localTargetSchema>;
