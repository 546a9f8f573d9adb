import * as z from 'zod';
import { DEFAULTS } from './defaults.js';

/** How a phase moves user traffic to its new version. */
export const TrafficStrategy = { AllAtOnce: 'all-at-once', Canary: 'canary', Linear: 'linear' } as const;
export type TrafficStrategy = (typeof TrafficStrategy)[keyof typeof TrafficStrategy];

const percent = z.number().int().min(1).max(99);

/**
 * `traffic:` of a manifest or a phase: all at once (blue/green, the default), canary steps or
 * linear steps, each step measured for stepSeconds under the phase's gate before the next.
 */
export const trafficSchema = z
  .strictObject({
    strategy: z.enum([TrafficStrategy.AllAtOnce, TrafficStrategy.Canary, TrafficStrategy.Linear]).default(TrafficStrategy.AllAtOnce),
    /** canary: the share (%) of requests the new version takes, step by step, before 100. */
    steps: z.array(percent).optional(),
    /** linear: 25 → 25, 50, 75, then 100. */
    stepPercent: percent.optional(),
    /** How long each step is measured under the phase's gate before the next, s (default 60). */
    stepSeconds: z.number().int().min(0).default(DEFAULTS.trafficStepSeconds),
    /** The new version against the one it replaces, over the same window. */
    compare: z
      .strictObject({
        /** new p95 / old p95 must stay at or under this. */
        p95LatencyRatio: z.number().positive().optional(),
        /** new error rate − old error rate, in points, at or under this. */
        errorRateDeltaPercent: z.number().min(0).optional(),
      })
      .optional(),
  })
  .superRefine((t, ctx) => {
    if (t.strategy === TrafficStrategy.Canary) {
      if (!t.steps || t.steps.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['steps'], message: 'a canary needs steps, e.g. [10, 50]' });
      } else if (t.steps.some((s, i) => i > 0 && s <= (t.steps?.[i - 1] ?? 0))) {
        ctx.addIssue({ code: 'custom', path: ['steps'], message: 'canary steps must be in ascending order' });
      }
      if (t.stepPercent !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['stepPercent'], message: 'stepPercent is for linear; a canary has steps' });
      }
    } else if (t.strategy === TrafficStrategy.Linear) {
      if (t.stepPercent === undefined) {
        ctx.addIssue({ code: 'custom', path: ['stepPercent'], message: 'linear needs stepPercent, e.g. 25' });
      }
      if (t.steps !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['steps'], message: 'steps are for canary; linear has stepPercent' });
      }
    } else {
      if (t.steps !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['steps'], message: 'steps are for canary, not all-at-once' });
      }
      if (t.stepPercent !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['stepPercent'], message: 'stepPercent is for linear, not all-at-once' });
      }
    }
  });
export type Traffic = z.infer<typeof trafficSchema>;

/** The weights (%) the new version takes, in order, ending at 100: all-at-once → [100]; canary [10,50] → [10,50,100]; linear 25 → [25,50,75,100]. */
export function trafficSteps(t: Traffic | undefined): number[] {
  if (!t || t.strategy === TrafficStrategy.AllAtOnce) return [100];
  if (t.strategy === TrafficStrategy.Canary) return [...(t.steps ?? []).filter((s) => s < 100), 100];
  const step = t.stepPercent ?? 100;
  const out: number[] = [];
  for (let w = step; w < 100; w += step) out.push(w);
  out.push(100);
  return out;
}

/** The traffic a phase uses: its own `traffic:`, else the manifest's, else all at once. */
export function phaseTraffic(manifest: { traffic?: Traffic }, phase: { traffic?: Traffic }): Traffic | undefined {
  return phase.traffic ?? manifest.traffic;
}
