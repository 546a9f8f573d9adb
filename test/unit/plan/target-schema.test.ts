import { describeIssues, manifestSchema } from '../../../lib/plan/schema.js';
import { targetSchema } from '../../../lib/plan/target-schema.js';

const eb = {
  type: 'elastic-beanstalk',
  environment: 'skin-prod',
  region: 'eu-west-1',
  application: 'skin-similarity',
  bucket: 'skin-bundles',
};
const sm = {
  type: 'sagemaker',
  environment: 'skin-sm',
  region: 'eu-central-1',
  endpoint: 'skin-similarity',
  image: '123456789012.dkr.ecr.eu-central-1.amazonaws.com/skin:1.2.0',
  modelDataUrl: 's3://skin-models/model.tar.gz',
  executionRoleArn: 'arn:aws:iam::123456789012:role/sagemaker-exec',
  instanceType: 'ml.m5.xlarge',
};

function problem(target: unknown): string {
  const r = manifestSchema.safeParse({ name: 'skin', version: '1.0.0', target });
  if (r.success) throw new Error('expected the manifest to be rejected');
  return describeIssues(r.error);
}

describe('target schema: elastic-beanstalk', () => {
  it('accepts the deployment guide’s environment upgrade as instance settings', () => {
    const t = targetSchema.parse({
      ...eb,
      instance: {
        instanceType: 'm5.2xlarge',
        rootVolumeSize: 100,
        rootVolumeType: 'gp3',
        rootVolumeIops: 3000,
        rootVolumeThroughput: 125,
        minSize: 1,
        maxSize: 3,
        cooldown: 300,
      },
    });
    expect(t).toEqual({
      ...eb,
      instance: {
        instanceType: 'm5.2xlarge',
        rootVolumeSize: 100,
        rootVolumeType: 'gp3',
        rootVolumeIops: 3000,
        rootVolumeThroughput: 125,
        minSize: 1,
        maxSize: 3,
        cooldown: 300,
      },
    });
  });

  it('needs no instance settings', () => {
    expect(targetSchema.parse(eb)).toEqual(eb);
  });

  it('names unknown fields, also inside instance', () => {
    expect(problem({ ...eb, stack: 'python' })).toBe("unknown field 'stack' in target");
    expect(problem({ ...eb, instance: { InstanceType: 'm5.large' } })).toBe("unknown field 'InstanceType' in target.instance");
  });

  it('rejects what Elastic Beanstalk would reject, naming the field', () => {
    expect(problem({ ...eb, environment: 'abc' })).toMatch(/^target\.environment: an Elastic Beanstalk environment name has at least 4/);
    expect(problem({ ...eb, region: 'Ireland' })).toMatch(/^target\.region: an AWS region/);
    expect(problem({ ...eb, bucket: 'My_Bucket' })).toMatch(/^target\.bucket: an S3 bucket name/);
    expect(problem({ ...eb, instance: { minSize: 4, maxSize: 2 } })).toBe('target.instance.minSize: minSize must not exceed maxSize');
    expect(problem({ ...eb, instance: {} })).toBe('target.instance: name at least one instance setting');
    expect(problem({ ...eb, instance: { rootVolumeType: 'sc1' } })).toMatch(/^target\.instance\.rootVolumeType:/);
  });

  it('requires application and bucket', () => {
    const { application: _a, ...noApp } = eb;
    expect(problem(noApp)).toMatch(/^target\.application:/);
    const { bucket: _b, ...noBucket } = eb;
    expect(problem(noBucket)).toMatch(/^target\.bucket:/);
  });
});

describe('target schema: sagemaker', () => {
  it('defaults the instance count to 1', () => {
    expect(targetSchema.parse(sm)).toEqual({ ...sm, instanceCount: 1 });
  });

  it('accepts alarms and a model baked into the image', () => {
    const { modelDataUrl: _m, ...noModelData } = sm;
    const t = targetSchema.parse({ ...noModelData, instanceCount: 2, alarms: ['skin-5xx', 'skin-latency'] });
    expect(t).toEqual({ ...noModelData, instanceCount: 2, alarms: ['skin-5xx', 'skin-latency'] });
  });

  it('rejects bad names and types', () => {
    expect(problem({ ...sm, instanceType: 'm5.xlarge' })).toMatch(/^target\.instanceType: a SageMaker instance type/);
    expect(problem({ ...sm, executionRoleArn: 'sagemaker-exec' })).toMatch(/^target\.executionRoleArn: an IAM role ARN/);
    expect(problem({ ...sm, endpoint: 'skin_similarity' })).toMatch(/^target\.endpoint:/);
    expect(problem({ ...sm, modelDataUrl: 'https://example.com/m.tar.gz' })).toMatch(/^target\.modelDataUrl: an s3:\/\/ URL/);
    expect(problem({ ...sm, alarms: Array.from({ length: 11 }, (_, i) => `a${i}`) })).toMatch(/^target\.alarms:/);
    expect(problem({ ...sm, alarms: [] })).toMatch(/^target\.alarms:/);
  });

  it('requires an environment on every target type', () => {
    const { environment: _e, ...noEnv } = sm;
    expect(problem(noEnv)).toMatch(/^target\.environment:/);
  });
});

describe('target schema: local', () => {
  it('stays the default type', () => {
    expect(targetSchema.parse({ environment: 'skin-dev' })).toEqual({ type: 'local', environment: 'skin-dev', memoryMb: 1024 });
  });

  it('rejects AWS fields on a local target', () => {
    expect(problem({ environment: 'skin-dev', region: 'eu-west-1' })).toBe("unknown field 'region' in target");
  });
});

describe('target schema: ecs', () => {
  const ecs = {
    type: 'ecs',
    environment: 'yolo-prod',
    region: 'us-east-1',
    cluster: 'image-processing-cluster',
    service: 'yoloflask-ecs-service',
    containerName: 'yoloflask-api',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/yoloflask/api:prod',
  };

  it("accepts the contract's fields, the optional ones included", () => {
    const full = {
      ...ecs,
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/ecstargetgroupyolo/0123456789abcdef',
      url: 'http://ecs-load-balancer-123.us-east-1.elb.amazonaws.com/yoloapi',
      healthCheck: { healthyThreshold: 2, unhealthyThreshold: 2, intervalSeconds: 30, timeoutSeconds: 20, matcher: '200' },
    };
    expect(targetSchema.parse(full)).toEqual(full);
    expect(targetSchema.parse(ecs)).toEqual(ecs);
  });

  it('rejects a manifest outside the schema, naming the field', () => {
    expect(problem({ ...ecs, taskDefinition: 'yolo:3' })).toBe("unknown field 'taskDefinition' in target");
    expect(problem({ ...ecs, healthCheck: { healthyThreshold: 2, path: '/health' } })).toBe("unknown field 'path' in target.healthCheck");
    expect(problem({ ...ecs, service: undefined })).toMatch(/^target\.service: /);
    expect(problem({ ...ecs, targetGroupArn: 'ecstargetgroupyolo' })).toMatch(/^target\.targetGroupArn: a target group ARN/);
    expect(problem({ ...ecs, url: 'ftp://x' })).toMatch(/^target\.url: /);
    expect(problem({ ...ecs, healthCheck: { intervalSeconds: 10, timeoutSeconds: 20 } })).toBe(
      'target.healthCheck.timeoutSeconds: timeoutSeconds must be less than intervalSeconds',
    );
    expect(problem({ ...ecs, healthCheck: { matcher: 'ok' } })).toMatch(/^target\.healthCheck\.matcher: HTTP codes/);
    expect(problem({ ...ecs, healthCheck: {} })).toBe('target.healthCheck: name at least one health check setting');
  });
});
