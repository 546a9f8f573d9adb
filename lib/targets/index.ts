import type { Clock } from '../clock.js';
import type { TargetSpec } from '../plan/target-schema.js';
import { ElasticBeanstalkTarget } from './elastic-beanstalk/target.js';
import { LocalTarget } from './local/local-target.js';
import { SageMakerTarget } from './sagemaker/target.js';
import type { Target } from './types.js';

/** What a target may need from the runtime. */
export interface TargetDeps {
  /** Local state directory (absolute). */
  home: string;
  clock: Clock;
}

/** The one place that maps a manifest's target type to its implementation. */
export function createTarget(spec: TargetSpec, deps: TargetDeps): Target {
  switch (spec.type) {
    case 'local':
      return new LocalTarget(deps);
    case 'elastic-beanstalk':
      return new ElasticBeanstalkTarget({ clock: deps.clock });
    case 'sagemaker':
      return new SageMakerTarget({ clock: deps.clock });
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
