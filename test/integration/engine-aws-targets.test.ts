import { FailName } from '../../lib/errors.js';
import { Readable } from 'node:stream';
import type { Server } from 'node:http';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateApplicationVersionCommand, ElasticBeanstalkClient, UpdateEnvironmentCommand } from '@aws-sdk/client-elastic-beanstalk';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, DeleteEndpointCommand, SageMakerClient, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client, ModifyTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { stringify } from 'yaml';
import { runStateMachine, type RunResult } from '../../cli/engine.js';
import type { Runtime } from '../../lib/runtime.js';
import { tempRuntime } from '../support/local-runtime.js';
import { zipBuffer } from '../support/zips.js';
import { closeServer, fakeService } from '../unit/targets/aws-plans.js';
import { APP, ebError, ENV, FakeEb } from '../unit/targets/elastic-beanstalk/fake-eb.js';
import { FakeSageMaker, SM_TARGET } from '../unit/targets/sagemaker/fake-sagemaker.js';
import { FakeEcs, OLD, ecsError, ecsTarget, tdArn } from '../unit/targets/ecs/fake-ecs.js';

/**
 * statemachines/rollout.asl.yml run by the local engine with each AWS target behind mocked
 * clients (S3 for the bundle, Elastic Beanstalk + CloudWatch, SageMaker + runtime + CloudWatch, ECS + ELB + CloudWatch):
 * the same flow, tasks and gates as a local rollout, path by path.
 */
const eb = mockClient(ElasticBeanstalkClient);
const cw = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);
const sm = mockClient(SageMakerClient);
const smRuntime = mockClient(SageMakerRuntimeClient);
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);

const BUCKET = 'skin-bundles';
const bundles = new Map<string, Buffer>();
let rt: Runtime;
let cleanup: (envs: string[]) => Promise<void>;
let service: { host: string; server: Server };
let n = 0;

const PHASES = [
  { name: 'minimal', settings: { ML_AVAILABLE: 'false', PRELOAD_FAISS: 'false' }, smoke: false, deadlineSeconds: 30 },
  { name: 'ml-dependencies', settings: { ML_AVAILABLE: 'true' }, deadlineSeconds: 30 },
  { name: 'faiss-scin', settings: { PRELOAD_FAISS: 'true', FAISS_DIMENSION: '512' }, deadlineSeconds: 30 },
  { name: 'verify-metrics', deadlineSeconds: 30, gate: { cpuPercent: 70, memoryPercent: 80, p95LatencyMs: 10000, errorRatePercent: 1 } },
];

/** Puts a bundle for `target` into the mocked bucket, as `ml-rollout deploy` uploads it. */
async function upload(
  version: string,
  target: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<{ bucket: string; key: string; region: string }> {
  const manifest = {
    name: 'skin-similarity',
    version,
    target,
    ...extra,
    smoke: [{ method: 'POST', path: '/predict', body: { embedding: [0.1, 0.2] }, expectStatus: 200 }],
    phases: PHASES,
  };
  const key = `ml-rollout/bundles/skin-similarity/${target.type}-${version}.zip`;
  bundles.set(
    key,
    await zipBuffer([
      { name: 'rollout.yaml', content: stringify(manifest) },
      { name: 'Procfile', content: 'web: gunicorn app:app --bind 0.0.0.0:$PORT\n' },
      { name: 'app.py', content: '# the service\n' },
    ]),
  );
  // The manifest's region travels with the reference, as the CLI sends it (AWS_REGION is not set here).
  return { bucket: BUCKET, key, region: target.region as string };
}

const run = (bundle: { bucket: string; key: string; region?: string }) =>
  runStateMachine({ name: 'rollout', input: { rolloutId: `aws${++n}`, bundle }, waitMs: 2, retryMs: 2 });
const states = (r: RunResult) => r.transitions.map((t) => t.state);
const count = (r: RunResult, state: string) => states(r).filter((s) => s === state).length;

beforeAll(async () => {
  ({ rt, cleanup } = await tempRuntime());
  service = await fakeService();
});
afterAll(async () => {
  await closeServer(service.server);
  await cleanup([]);
  for (const m of [eb, cw, s3, sm, smRuntime, ecs, elb]) m.restore();
});
beforeEach(() => {
  for (const m of [eb, cw, s3, sm, smRuntime, ecs, elb]) m.reset();
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: Readable.from([bundles.get(input.Key)!]) }));
});

describe('rollout.asl.yml on Elastic Beanstalk (mocked)', () => {
  const target = { type: 'elastic-beanstalk', environment: ENV, region: 'eu-west-1', application: APP, bucket: BUCKET };
  let fake: FakeEb;
  beforeAll(() => {
    fake = new FakeEb(Date.now, service.host);
    fake.env.VersionLabel = 'Sample Application';
    fake.versions.set('Sample Application', { status: 'PROCESSED', created: new Date(0), processingPolls: 0 });
    // Version 2.0.0 falls over once the FAISS index loads: enhanced health goes Severe.
    fake.afterUpdate = (f) => {
      const sick =
        f.env.VersionLabel?.startsWith('2.0.0-') && f.option('aws:elasticbeanstalk:application:environment', 'PRELOAD_FAISS') === 'true';
      Object.assign(
        f.health,
        sick
          ? { HealthStatus: 'Severe', Color: 'Red', Causes: ['50.0 % of the requests are failing with HTTP 5xx.'] }
          : { HealthStatus: 'Ok', Color: 'Green', Causes: [] },
      );
    };
  });
  beforeEach(() => fake.install(eb, cw));

  it('success: four phases through the same states, one application version, known-good recorded', async () => {
    const r = await run(await upload('1.0.0', target));
    expect(r.status).toBe('SUCCEEDED');
    expect(count(r, 'ApplyPhase')).toBe(4);
    expect(count(r, 'SampleGate')).toBe(4);
    expect(states(r).slice(-6)).toEqual(['RecordKnownGood', 'RetireOld', 'ReleaseLock', 'Outcome', 'NotifySucceeded', 'Succeeded']);
    expect(eb).toHaveReceivedCommandTimes(CreateApplicationVersionCommand, 1);
    expect(eb).toHaveReceivedCommandTimes(UpdateEnvironmentCommand, 3);
    expect(fake.env.VersionLabel).toMatch(/^1\.0\.0-[0-9a-f]{12}$/);
    const good = await rt.state.getKnownGood(ENV);
    expect(good?.current).toMatchObject({ version: '1.0.0', targetState: { versionLabel: fake.env.VersionLabel } });
    expect(await rt.locks.get(ENV)).toBeNull();
  });

  it('the same bundle again: Unchanged, no update', async () => {
    const r = await run(await upload('1.0.0', target));
    expect(states(r)).toEqual(['ValidateBundle', 'AcquireLock', 'TakeSnapshot', 'AlreadyServing', 'ReleaseLock', 'Outcome', 'Unchanged']);
    expect(eb).not.toHaveReceivedCommand(UpdateEnvironmentCommand);
  });

  it('a gate failure (enhanced health Severe in faiss-scin) rolls back to 1.0.0, verified', async () => {
    const before = fake.env.VersionLabel;
    const r = await run(await upload('2.0.0', target));
    expect(r.error).toBe(FailName.RolledBack);
    expect(count(r, 'ApplyPhase')).toBe(3);
    const s = states(r);
    expect(s[s.indexOf('RestoreSnapshot') - 1]).toBe('SampleGate');
    expect(s.slice(-5)).toEqual(['RestoreHealthy', 'ReleaseLock', 'Outcome', 'NotifyRolledBack', 'RolledBack']);
    expect(r.cause).toMatch(
      /^faiss-scin gate failed: health .*Elastic Beanstalk health is Severe \(Red\): 50\.0 % of the requests are failing with HTTP 5xx\./,
    );
    const restore = eb.commandCalls(UpdateEnvironmentCommand).at(-1)!.args[0].input;
    expect(restore).toMatchObject({ VersionLabel: before });
    expect(restore.OptionsToRemove).toBeUndefined(); // 1.0.0 had set every variable 2.0.0 touched
    expect(fake.env.VersionLabel).toBe(before);
    expect(fake.option('aws:elasticbeanstalk:application:environment', 'PRELOAD_FAISS')).toBe('true');
    expect((await rt.state.getRollout(ENV, `aws${n}`))?.rollback).toEqual({ performed: true, restoredVersion: '1.0.0', verified: true });
    expect((await rt.state.getKnownGood(ENV))?.current.version).toBe('1.0.0');
  });

  it('a throttled control plane is retried by the state machine, then succeeds', async () => {
    fake.failNextUpdate = ebError('Throttling', 'Rate exceeded');
    const r = await run(await upload('3.0.0', target));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.retries).toEqual([{ state: 'ApplyPhase', attempt: 1 }]);
    expect(fake.env.VersionLabel).toMatch(/^3\.0\.0-/);
  });
});

describe('rollout.asl.yml on SageMaker (mocked)', () => {
  let fake: FakeSageMaker;
  beforeAll(() => {
    fake = new FakeSageMaker();
  });
  beforeEach(() => fake.install(sm, smRuntime, cw));

  it('success: a first deployment creates the endpoint, then three blue/green updates', async () => {
    const r = await run(await upload('1.0.0', SM_TARGET));
    expect(r.status).toBe('SUCCEEDED');
    expect(count(r, 'ApplyPhase')).toBe(4);
    expect(sm).toHaveReceivedCommandTimes(CreateEndpointCommand, 1);
    expect(sm).toHaveReceivedCommandTimes(UpdateEndpointCommand, 2);
    expect(fake.endpoint).toMatchObject({ status: 'InService', config: expect.stringMatching(/^skin-sm-1-0-0-p2-/) });
    expect((await rt.state.getKnownGood('skin-sm'))?.current).toMatchObject({
      version: '1.0.0',
      targetState: { endpointConfigName: fake.endpoint!.config },
    });
  });

  it("SageMaker's own rollback fails the phase and the rollout rolls back, never succeeds", async () => {
    const good = fake.endpoint!.config;
    // minimal's update goes through; SageMaker rolls back ml-dependencies' (the second).
    fake.updates = 0;
    fake.rollBackUpdate = 2;
    const r = await run(await upload('2.0.0', SM_TARGET));
    expect(r.error).toBe(FailName.RolledBack);
    expect(count(r, 'ApplyPhase')).toBe(2);
    const record = await rt.state.getRollout('skin-sm', `aws${n}`);
    expect(record?.failure).toMatchObject({
      phase: 'ml-dependencies',
      error: 'PhaseFailed',
      message: expect.stringContaining('SageMaker is rolling endpoint skin-similarity back'),
    });
    expect(record?.rollback).toEqual({ performed: true, restoredVersion: '1.0.0', verified: true });
    expect(fake.endpoint).toMatchObject({ status: 'InService', config: good });
  });

  it('a gate failure (memory 91 % in verify-metrics) rolls back to 1.0.0', async () => {
    const good = fake.endpoint!.config;
    fake.metrics.memory = 91.3;
    try {
      const r = await run(await upload('3.0.0', SM_TARGET));
      expect(r.error).toBe(FailName.RolledBack);
      expect(r.cause).toBe('verify-metrics gate failed: memoryPercent 91.3% > 80%');
      expect(fake.endpoint).toMatchObject({ status: 'InService', config: good });
      expect(sm).not.toHaveReceivedCommand(DeleteEndpointCommand);
    } finally {
      fake.metrics.memory = 42.5;
    }
  });
});

describe('rollout.asl.yml on ECS (mocked)', () => {
  let fake: FakeEcs;
  const target = () =>
    ecsTarget(service.host, {
      healthCheck: { healthyThreshold: 2, unhealthyThreshold: 2, intervalSeconds: 30, timeoutSeconds: 20, matcher: '200' },
    });
  beforeAll(() => {
    fake = new FakeEcs();
  });
  beforeEach(() => fake.install(ecs, elb, cw));

  it('success: the health check adjusted and reported, three revisions, three deployments, known-good recorded', async () => {
    const r = await run(await upload('1.0.0', target()));
    expect(r.status).toBe('SUCCEEDED');
    expect(count(r, 'ApplyPhase')).toBe(4);
    expect(elb).toHaveReceivedCommandTimes(ModifyTargetGroupCommand, 1);
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 3);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 3);
    expect(fake.primary()).toMatchObject({ taskDefinition: tdArn(10), rolloutState: 'COMPLETED' });
    expect((await rt.state.getKnownGood('yolo-prod'))?.current).toMatchObject({
      version: '1.0.0',
      targetState: { taskDefinitionArn: tdArn(10) },
    });
    const record = await rt.state.getRollout('yolo-prod', `aws${n}`);
    expect(record?.previousVersion).toBe('1.1.0');
    expect(record?.phases[0]?.notes).toEqual([
      'health check of target group targetgroup/ecstargetgroupyolo/0123456789abcdef: healthyThreshold 5 → 2, timeoutSeconds 5 → 20, matcher 200-399 → 200',
    ]);
  });

  it("the circuit breaker's own rollback fails the phase and the rollout rolls back, never succeeds", async () => {
    const good = fake.primary().taskDefinition;
    fake.failNext = true;
    const r = await run(await upload('2.0.0', target()));
    expect(r.error).toBe(FailName.RolledBack);
    expect(count(r, 'ApplyPhase')).toBe(1);
    const record = await rt.state.getRollout('yolo-prod', `aws${n}`);
    expect(record?.failure).toMatchObject({
      phase: 'minimal',
      error: 'PhaseFailed',
      message: expect.stringContaining('the ECS deployment circuit breaker rolled service yoloflask-ecs-service back'),
    });
    expect(record?.rollback).toEqual({ performed: true, restoredVersion: '1.0.0', verified: true });
    expect(fake.primary()).toMatchObject({ taskDefinition: good, rolloutState: 'COMPLETED' });
  });

  it('a gate failure (ALB 5xx past 1 % in verify-metrics) rolls back to 1.0.0', async () => {
    const good = fake.primary().taskDefinition;
    fake.metrics.errors = 30;
    try {
      const r = await run(await upload('3.0.0', target()));
      expect(r.error).toBe(FailName.RolledBack);
      expect(r.cause).toBe('verify-metrics gate failed: errorRatePercent 5% > 1%');
      expect(ecs.commandCalls(UpdateServiceCommand).at(-1)?.args[0].input.taskDefinition).toBe(good);
      expect(fake.primary()).toMatchObject({ taskDefinition: good, rolloutState: 'COMPLETED' });
      expect(good).not.toBe(OLD);
    } finally {
      fake.metrics.errors = 0;
    }
  });

  it('a throttled UpdateService is retried by the state machine, without a second revision, then succeeds', async () => {
    const registered = fake.revision;
    fake.failNextUpdate = ecsError('ThrottlingException', 'Rate exceeded');
    const r = await run(await upload('4.0.0', target()));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.retries).toEqual([{ state: 'ApplyPhase', attempt: 1 }]);
    expect(ecs).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 3);
    expect(fake.revision).toBe(registered + 3);
    expect(fake.primary()).toMatchObject({ taskDefinition: tdArn(fake.revision), rolloutState: 'COMPLETED' });
  });

  it('a task too small for capacity: stopped in the first ApplyPhase before any change', async () => {
    const good = fake.primary().taskDefinition;
    const revisions = fake.revision;
    const r = await run(await upload('5.0.0', target(), { capacity: { memoryGb: 1.8 } }));
    // ApplyPhase's Catch leads to the rollback path: reported rolled back, the snapshot verified.
    expect(r.error).toBe(FailName.RolledBack);
    expect(r.cause).toBe(
      `capacity: the service needs 1.8 GB but task definition ${good.split('/').pop()} has 2048 MiB (90 %, over the 80 % memory gate); give the task at least 2304 MiB`,
    );
    expect(count(r, 'ApplyPhase')).toBe(1);
    expect(elb).not.toHaveReceivedCommand(ModifyTargetGroupCommand);
    expect(ecs).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
    expect(ecs).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(fake.revision).toBe(revisions);
    expect(fake.primary().taskDefinition).toBe(good);
  });
});
