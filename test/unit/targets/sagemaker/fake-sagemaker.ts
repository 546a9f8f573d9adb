import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerServiceException,
  UpdateEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

export const ENDPOINT = 'skin-similarity';
/** The manifest's target: an endpoint with one alarm. */
export const SM_TARGET = {
  type: 'sagemaker',
  environment: 'skin-sm',
  region: 'eu-central-1',
  endpoint: ENDPOINT,
  image: '123456789012.dkr.ecr.eu-central-1.amazonaws.com/skin:1.2.0',
  modelDataUrl: 's3://skin-models/model.tar.gz',
  executionRoleArn: 'arn:aws:iam::123456789012:role/sagemaker-exec',
  instanceType: 'ml.m5.xlarge',
  alarms: ['skin-5xx'],
};
const ARN = `arn:aws:sagemaker:eu-central-1:123456789012:endpoint/${ENDPOINT}`;

interface FakeEndpoint {
  status: string;
  config: string;
  tags: Record<string, string>;
  failureReason?: string;
  /** The update in progress: its config and the polls left. */
  pending?: { config: string; polls: number };
  /** Polls left of a creation or deletion. */
  polls: number;
}

/**
 * A SageMaker endpoint that behaves like one: Creating/Updating for some DescribeEndpoint polls,
 * then InService on the new config — or, with `rollBackNext`, RollingBack and then InService on
 * the old one (SageMaker's own rollback when an alarm fires).
 */
export class FakeSageMaker {
  models = new Map<string, { environment: Record<string, string> }>();
  configs = new Map<string, { model: string }>();
  endpoint: FakeEndpoint | null = null;
  polls = 1;
  rollBackNext = false;
  /** UpdateEndpoint calls so far, and the one (1-based) that SageMaker will roll back by itself. */
  updates = 0;
  rollBackUpdate: number | null = null;
  /** Answer of InvokeEndpoint: a status; 200 answers a body, anything else is a ModelError. */
  invokeStatus = 200;
  metrics: Record<string, number | null> = { latency: 850_000, invocations: 400, errors: 0, cpu: 160, memory: 42.5 };

  /** An endpoint that serves `config` (created by someone, or by an earlier rollout). */
  existing(config: string, environment: Record<string, string>, tags: Record<string, string> = {}): void {
    this.models.set(config, { environment });
    this.configs.set(config, { model: config });
    this.endpoint = { status: 'InService', config, tags, polls: 0 };
  }

  install(
    sm: AwsStub<any, any, SageMakerClient['config']>,
    runtime: AwsStub<any, any, SageMakerRuntimeClient['config']>,
    cw: AwsStub<any, any, CloudWatchClient['config']>,
  ): void {
    sm.on(CreateModelCommand).callsFake((input: { ModelName: string; PrimaryContainer: { Environment: Record<string, string> } }) => {
      if (this.models.has(input.ModelName))
        throw smError(
          'ValidationException',
          `Cannot create already existing model "arn:aws:sagemaker:eu-central-1:123456789012:model/${input.ModelName}".`,
        );
      this.models.set(input.ModelName, { environment: input.PrimaryContainer.Environment });
      return { ModelArn: `arn:model/${input.ModelName}` };
    });
    sm.on(CreateEndpointConfigCommand).callsFake((input: { EndpointConfigName: string; ProductionVariants: { ModelName: string }[] }) => {
      if (this.configs.has(input.EndpointConfigName))
        throw smError('ValidationException', `Cannot create already existing endpoint configuration "${input.EndpointConfigName}".`);
      this.configs.set(input.EndpointConfigName, { model: input.ProductionVariants[0]!.ModelName });
      return { EndpointConfigArn: `arn:endpoint-config/${input.EndpointConfigName}` };
    });
    sm.on(DescribeEndpointCommand).callsFake(() => {
      const ep = this.endpoint;
      if (!ep) throw smError('ValidationException', `Could not find endpoint "${ARN}".`);
      this.progress(ep);
      if (!this.endpoint) throw smError('ValidationException', `Could not find endpoint "${ARN}".`);
      return {
        EndpointName: ENDPOINT,
        EndpointArn: ARN,
        EndpointConfigName: ep.config,
        EndpointStatus: ep.status,
        ...(ep.failureReason ? { FailureReason: ep.failureReason } : {}),
        ...(ep.pending ? { PendingDeploymentSummary: { EndpointConfigName: ep.pending.config } } : {}),
        CreationTime: new Date(0),
        LastModifiedTime: new Date(0),
      };
    });
    sm.on(CreateEndpointCommand).callsFake((input: { EndpointConfigName: string; Tags: { Key: string; Value: string }[] }) => {
      if (this.endpoint) throw smError('ValidationException', `Cannot create already existing endpoint "${ARN}".`);
      this.endpoint = {
        status: 'Creating',
        config: input.EndpointConfigName,
        tags: Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])),
        polls: this.polls,
      };
      return { EndpointArn: ARN };
    });
    sm.on(UpdateEndpointCommand).callsFake((input: { EndpointConfigName: string }) => {
      const ep = this.endpoint;
      if (!ep) throw smError('ValidationException', `Could not find endpoint "${ARN}".`);
      if (ep.status !== 'InService' && ep.status !== 'Failed')
        throw smError('ValidationException', `Cannot update in-progress endpoint "${ARN}".`);
      if (!this.configs.has(input.EndpointConfigName))
        throw smError('ValidationException', `Could not find endpoint configuration "${input.EndpointConfigName}".`);
      this.updates += 1;
      if (this.updates === this.rollBackUpdate) this.rollBackNext = true;
      ep.status = 'Updating';
      ep.pending = { config: input.EndpointConfigName, polls: this.polls };
      return { EndpointArn: ARN };
    });
    sm.on(DeleteEndpointCommand).callsFake(() => {
      if (!this.endpoint) throw smError('ValidationException', `Could not find endpoint "${ARN}".`);
      this.endpoint.status = 'Deleting';
      this.endpoint.polls = this.polls;
      return {};
    });
    sm.on(AddTagsCommand).callsFake((input: { Tags: { Key: string; Value: string }[] }) => {
      for (const t of input.Tags) this.endpoint!.tags[t.Key] = t.Value;
      return { Tags: input.Tags };
    });
    sm.on(ListTagsCommand).callsFake(() => ({ Tags: Object.entries(this.endpoint?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) }));
    sm.on(DescribeEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => ({
      EndpointConfigName: input.EndpointConfigName,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: this.configs.get(input.EndpointConfigName)?.model }],
    }));
    sm.on(DescribeModelCommand).callsFake((input: { ModelName: string }) => ({
      ModelName: input.ModelName,
      PrimaryContainer: { Image: 'img', Environment: this.models.get(input.ModelName)?.environment ?? {} },
    }));
    runtime.on(InvokeEndpointCommand).callsFake(() => {
      if (this.invokeStatus === 200) return { Body: new TextEncoder().encode('{"neighbours":[]}'), ContentType: 'application/json' };
      throw new ModelError({
        message: 'Received server error (500) from primary',
        $metadata: { httpStatusCode: 424 },
        OriginalStatusCode: this.invokeStatus,
      });
    });
    cw.on(GetMetricDataCommand).callsFake(() => ({
      MetricDataResults: Object.entries(this.metrics)
        .filter(([, v]) => v !== null)
        .map(([Id, v]) => ({ Id, Label: Id, Timestamps: [new Date()], Values: [v as number], StatusCode: 'Complete' })),
    }));
  }

  private progress(ep: FakeEndpoint): void {
    if (ep.status === 'Creating' && ep.polls-- <= 0) ep.status = 'InService';
    else if (ep.status === 'Deleting' && ep.polls-- <= 0) this.endpoint = null;
    else if (ep.status === 'RollingBack') {
      ep.status = 'InService';
      ep.failureReason = 'Rolled back: alarm skin-5xx went into ALARM';
    } else if (ep.status === 'Updating' && ep.pending && ep.pending.polls-- <= 0) {
      if (this.rollBackNext) {
        this.rollBackNext = false;
        ep.status = 'RollingBack';
      } else {
        ep.config = ep.pending.config;
        ep.status = 'InService';
        delete ep.failureReason;
      }
      delete ep.pending;
    }
  }
}

export function smError(name: string, message: string, status = 400): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** Mocks of the three clients the SageMaker target uses, reset before each test and restored after the file. */
export function mockSageMakerClients() {
  const clients = { sm: mockClient(SageMakerClient), runtime: mockClient(SageMakerRuntimeClient), cw: mockClient(CloudWatchClient) };
  beforeEach(() => Object.values(clients).forEach((c) => c.reset()));
  afterAll(() => Object.values(clients).forEach((c) => c.restore()));
  return clients;
}
