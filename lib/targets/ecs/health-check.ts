import type { ModifyTargetGroupCommandInput, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EcsHealthCheckSpec } from '../../plan/target-schema.js';

/** One health check setting the manifest changes: from the target group's value to the manifest's. */
export interface HealthCheckChange {
  field: keyof EcsHealthCheckSpec;
  from: string | number | null;
  to: string | number;
}

const FIELDS = [
  { field: 'healthyThreshold', read: (g: TargetGroup) => g.HealthyThresholdCount },
  { field: 'unhealthyThreshold', read: (g: TargetGroup) => g.UnhealthyThresholdCount },
  { field: 'intervalSeconds', read: (g: TargetGroup) => g.HealthCheckIntervalSeconds },
  { field: 'timeoutSeconds', read: (g: TargetGroup) => g.HealthCheckTimeoutSeconds },
  { field: 'matcher', read: (g: TargetGroup) => g.Matcher?.HttpCode },
] as const satisfies readonly { field: keyof EcsHealthCheckSpec; read: (g: TargetGroup) => string | number | undefined }[];

/** The settings of `want` that differ from the target group's; empty when they all match. */
export function healthCheckChanges(group: TargetGroup, want: EcsHealthCheckSpec | undefined): HealthCheckChange[] {
  if (!want) return [];
  return FIELDS.flatMap(({ field, read }) => {
    const to = want[field];
    const from = read(group) ?? null;
    return to === undefined || to === from ? [] : [{ field, from, to }];
  });
}

/** The ModifyTargetGroup input that makes the changes (only the fields that differ). */
export function modifyInput(arn: string, changes: HealthCheckChange[]): ModifyTargetGroupCommandInput {
  const input: ModifyTargetGroupCommandInput = { TargetGroupArn: arn };
  for (const c of changes) {
    if (c.field === 'healthyThreshold') input.HealthyThresholdCount = Number(c.to);
    if (c.field === 'unhealthyThreshold') input.UnhealthyThresholdCount = Number(c.to);
    if (c.field === 'intervalSeconds') input.HealthCheckIntervalSeconds = Number(c.to);
    if (c.field === 'timeoutSeconds') input.HealthCheckTimeoutSeconds = Number(c.to);
    if (c.field === 'matcher') input.Matcher = { HttpCode: String(c.to) };
  }
  return input;
}

/** "health check of target group …: healthyThreshold 5 → 2, matcher 200-399 → 200". */
export function describeChanges(arn: string, changes: HealthCheckChange[]): string {
  const list = changes.map((c) => `${c.field} ${c.from ?? 'unset'} → ${c.to}`).join(', ');
  return `health check of target group ${arn.split(':').pop() ?? arn}: ${list}`;
}
