import type * as z from 'zod';
import { ebTrafficIssues } from '../targets/elastic-beanstalk/policy.js';
import { sageMakerTrafficIssues } from '../targets/sagemaker/limits.js';
import { DEFAULTS } from './defaults.js';
import { TargetType, type TargetSpec } from './target-schema.js';
import type { Traffic } from './traffic-schema.js';

/** What the check reads of a manifest. */
interface TrafficManifest {
  target: TargetSpec;
  traffic?: Traffic | undefined;
  phases: { traffic?: Traffic | undefined; deadlineSeconds?: number | undefined }[];
}

/**
 * The AWS targets' own limits on `traffic:` (and Elastic Beanstalk's deployment policy), checked
 * with the manifest so that a rollout outside them is rejected before any change, naming the
 * field and the limit. Each problem once, even when the manifest-wide traffic applies to every phase.
 */
export function refineTargetTraffic(m: TrafficManifest, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  const add = (issue: { path: (string | number)[]; message: string }) => {
    const key = `${issue.path.join('.')}: ${issue.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  };
  const target = m.target;
  if (target.type === TargetType.ElasticBeanstalk) ebTrafficIssues(target, undefined, []).forEach(add);
  m.phases.forEach((p, i) => {
    const traffic = p.traffic ?? m.traffic;
    const where = p.traffic ? ['phases', i, 'traffic'] : ['traffic'];
    if (target.type === TargetType.ElasticBeanstalk) {
      ebTrafficIssues(target, traffic, where)
        .filter((issue) => issue.path[0] !== 'target' || issue.path[1] === 'deploymentPolicy')
        .forEach(add);
    } else if (target.type === TargetType.SageMaker) {
      const seconds = p.deadlineSeconds ?? DEFAULTS.deadlineSeconds.sagemaker;
      sageMakerTrafficIssues(traffic, where, { seconds, path: ['phases', i, 'deadlineSeconds'] }).forEach(add);
      if ((target.alarms?.length ?? 0) >= 10 && traffic && traffic.strategy !== 'all-at-once') {
        add({
          path: ['target', 'alarms'],
          message: "a canary or linear shift adds the rollout's own alarm: name at most 9 (SageMaker watches 10)",
        });
      }
    }
  });
}
