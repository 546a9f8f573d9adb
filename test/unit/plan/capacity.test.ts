import { BundleInvalidError } from '../../../lib/errors.js';
import {
  assertCapacity,
  assertTaskMemory,
  capacityFit,
  describeCapacity,
  taskMemoryFit,
  type CapacityInput,
} from '../../../lib/plan/capacity.js';
import { capacitySchema } from '../../../lib/plan/capacity-schema.js';
import { describeIssues, manifestSchema } from '../../../lib/plan/schema.js';
import { targetSchema } from '../../../lib/plan/target-schema.js';

/** Seed 000, "Minimum Viable ML Deployment": 14.6 GB. */
const SEED_RECOMMENDED = { framework: 1.5, computerVision: 0.4, faissIndex: 7.0, libraries: 0.9, runtime: 0.8, buffer: 4.0 };
/** Seed 001, "Full SCIN Dataset Deployment": 24.6 GB. */
const SEED_FULL_SCIN = { ...SEED_RECOMMENDED, faissIndex: 10.0, datasetCache: 5.0, buffer: 6.0 };

function eb(instanceType: string | undefined, capacity: CapacityInput['capacity']): CapacityInput {
  const target = targetSchema.parse({
    type: 'elastic-beanstalk',
    environment: 'skin-prod',
    region: 'eu-west-1',
    application: 'skin',
    bucket: 'skin-bundles',
    ...(instanceType ? { instance: { instanceType } } : {}),
  });
  return { target, capacity };
}

function sagemaker(instanceType: string, capacity: CapacityInput['capacity']): CapacityInput {
  const target = targetSchema.parse({
    type: 'sagemaker',
    environment: 'skin-sm',
    region: 'eu-west-1',
    endpoint: 'skin',
    image: 'img',
    executionRoleArn: 'arn:aws:iam::123456789012:role/x',
    instanceType,
  });
  return { target, capacity };
}

describe('capacity preflight', () => {
  it('accepts the deployment guide’s recommended budget on m5.2xlarge', () => {
    const input = eb('m5.2xlarge', { components: SEED_RECOMMENDED });
    expect(capacityFit(input)).toEqual({
      requiredGb: 14.6,
      instanceType: 'm5.2xlarge',
      instanceMemoryGb: 32,
      limitPercent: 80,
      usagePercent: 45.63,
      fits: true,
      cheapestFit: { type: 'm5.2xlarge', memoryGb: 32, monthlyUsd: 280 },
    });
    expect(() => assertCapacity(input)).not.toThrow();
  });

  it('rejects the deployment guide’s t3.micro, naming the cheapest type that fits and its cost', () => {
    const input = eb('t3.micro', { components: SEED_RECOMMENDED });
    expect(() => assertCapacity(input)).toThrow(BundleInvalidError);
    expect(() => assertCapacity(input)).toThrow(
      'capacity: the service needs 14.6 GB but t3.micro has 1 GB (1460 %, over the 80 % memory gate); ' +
        'the cheapest instance type that fits is m5.2xlarge (32 GB, ~$280/month)',
    );
  });

  it('holds the need to the 80 % memory gate, not to the whole memory', () => {
    // 14.6 GB fits in c5.2xlarge's 16 GB, but not under its 12.8 GB gate.
    const fit = capacityFit(eb('c5.2xlarge', { memoryGb: 14.6 }));
    expect(fit).toMatchObject({ fits: false, usagePercent: 91.25, cheapestFit: { type: 'm5.2xlarge', monthlyUsd: 280 } });
    expect(capacityFit(eb('m5.xlarge', { memoryGb: 12.8 }))?.fits).toBe(true);
    expect(capacityFit(eb('m5.xlarge', { memoryGb: 12.81 }))?.fits).toBe(false);
  });

  it('prefers the cheaper of two types that fit', () => {
    expect(capacityFit(eb('t3.micro', { memoryGb: 8.6 }))?.cheapestFit).toEqual({ type: 'm5.xlarge', memoryGb: 16, monthlyUsd: 140 });
  });

  it('replaces a GPU type only by a GPU type', () => {
    const fit = capacityFit(eb('g4dn.xlarge', { components: SEED_FULL_SCIN }));
    expect(fit).toMatchObject({ requiredGb: 24.6, fits: false, cheapestFit: { type: 'p3.2xlarge', monthlyUsd: 2200 } });
  });

  it('names SageMaker types with their ml. prefix and skips types SageMaker does not host', () => {
    const fit = capacityFit(sagemaker('ml.m5.large', { memoryGb: 0.5 }));
    expect(fit).toMatchObject({
      instanceType: 'ml.m5.large',
      instanceMemoryGb: 8,
      fits: true,
      cheapestFit: { type: 'ml.m5.large', monthlyUsd: 70 },
    });
    expect(() => assertCapacity(sagemaker('ml.m5.large', { components: SEED_RECOMMENDED }))).toThrow(
      /the cheapest instance type that fits is ml\.m5\.2xlarge \(32 GB, ~\$280\/month\)$/,
    );
  });

  it('says so when nothing in the catalogue fits', () => {
    expect(() => assertCapacity(eb('m5.2xlarge', { memoryGb: 60 }))).toThrow(
      /no instance type in the catalogue fits 60 GB under the 80 % memory gate$/,
    );
  });

  it('has nothing to judge without a capacity, an instance type, or on a local target', () => {
    expect(capacityFit(eb('m5.2xlarge', undefined))).toBeNull();
    expect(capacityFit(eb(undefined, { memoryGb: 4 }))).toBeNull();
    expect(capacityFit({ target: targetSchema.parse({ environment: 'dev' }), capacity: { memoryGb: 4 } })).toBeNull();
    expect(() => assertCapacity(eb(undefined, { memoryGb: 400 }))).not.toThrow();
  });

  it('does not judge a type missing from the catalogue, and says so', () => {
    const input = eb('x2iedn.32xlarge', { memoryGb: 14.6 });
    expect(capacityFit(input)).toMatchObject({ instanceMemoryGb: null, fits: null, usagePercent: null });
    expect(() => assertCapacity(input)).not.toThrow();
    expect(describeCapacity(input)).toEqual([
      'capacity: needs 14.6 GB',
      '  x2iedn.32xlarge is not in the instance catalogue: not checked; the cheapest instance type that fits is m5.2xlarge (32 GB, ~$280/month)',
    ]);
  });
});

describe('describeCapacity (ml-rollout plan)', () => {
  it('shows the need by component, the fit and the cost', () => {
    expect(describeCapacity(eb('m5.2xlarge', { components: SEED_RECOMMENDED }))).toEqual([
      'capacity: needs 14.6 GB (framework 1.5 + computer vision 0.4 + FAISS index 7 + libraries 0.9 + runtime 0.8 + buffer 4)',
      '  m5.2xlarge: 32 GB, 8 vCPU, ~$280/month → 45.63 % of its memory, gate 80 %: fits',
    ]);
  });

  it('names a cheaper fit, and the cheapest when it does not fit', () => {
    expect(describeCapacity(eb('r5.2xlarge', { memoryGb: 14.6 }))).toEqual([
      'capacity: needs 14.6 GB',
      '  r5.2xlarge: 64 GB, 8 vCPU, ~$365/month → 22.81 % of its memory, gate 80 %: fits',
      '  the cheapest instance type that fits is m5.2xlarge (32 GB, ~$280/month)',
    ]);
    expect(describeCapacity(eb('g4dn.xlarge', { memoryGb: 14.6 }))).toEqual([
      'capacity: needs 14.6 GB',
      '  g4dn.xlarge: 16 GB, 4 vCPU, NVIDIA T4 (16 GB), ~$380/month → 91.25 % of its memory, gate 80 %: DOES NOT FIT',
      '  the cheapest instance type that fits is p3.2xlarge (61 GB, ~$2200/month)',
    ]);
  });

  it('suggests a type when the manifest names none, and notes SageMaker prices', () => {
    expect(describeCapacity(eb(undefined, { memoryGb: 8.6 }))).toEqual([
      'capacity: needs 8.6 GB',
      '  no instance type in the manifest to check it against; the cheapest instance type that fits is m5.xlarge (16 GB, ~$140/month)',
    ]);
    expect(describeCapacity(sagemaker('ml.m5.xlarge', { memoryGb: 8.6 })).at(-1)).toBe(
      '  (prices are EC2 on-demand, from the instance catalogue; SageMaker hosting costs more)',
    );
  });

  it('prints nothing without capacity', () => {
    expect(describeCapacity(eb('m5.2xlarge', undefined))).toEqual([]);
  });
});

describe('capacity schema', () => {
  it('takes a total or components, not both and not neither', () => {
    expect(capacitySchema.parse({ memoryGb: 14.6 })).toEqual({ memoryGb: 14.6 });
    expect(capacitySchema.safeParse({ memoryGb: 14.6, components: { framework: 1 } }).success).toBe(false);
    expect(capacitySchema.safeParse({}).success).toBe(false);
    expect(capacitySchema.safeParse({ components: {} }).success).toBe(false);
  });

  it('is the manifest capacity: field, unknown components named', () => {
    const r = manifestSchema.safeParse({ name: 'a', version: '1', target: { environment: 'e' }, capacity: { components: { gpu: 4 } } });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error)).toBe("unknown field 'gpu' in capacity.components");
  });
});

describe('capacity preflight of an ECS task (its memory, MiB)', () => {
  const ecs = targetSchema.parse({
    type: 'ecs',
    environment: 'yolo-prod',
    region: 'us-east-1',
    cluster: 'c',
    service: 's',
    containerName: 'api',
    image: 'img',
  });

  it('holds the need to 80 % of the task memory', () => {
    expect(taskMemoryFit({ memoryGb: 1.6 }, 2048)).toEqual({
      requiredGb: 1.6,
      taskMemoryMib: 2048,
      limitPercent: 80,
      usagePercent: 80,
      fits: true,
    });
    expect(taskMemoryFit({ components: { framework: 1.5, runtime: 0.5 } }, 2048)?.fits).toBe(false);
    expect(taskMemoryFit(undefined, 2048)).toBeNull();
    expect(() => assertTaskMemory({ memoryGb: 1.6 }, 2048, 'task definition yolo:3')).not.toThrow();
    expect(() => assertTaskMemory({ memoryGb: 2 }, 2048, 'task definition yolo:3')).toThrow(
      new BundleInvalidError(
        'capacity: the service needs 2 GB but task definition yolo:3 has 2048 MiB (100 %, over the 80 % memory gate); give the task at least 2560 MiB',
      ),
    );
  });

  it('a need without any stated task memory is rejected; no need, nothing to check', () => {
    expect(() => assertTaskMemory({ memoryGb: 1 }, null, 'task definition yolo:3')).toThrow(
      'capacity: task definition yolo:3 states no memory (task or container) to check the service',
    );
    expect(() => assertTaskMemory(undefined, null, 'task definition yolo:3')).not.toThrow();
  });

  it('plan says the check happens against the serving task definition, and the manifest alone never rejects', () => {
    const input = { target: ecs, capacity: { memoryGb: 64 } };
    expect(describeCapacity(input)).toEqual([
      'capacity: needs 64 GB',
      '  checked against the memory of the serving task definition (gate 80 %) before the first change',
    ]);
    expect(() => assertCapacity(input)).not.toThrow();
  });
});
