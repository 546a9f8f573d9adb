import * as z from 'zod';

/** How a phase moves requests to the new version. */
export const TrafficStrategy = { AllAtOnce: 'all-at-once', Canary: 'canary', Linear: 'linear' } as const;
export type TrafficStrategy = (typeof TrafficStrategy)[keyof typeof TrafficStrategy];

const percent = z.number().int().min(1).max(99);

/**
 * The manifest's (or a phase's) `traffic:`. Canary: `steps`, the share (%) of requests the new
 * version takes step by step before 100. Linear: `stepPercent`, 25 → 25, 50, 75, 100. Each step
 * is measured under the phase's gate for `stepSeconds` (s, default 60) before the next.
 */
export const trafficSchema = z.strictObject({
  strategy: z.enum([TrafficStrategy.AllAtOnce, TrafficStrategy.Canary, TrafficStrategy.Linear]).default(TrafficStrategy.AllAtOnce),
  steps: z.array(percent).min(1).optional(),
  stepPercent: percent.optional(),
  stepSeconds: z.number().int().min(0).default(60),
  /** The new version against the one it replaces, over the same window. */
  compare: z
    .strictObject({
      /** new p95 / old p95 must stay at or under this. */
      p95LatencyRatio: z.number().positive().optional(),
      /** new error rate − old error rate, in points, at or under this. */
      errorRateDeltaPercent: z.number().min(0).max(100).optional(),
    })
    .optional(),
});
export type Traffic = z.infer<typeof trafficSchema>;

/** The steps (%) a phase's traffic goes through, ending at 100: canary [10, 50] → [10, 50, 100]; linear 25 → [25, 50, 75, 100]. */
export function trafficSteps(t: Traffic | undefined): number[] {
  if (!t || t.strategy === TrafficStrategy.AllAtOnce) return [100];
  if (t.strategy === TrafficStrategy.Canary) return [...new Set([...(t.steps ?? [10]), 100])].sort((a, b) => a - b);
  const step = t.stepPercent ?? 25;
  const out: number[] = [];
  for (let p = step; p < 100; p += step) out.push(p);
  return [...out, 100];
}
