import * as z from 'zod';
import { AWS_DEFAULTS, DEFAULTS } from './defaults.js';

/** Lowercase letters, digits and dashes: safe as a directory, resource and execution name. */
export const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use lowercase letters, digits and dashes');

/** The vocabulary of target types. */
export const TargetType = {
  Local: 'local',
  ElasticBeanstalk: 'elastic-beanstalk',
  SageMaker: 'sagemaker',
} as const;
export type TargetType = (typeof TargetType)[keyof typeof TargetType];

/** A local environment: the bundle's Procfile `web:` process on this machine. */
export const localTargetSchema = z.strictObject({
  type: z.literal(TargetType.Local),
  environment: slug,
  /** The memory the environment has, MiB (default 1024); memoryPercent is measured against it. */
  memoryMb: z.number().int().min(16).max(1_048_576).default(DEFAULTS.localMemoryMb),
});

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region, e.g. eu-west-1');
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name');
const ec2InstanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type, e.g. m5.2xlarge');

/**
 * The seeds' environment upgrade (aws:autoscaling:launchconfiguration and aws:autoscaling:asg).
 * Applied with the first phase, in the same UpdateEnvironment as the new version, and put back
 * by a rollback like every other option the rollout changed.
 */
export const ebInstanceSchema = z
  .strictObject({
    /** EC2 instance type, e.g. m5.2xlarge (InstanceType). */
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

/** The manifest's `target:`. `type` defaults to local. */
export const targetSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !Array.isArray(value) && !('type' in value) ? { ...value, type: TargetType.Local } : value,
  z.discriminatedUnion('type', [localTargetSchema, elasticBeanstalkTargetSchema, sagemakerTargetSchema]),
);
export type TargetSpec = z.infer<typeof targetSchema>;
export type LocalTargetSpec = z.infer<typeof localTargetSchema>;
