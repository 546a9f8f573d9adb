import { readFileSync } from 'node:fs';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AbortEnvironmentUpdateCommand,
  CreateApplicationVersionCommand,
  DescribeApplicationVersionsCommand,
  DescribeConfigurationSettingsCommand,
  DescribeEnvironmentHealthCommand,
  DescribeEnvironmentResourcesCommand,
  DescribeEnvironmentsCommand,
  DescribeInstancesHealthCommand,
  ElasticBeanstalkSyntheticServiceException,
  UpdateEnvironmentCommand,
  type ApplicationMetrics,
  type ConfigurationOptionSetting,
  ElasticBeanstalkClient,
  type EnvironmentDescription,
} from '@aws-sdk/client-elastic-beanstalk';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/aws/${name}`, import.meta.url), 'utf8'));

export const ENV = 'skin-prod';
export const APP = 'skin-similarity';

interface Version {
  status: string;
  created: Date;
  description?: string;
  /** DescribeApplicationVersions calls left before PROCESSING becomes PROCESSED. */
  processingPolls: number;
}

/**
 * An Elastic Beanstalk environment that behaves like one: UpdateEnvironment takes it to Updating
 * for a number of polls, then Ready with the new version and options; versions process over
 * polls; enhanced health, instances and the CloudWatch agent's memory are settable.
 */
export class FakeEb {
  env: EnvironmentDescription;
  options: ConfigurationOptionSetting[];
  versions = new Map<string, Version>();
  /** DescribeEnvironments calls an update stays Updating. */
  updatePolls = 1;
  /** Polls that an update has left. */
  private updating = 0;
  private pendingLabel: string | undefined;
  /** New versions stay PROCESSING for this many DescribeApplicationVersions calls. */
  processingPolls = 0;
  /** Elastic Beanstalk reverts the next version deployment (a failed rolling deployment). */
  revertNextDeployment = false;
  /** Called when an update completes: lets a test make the new version sick (or well again). */
  afterUpdate: ((fake: FakeEb) => void) | null = null;
  /** The next UpdateEnvironment fails with this (throttling, a 5xx) and changes nothing. */
  failNextUpdate: Error | null = null;
  health = fixture('eb-environment-health.json') as {
    HealthStatus: string;
    Color: string;
    Causes: string[];
    ApplicationMetrics?: ApplicationMetrics;
  };
  instances = fixture('eb-instances-health.json').InstanceHealthList as { InstanceId: string }[];
  /** mem_used_percent per instance; null: the agent publishes nothing. */
  memory: Record<string, number> | null = { 'i-0a1b2c3d4e5f60001': 61.2, 'i-0a1b2c3d4e5f60002': 58.4 };
  /**
   * The environment's load balancer as DescribeEnvironmentResources names it (an ALB by ARN, a
   * classic one by name); null: a single-instance environment.
   */
  loadBalancer: string | null = null;
  targetGroupArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/awseb-AWSEB-1ABC/0123456789abcdef';
  /** The ALB target group's TargetResponseTime p95, s: [newest (just published), one from before the phase]. */
  albP95Seconds: [number, number] | null = [0.412, 9.9];

  constructor(
    private readonly now: () => number,
    host: string,
  ) {
    this.env = {
      EnvironmentName: ENV,
      ApplicationName: APP,
      EnvironmentId: 'e-abc123',
      VersionLabel: '1.1.0-0123456789ab',
      Status: 'Ready',
      Health: 'Green',
      HealthStatus: 'Ok',
      CNAME: host,
      DateUpdated: new Date(now() - 86_400_000),
      AbortableOperationInProgress: false,
    };
    this.options = structuredClone(fixture('eb-configuration-settings.json').ConfigurationSettings[0].OptionSettings);
    this.versions.set('1.1.0-0123456789ab', {
      status: 'PROCESSED',
      created: new Date(now() - 2 * 86_400_000),
      description: `ml-rollout 1.1.0 sha256:${'0123456789ab'.padEnd(64, '0')}`,
      processingPolls: 0,
    });
  }

  option(namespace: string, name: string): string | undefined {
    return this.options.find((o) => o.Namespace === namespace && o.OptionName === name)?.Value;
  }

  install(
    eb: AwsStub<any, any, ElasticBeanstalkClient['config']>,
    cw: AwsStub<any, any, CloudWatchClient['config']>,
    elb?: AwsStub<any, any, ElasticLoadBalancingV2Client['config']>,
  ): void {
    eb.on(DescribeEnvironmentResourcesCommand).callsFake(() => ({
      EnvironmentResources: {
        EnvironmentName: ENV,
        LoadBalancers: this.loadBalancer ? [{ Name: this.loadBalancer }] : [],
        Instances: this.instances.map((i) => ({ Id: i.InstanceId })),
      },
    }));
    elb?.on(DescribeTargetGroupsCommand).callsFake((input: { LoadBalancerArn?: string }) => ({
      TargetGroups:
        input.LoadBalancerArn === this.loadBalancer
          ? [{ TargetGroupArn: this.targetGroupArn, LoadBalancerArns: [this.loadBalancer], Protocol: 'HTTP', Port: 80 }]
          : [],
    }));
    eb.on(DescribeEnvironmentsCommand).callsFake(() => {
      if (this.updating > 0 && --this.updating === 0) this.finishUpdate();
      return { Environments: [structuredClone(this.env)] };
    });
    eb.on(DescribeConfigurationSettingsCommand).callsFake(() => ({
      ConfigurationSettings: [
        { ApplicationName: APP, EnvironmentName: ENV, DeploymentStatus: 'deployed', OptionSettings: structuredClone(this.options) },
      ],
    }));
    eb.on(DescribeApplicationVersionsCommand).callsFake((input: { VersionLabels: string[] }) => {
      const label = input.VersionLabels[0] ?? '';
      const v = this.versions.get(label);
      if (!v) return { ApplicationVersions: [] };
      if (v.status === 'PROCESSING' && v.processingPolls-- <= 0) v.status = 'PROCESSED';
      return {
        ApplicationVersions: [
          { ApplicationName: APP, VersionLabel: label, Status: v.status, DateCreated: v.created, Description: v.description },
        ],
      };
    });
    eb.on(CreateApplicationVersionCommand).callsFake((input: { VersionLabel: string; Description?: string }) => {
      if (this.versions.has(input.VersionLabel))
        throw ebError('InvalidParameterValue', `Application Version ${input.VersionLabel} already exists.`);
      const v: Version = {
        status: 'PROCESSING',
        created: new Date(this.now()),
        processingPolls: this.processingPolls,
        ...(input.Description ? { description: input.Description } : {}),
      };
      this.versions.set(input.VersionLabel, v);
      return {
        ApplicationVersion: {
          ApplicationName: APP,
          VersionLabel: input.VersionLabel,
          Status: this.processingPolls > 0 ? 'PROCESSING' : (v.status = 'PROCESSED'),
        },
      };
    });
    eb.on(UpdateEnvironmentCommand).callsFake(
      (input: {
        VersionLabel?: string;
        OptionSettings?: ConfigurationOptionSetting[];
        OptionsToRemove?: { Namespace: string; OptionName: string }[];
      }) => {
        const fail = this.failNextUpdate;
        this.failNextUpdate = null;
        if (fail) throw fail;
        if (this.env.Status !== 'Ready') {
          throw ebError('InvalidParameterValue', `Environment named ${ENV} is in an invalid state for this operation. Must be Ready.`);
        }
        if (input.VersionLabel && this.versions.get(input.VersionLabel)?.status !== 'PROCESSED') {
          throw ebError('InvalidParameterValue', `No Application Version named '${input.VersionLabel}' found.`);
        }
        for (const s of input.OptionSettings ?? []) {
          const at = this.options.find((o) => o.Namespace === s.Namespace && o.OptionName === s.OptionName);
          if (at) at.Value = s.Value;
          else this.options.push({ ...s });
        }
        for (const r of input.OptionsToRemove ?? []) {
          const at = this.options.find((o) => o.Namespace === r.Namespace && o.OptionName === r.OptionName);
          if (at?.ResourceName) delete at.Value;
          else this.options = this.options.filter((o) => o !== at);
        }
        this.pendingLabel = input.VersionLabel;
        this.env.Status = 'Updating';
        this.env.AbortableOperationInProgress = true;
        this.env.DateUpdated = new Date(this.now());
        this.updating = this.updatePolls;
        return { ...this.env };
      },
    );
    eb.on(AbortEnvironmentUpdateCommand).callsFake(() => {
      this.pendingLabel = undefined;
      this.env.AbortableOperationInProgress = false;
      return {};
    });
    eb.on(DescribeEnvironmentHealthCommand).callsFake(() => ({ EnvironmentName: ENV, ...structuredClone(this.health) }));
    eb.on(DescribeInstancesHealthCommand).callsFake(() => ({ InstanceHealthList: structuredClone(this.instances) }));
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string }[] }) => ({
      MetricDataResults: [
        ...Object.entries(this.memory ?? {}).map(([id, value]) => ({
          Id: 'memory',
          Label: id,
          // The newest datapoint just published (after the phase became stable), an older one before it.
          Timestamps: [new Date(this.now()), new Date(this.now() - 120_000)],
          Values: [value, value - 10],
          StatusCode: 'Complete',
        })),
        ...(this.albP95Seconds && input.MetricDataQueries.some((q) => q.Id === 'latency')
          ? [
              {
                Id: 'latency',
                Label: 'TargetResponseTime',
                Timestamps: [new Date(this.now()), new Date(this.now() - 120_000)],
                Values: [...this.albP95Seconds],
                StatusCode: 'Complete',
              },
            ]
          : []),
      ],
    }));
  }

  private finishUpdate(): void {
    this.env.Status = 'Ready';
    this.env.AbortableOperationInProgress = false;
    if (this.pendingLabel) {
      if (this.revertNextDeployment) this.revertNextDeployment = false;
      else this.env.VersionLabel = this.pendingLabel;
    }
    this.pendingLabel = undefined;
    this.afterUpdate?.(this);
  }
}

export function ebError(name: string, message: string, status = 400): ElasticBeanstalkSyntheticServiceException {
  return new ElasticBeanstalkSyntheticServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** Mocks of the clients the Elastic Beanstalk target uses, reset before each test and restored after the file. */
export function mockEbClients() {
  const clients = {
    eb: mockClient(ElasticBeanstalkClient),
    cw: mockClient(CloudWatchClient),
    elb: mockClient(ElasticLoadBalancingV2Client),
  };
  beforeEach(() => Object.values(clients).forEach((c) => c.reset()));
  afterAll(() => Object.values(clients).forEach((c) => c.restore()));
  return clients;
}
