import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plan } from '../../lib/plan/plan.js';
import type { Runtime } from '../../lib/runtime.js';
import { runStateMachine, type RunResult } from '../engine.js';
import { Progress } from '../progress.js';
import { executionBundle } from './bundle-input.js';
import { buildReport, EXIT_CODE, type RolloutReport } from '../report.js';
import { summaryLines } from '../summary.js';
import { newRolloutId } from '../rollout-id.js';

export interface DeployOptions {
  bundle: string;
  /** S3 bucket for the bundle of an AWS target (default: the manifest's). */
  bucket?: string;
  reportFile?: string;
  pollSeconds?: number;
  sampleSeconds?: number;
  /** Print neither live progress nor the summary (`--quiet`; default false). Errors still go to err. */
  quiet?: boolean;
}

/** `ml-rollout deploy`: runs statemachines/rollout.asl.yml locally; returns the exit code. */
export async function deploy(
  rt: Runtime,
  opts: DeployOptions,
  out: (l: string) => void,
  err: (l: string) => void,
): Promise<{ code: number; report: RolloutReport; result: RunResult }> {
  const rolloutId = newRolloutId(rt.clock);
  const progress = new Progress(out, rt.clock);
  const options = {
    ...(opts.pollSeconds ? { pollSeconds: opts.pollSeconds } : {}),
    ...(opts.sampleSeconds ? { sampleSeconds: opts.sampleSeconds } : {}),
  };
  if (!opts.quiet) out(`ml-rollout: rolling out ${opts.bundle} (rollout ${rolloutId})`);
  let head: { environment: string | null; version: string | null } = { environment: null, version: null };
  const result = await runStateMachine({
    name: 'rollout',
    input: {
      rolloutId,
      bundle: await executionBundle(resolve(opts.bundle), opts.bucket, out),
      ...(Object.keys(options).length ? { options } : {}),
    },
    onEvent: (e) => {
      if (e.type === 'StateExited' && e.state === 'ValidateBundle') {
        const plan = (e.output as { plan?: Plan }).plan;
        if (plan) head = { environment: plan.environment, version: plan.version };
      }
      if (!opts.quiet) progress.on(e);
    },
  });
  const planned = result.transitions.some((t) => t.state === 'TakeSnapshot');
  const record = planned && head.environment ? await rt.state.getRollout(head.environment, rolloutId) : null;
  const report = buildReport(result, record, head);
  if (opts.reportFile) await writeFile(opts.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  const serving = head.environment ? await rt.state.getServing(head.environment) : null;
  if (!opts.quiet) summaryLines(report, serving?.url ?? null).forEach((l) => out(l));
  if (report.status !== 'succeeded') err(`ml-rollout: ${report.status.replace('_', ' ')}: ${report.reason ?? 'unknown error'}`);
  return { code: EXIT_CODE[report.status], report, result };
}
