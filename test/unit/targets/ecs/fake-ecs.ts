import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';
export const SERVICE = 'yoloflask-ecs-service';
export const CLUSTER = 'image-processing-cluster';
export const FAMILY = 'yoloflask-task-definition';
export const TG_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/ecstargetgroupyolo/0123456789abcdef`;
export const LB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/ecs-load-balancer/fedcba9876543210`;
export const SERVICE_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${CLUSTER}/${SERVICE}`;
export const tdArn = (revision: number) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${FAMILY}:${revision}`;
/** The revision serving before the rollout. */
export const OLD = tdArn(7);

/** The manifest's target (seed 004's service); `url` points at a local stand-in of the load balancer. */
export function ecsTarget(host: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'ecs',
    environment: 'yolo-prod',
    region: 'us-east-1',
    cluster: CLUSTER,
    service: SERVICE,
    containerName: 'yoloflask-api',
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/yoloflask/api:prod`,
    url: `http://${host}`,
    ...extra,
  };
}

interface FakeDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  desiredCount: number;
  runningCount: number;
  polls: number;
  /** The circuit breaker's rollback setting it was started with. */
  rollback: boolean;
}

/**
 * An ECS service behind an ALB target group that behaves like one: a deployment stays
 * IN_PROGRESS for some DescribeServices polls, then COMPLETED with every target healthy — or,
 * with `failNext`, FAILED and (with the circuit breaker's rollback on) replaced by a new PRIMARY
 * deployment of the last completed task definition.
 */
export class FakeEcs {
  taskDefinitions = new Map<string, { def: RegisterTaskDefinitionCommandInput; tags: { key: string; value: string }[] }>();
  revision = 7;
  deployments: FakeDeployment[] = [];
  serviceTags: Record<string, string> = {};
  desired = 2;
  polls = 1;
  failNext = false;
  /** An error the next UpdateService answers with (once). */
  failNextUpdate: Error | null = null;
  targetGroup = {
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    Matcher: { HttpCode: '200-399' },
  };
  /** The state of every target (after a deployment completes: healthy). */
  targetState = 'healthy';
  /** The changing calls in the order they arrived, across both services. */
  changes: string[] = [];
  metrics: Record<string, number | null> = { cpu: 35.2, memory: 41.5, latency: 0.42, requests: 600, errors: 0 };
  private deploymentIds = 0;

  constructor(container: Partial<ContainerDefinition> = {}, taskMemory: string | null = '2048') {
    this.taskDefinitions.set(OLD, {
      def: {
        family: FAMILY,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/yolo-task`,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
        networkMode: 'bridge',
        requiresCompatibilities: ['EC2'],
        cpu: '1024',
        ...(taskMemory ? { memory: taskMemory } : {}),
        containerDefinitions: [
          {
            name: 'yoloflask-api',
            image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/yoloflask/api:1.1.0`,
            memory: 1024,
            portMappings: [{ containerPort: 5000 }],
            environment: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'ML_AVAILABLE', value: 'true' },
              { name: 'ML_ROLLOUT_VERSION', value: '1.1.0' },
              { name: 'ML_ROLLOUT_DIGEST', value: 'abc123' },
            ],
            ...container,
          },
          { name: 'log-router', image: 'amazon/aws-for-fluent-bit:stable', essential: false },
        ],
      },
      tags: [{ key: 'team', value: 'vision' }],
    });
    this.deployments = [this.deployment(OLD, 'COMPLETED', true)];
  }

  private deployment(taskDefinition: string, rolloutState: FakeDeployment['rolloutState'], rollback: boolean): FakeDeployment {
    const done = rolloutState === 'COMPLETED';
    return {
      id: `ecs-svc/${++this.deploymentIds}`,
      status: 'PRIMARY',
      taskDefinition,
      rolloutState,
      desiredCount: this.desired,
      runningCount: done ? this.desired : 0,
      polls: this.polls,
      rollback,
    };
  }

  primary(): FakeDeployment {
    return this.deployments.find((d) => d.status === 'PRIMARY')!;
  }

  install(
    ecs: AwsStub<any, any, ECSClient['config']>,
    elb: AwsStub<any, any, ElasticLoadBalancingV2Client['config']>,
    cw: AwsStub<any, any, CloudWatchClient['config']>,
  ): void {
    ecs.on(DescribeServicesCommand).callsFake(() => {
      this.progress();
      const primary = this.primary();
      return {
        services: [
          {
            serviceName: SERVICE,
            serviceArn: SERVICE_ARN,
            status: 'ACTIVE',
            taskDefinition: primary.taskDefinition,
            desiredCount: this.desired,
            deploymentConfiguration: {
              maximumPercent: 200,
              minimumHealthyPercent: 50,
              deploymentCircuitBreaker: { enable: true, rollback: true },
            },
            loadBalancers: [{ targetGroupArn: TG_ARN, containerName: 'yoloflask-api', containerPort: 5000 }],
            deployments: this.deployments.map((d) => ({
              id: d.id,
              status: d.status,
              taskDefinition: d.taskDefinition,
              rolloutState: d.rolloutState,
              ...(d.rolloutStateReason ? { rolloutStateReason: d.rolloutStateReason } : {}),
              desiredCount: d.desiredCount,
              runningCount: d.runningCount,
            })),
            tags: Object.entries(this.serviceTags).map(([key, value]) => ({ key, value })),
          },
        ],
        failures: [],
      };
    });
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
      const td = this.taskDefinitions.get(input.taskDefinition);
      if (!td) throw ecsError('ClientException', 'Unable to describe task definition.');
      return { taskDefinition: { ...td.def, taskDefinitionArn: input.taskDefinition, status: 'ACTIVE' }, tags: td.tags };
    });
    ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
      this.changes.push('RegisterTaskDefinition');
      const arn = tdArn(++this.revision);
      const { tags = [], ...def } = input;
      this.taskDefinitions.set(arn, { def, tags: tags.map((t) => ({ key: t.key ?? '', value: t.value ?? '' })) });
      return { taskDefinition: { ...def, taskDefinitionArn: arn, revision: this.revision }, tags };
    });
    ecs.on(TagResourceCommand).callsFake((input: { resourceArn: string; tags: { key: string; value: string }[] }) => {
      if (input.resourceArn !== SERVICE_ARN) throw ecsError('InvalidParameterException', 'The specified resource is not a service.');
      this.changes.push('TagResource');
      for (const t of input.tags) this.serviceTags[t.key] = t.value;
      return {};
    });
    ecs
      .on(UpdateServiceCommand)
      .callsFake((input: { taskDefinition: string; deploymentConfiguration: { deploymentCircuitBreaker: { rollback: boolean } } }) => {
        if (this.failNextUpdate) {
          const err = this.failNextUpdate;
          this.failNextUpdate = null;
          throw err;
        }
        if (!this.taskDefinitions.has(input.taskDefinition)) throw ecsError('ClientException', 'TaskDefinition not found.');
        this.changes.push('UpdateService');
        for (const d of this.deployments) d.status = 'ACTIVE';
        this.deployments.unshift(
          this.deployment(input.taskDefinition, 'IN_PROGRESS', input.deploymentConfiguration.deploymentCircuitBreaker.rollback),
        );
        return { service: { serviceName: SERVICE } };
      });
    elb.on(DescribeTargetGroupsCommand).callsFake(() => ({
      TargetGroups: [{ TargetGroupArn: TG_ARN, TargetGroupName: 'ecstargetgroupyolo', LoadBalancerArns: [LB_ARN], ...this.targetGroup }],
    }));
    elb.on(ModifyTargetGroupCommand).callsFake((input: Record<string, unknown>) => {
      this.changes.push('ModifyTargetGroup');
      const { TargetGroupArn: _arn, ...changes } = input;
      Object.assign(this.targetGroup, changes);
      return { TargetGroups: [{ TargetGroupArn: TG_ARN, ...this.targetGroup }] };
    });
    elb.on(DescribeTargetHealthCommand).callsFake(() => ({
      TargetHealthDescriptions: Array.from({ length: this.desired }, (_, i) => ({
        Target: { Id: `i-0${i}`, Port: 32768 + i },
        TargetHealth: { State: this.targetState },
      })),
    }));
    elb.on(DescribeLoadBalancersCommand).callsFake(() => ({
      LoadBalancers: [{ LoadBalancerArn: LB_ARN, DNSName: 'ecs-load-balancer-123.us-east-1.elb.amazonaws.com' }],
    }));
    cw.on(GetMetricDataCommand).callsFake(() => ({
      MetricDataResults: Object.entries(this.metrics)
        .filter(([, v]) => v !== null)
        .map(([Id, v]) => ({ Id, Label: Id, Timestamps: [new Date()], Values: [v as number], StatusCode: 'Complete' })),
    }));
  }

  /** One DescribeServices' worth of progress of the PRIMARY deployment. */
  private progress(): void {
    const primary = this.primary();
    if (primary.rolloutState !== 'IN_PROGRESS' || primary.polls-- > 0) return;
    if (this.failNext) {
      this.failNext = false;
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      const previous = this.deployments.find((d) => d !== primary && d.rolloutState === 'COMPLETED');
      if (primary.rollback && previous) {
        primary.status = 'ACTIVE';
        const back = this.deployment(previous.taskDefinition, 'IN_PROGRESS', true);
        back.rolloutStateReason = `ECS deployment circuit breaker: rolling back to deploymentId ${previous.id}.`;
        this.deployments = [back, ...this.deployments.filter((d) => d !== previous)];
      }
      return;
    }
    primary.rolloutState = 'COMPLETED';
    primary.runningCount = primary.desiredCount;
    this.deployments = [primary];
  }
}

export function ecsError(name: string, message: string, status = 400): ECSServiceException {
  return new ECSServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

/** Mocks of the three clients the ECS target uses, reset before each test and restored after the file. */
export function mockEcsClients() {
  const clients = { ecs: mockClient(ECSClient), elb: mockClient(ElasticLoadBalancingV2Client), cw: mockClient(CloudWatchClient) };
  beforeEach(() => Object.values(clients).forEach((c) => c.reset()));
  afterAll(() => Object.values(clients).forEach((c) => c.restore()));
  return clients;
}
