import type { Clock } from '../clock.js';
import type { TargetSpec, TargetType } from '../plan/target-schema.js';
import { LocalTarget } from './local/local-target.js';
import type { Target } from './types.js';

/** What a target may need from the runtime. */
export interface TargetDeps {
  /** Local state directory (absolute). */
  home: string;
  clock: Clock;
}

type TargetMethod = Exclude<keyof Target, 'type'>;

/**
 * A target whose module (and its AWS SDK clients) is imported on the first call, so that a
 * command that never talks to AWS (status or plan of a local environment) never loads the SDK.
 * Every method of Target is async, which is what makes the deferral invisible to callers.
 */
function deferred(type: TargetType, load: () => Promise<Target>): Target {
  let loaded: Promise<Target> | null = null;
  const call =
    (method: TargetMethod) =>
    async (...args: unknown[]): Promise<unknown> => {
      loaded ??= load();
      const target = await loaded;
      const fn = target[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      // shift and retire are optional: a target without them has nothing to do there.
      return fn ? fn.apply(target, args) : undefined;
    };
  return {
    type,
    current: call('current'),
    apply: call('apply'),
    probe: call('probe'),
    sample: call('sample'),
    restore: call('restore'),
    probeRestored: call('probeRestored'),
    health: call('health'),
    shift: call('shift'),
    retire: call('retire'),
    finish: async (...args: unknown[]) => {
      loaded ??= load();
      const target = await loaded;
      return target.finish ? target.finish.apply(target, args as Parameters<NonNullable<Target['finish']>>) : {};
    },
  } as Target;
}

/** The one place that maps a manifest's target type to its implementation. */
export function createTarget(spec: TargetSpec, deps: TargetDeps): Target {
  switch (spec.type) {
    case 'local':
      return new LocalTarget(deps);
    case 'elastic-beanstalk':
      return deferred(spec.type, async () => {
        const { ElasticBeanstalkTarget } = await import('./elastic-beanstalk/target.js');
        return new ElasticBeanstalkTarget({ clock: deps.clock });
      });
    case 'sagemaker':
      return deferred(spec.type, async () => {
        const { SageMakerTarget } = await import('./sagemaker/target.js');
        return new SageMakerTarget({ clock: deps.clock });
      });
    case 'ecs':
      return deferred(spec.type, async () => {
        const { EcsTarget } = await import('./ecs/target.js');
        return new EcsTarget({ clock: deps.clock });
      });
  }
}

/** A runtime's target lookup: one instance per target type (its clients live as long), made on first use. */
export function targetRegistry(deps: TargetDeps): (spec: TargetSpec) => Target {
  const targets = new Map<TargetSpec['type'], Target>();
  return (spec) => {
    let target = targets.get(spec.type);
    if (!target) {
      target = createTarget(spec, deps);
      targets.set(spec.type, target);
    }
    return target;
  };
}
