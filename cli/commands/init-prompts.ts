import { confirm, input, select } from '@inquirer/prompts';
import { cheapestFit } from '../../lib/plan/capacity.js';
import { AWS_DEFAULTS } from '../../lib/plan/defaults.js';
import { INSTANCE_CATALOGUE, platformName } from '../../lib/plan/instances.js';
import { PROXY_DEFAULTS } from '../../lib/proxy/defaults.js';
import { ecsTargetSchema, elasticBeanstalkTargetSchema, slug, TargetType } from '../../lib/plan/target-schema.js';
import { DEFAULT_REGION, defaultEnvironment, defaultInstanceType, type InitAnswers } from './init-manifest.js';

/** Where the prompts read keys and write questions: the terminal, or a test's streams. */
export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

const TARGETS = [
  { value: TargetType.Local, name: 'local', description: 'processes on this machine (try it at once)' },
  { value: TargetType.ElasticBeanstalk, name: 'elastic-beanstalk', description: 'an existing Elastic Beanstalk environment' },
  { value: TargetType.SageMaker, name: 'sagemaker', description: 'a SageMaker real-time endpoint' },
  { value: TargetType.Ecs, name: 'ecs', description: 'an existing ECS service behind an Application Load Balancer' },
] as const;

function check(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }) {
  return (v: string) => {
    const r = schema.safeParse(v);
    return r.success || (r.error?.issues[0]?.message ?? 'invalid');
  };
}

/**
 * The instance catalogue as choices: vCPUs, memory and monthly cost, and — when the memory need
 * is known — whether the service fits under the memory gate (the capacity preflight's verdict).
 */
export function instanceChoices(target: TargetType, memoryGb: number | null): { value: string; name: string; description?: string }[] {
  const sagemaker = target === TargetType.SageMaker;
  const limit = AWS_DEFAULTS.capacityLimitPercent;
  return INSTANCE_CATALOGUE.filter((i) => !sagemaker || i.sagemaker).map((i) => {
    const type = platformName(i, sagemaker);
    const usage = memoryGb === null ? null : Math.round((memoryGb / i.memoryGb) * 1000) / 10;
    const fit = usage === null ? '' : usage <= limit ? `  fits (${usage} %)` : `  too small (${usage} % > ${limit} %)`;
    return {
      value: type,
      name: `${type.padEnd(16)} ${String(i.vcpu).padStart(2)} vCPU  ${String(i.memoryGb).padStart(3)} GB  ~$${i.monthlyUsd}/month${i.gpu ? `  ${i.gpu}` : ''}${fit}`,
      ...(sagemaker ? { description: 'prices are EC2 on-demand; SageMaker hosting costs more' } : {}),
    };
  });
}

/** The interactive questions; each default is what `--yes` would take. */
export async function askAnswers(name: string, preset: TargetType | undefined, streams: PromptStreams): Promise<InitAnswers> {
  const target =
    preset ?? (await select<TargetType>({ message: 'Where does it roll out to?', choices: TARGETS, default: TargetType.Local }, streams));
  const envSchema =
    target === TargetType.ElasticBeanstalk
      ? elasticBeanstalkTargetSchema.shape.environment
      : target === TargetType.Ecs
        ? ecsTargetSchema.shape.environment
        : slug;
  const environment = await input(
    { message: 'Environment name (names locks and state):', default: defaultEnvironment(name, target), validate: check(envSchema) },
    streams,
  );
  const region =
    target === TargetType.Local
      ? DEFAULT_REGION
      : await input(
          {
            message: 'AWS region:',
            default: DEFAULT_REGION,
            validate: (v) => /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v) || 'an AWS region, e.g. eu-west-1',
          },
          streams,
        );
  let memoryGb: number | null = null;
  let instanceType: string | null = null;
  if (target === TargetType.ElasticBeanstalk || target === TargetType.SageMaker || target === TargetType.Ecs) {
    const need = await input(
      {
        message: 'Memory the service needs, GB (blank: not stated):',
        default: '',
        validate: (v) => v.trim() === '' || (Number(v) > 0 && Number.isFinite(Number(v))) || 'a number of GB, e.g. 6.5',
      },
      streams,
    );
    memoryGb = need.trim() === '' ? null : Number(need);
  }
  if (target === TargetType.ElasticBeanstalk || target === TargetType.SageMaker) {
    const sagemaker = target === TargetType.SageMaker;
    const cheapest = memoryGb === null ? null : cheapestFit(memoryGb, { sagemaker, gpu: false });
    instanceType = await select<string>(
      {
        message: cheapest
          ? `Instance type (cheapest fit for ${memoryGb} GB under the ${AWS_DEFAULTS.capacityLimitPercent} % gate: ${cheapest.type}):`
          : 'Instance type:',
        choices: instanceChoices(target, memoryGb),
        default: cheapest?.type ?? defaultInstanceType(target) ?? undefined,
        pageSize: 10,
      },
      streams,
    );
  }
  const cache = await confirm({ message: "Cache the proxy's answers (Redis, keyed by version and request)?", default: true }, streams);
  const cacheTtlSeconds = cache
    ? Number(
        await input(
          {
            message: 'Cache TTL, s:',
            default: String(PROXY_DEFAULTS.cacheTtlSeconds),
            validate: (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 7 * 86_400) || 'whole seconds, 1 to 604800',
          },
          streams,
        ),
      )
    : null;
  return { name, target, environment, region, instanceType, memoryGb, cacheTtlSeconds };
}
