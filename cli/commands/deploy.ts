import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Plan } from '../../lib/plan/plan.js';
import type { Runtime } from '../../lib/runtime.js';
import { runStateMachine, type RunResult } from '../engine.js';
import { Progress } from '../progress.js';
import { interruptionLines, reconcile } from '../reconcile.js';
import { plannedExecutionBundle } from './bundle-input.js';
import { buildReport, EXIT_CODE, type RolloutReport } from '../report.js';
import { RunKind } from '../runs.js';
import { startRun } from '../start-run.js';
import { summaryLines } from '../summary.js';
import { newRolloutId } from '../rollout-id.js';
import { watchRun } from '../watch-run.js';

export interface DeployOptions {
  bundle: string;
  /** S3 bucket for the bundle of an AWS target (default: the manifest's). */
  bucket?: string;
  reportFile?: string;
  /** Also write the HTML report (charts, checks, cost) to this file at the end. */
  reportHtmlFile?: string;
  pollSeconds?: number;
  sampleSeconds?: number;
  /** Print neither live progress nor the summary (`--quiet`; default false). Errors still go to err. */
  quiet?: boolean;
  /** Start the rollout and return at once with its id (default false: follow it to its end). */
  detach?: boolean;
  /** How the user runs the CLI, for hints (default `ml-rollout`). */
  bin?: string;
}

/** What `deploy` did; report and result are null when it did not follow the rollout to its end. */
export interface DeployResult {
  code: number;
  rolloutId: string;
  report: RolloutReport | null;
  result: RunResult | null;
}

/**
 * `ml-rollout deploy`: runs statemachines/rollout.asl.yml in a detached engine process and follows
 * it (unless `detach`); returns the exit code of the outcome.
 */
export async function deploy(rt: Runtime, opts: DeployOptions, out: (l: string) => void, err: (l: string) => void): Promise<DeployResult> {
  const rolloutId = newRolloutId(rt.clock);
  const progress = new Progress(out, opts.bin);
  const options = {
    ...(opts.pollSeconds ? { pollSeconds: opts.pollSeconds } : {}),
    ...(opts.sampleSeconds ? { sampleSeconds: opts.sampleSeconds } : {}),
  };
  if (!opts.quiet) out(`ml-rollout: rolling out ${opts.bundle} (rollout ${rolloutId})`);
  const { ref, plan } = await plannedExecutionBundle(resolve(opts.bundle), opts.bucket, out);
  const input = { rolloutId, bundle: ref, ...(Object.keys(options).length ? { options } : {}) };
  // A bundle that does not validate names no environment: the state machine rejects it here and
  // now, before anything could need a process that outlives this one.
  if (!plan) return finish(rt, opts, await rejectHere(input, progress, opts), null, out, err, rolloutId);

  const found = await reconcile(rt, plan.environment);
  interruptionLines(found).forEach((l) => out(l));
  const started = await startRun(rt.home, {
    kind: RunKind.Rollout,
    rolloutId,
    environment: plan.environment,
    version: plan.version,
    input,
  });
  if (opts.detach) {
    out(rolloutId);
    err(`ml-rollout: ${rolloutId} runs in engine process ${started.info.pid}; follow it with ml-rollout status --env ${plan.environment}`);
    return { code: 0, rolloutId, report: null, result: null };
  }
  const watched = await watchRun(rt, plan.environment, started, (e) => opts.quiet || progress.on(e), out, err);
  if (watched.kind === 'left') return { code: watched.code, rolloutId, report: null, result: null };
  const { report, result, url } = watched.end;
  return finish(
    rt,
    opts,
    { report: report ?? buildReport(result, null, { environment: plan.environment, version: plan.version }), result },
    url,
    out,
    err,
    rolloutId,
  );
}

/** Runs a bundle that does not validate through the state machine in this process: it is rejected at once. */
async function rejectHere(
  input: Record<string, unknown>,
  progress: Progress,
  opts: DeployOptions,
): Promise<{ report: RolloutReport; result: RunResult }> {
  let head: { environment: string | null; version: string | null } = { environment: null, version: null };
  const result = await runStateMachine({
    name: 'rollout',
    input,
    onEvent: (e) => {
      if (e.type === 'StateExited' && e.state === 'ValidateBundle') {
        const p = (e.output as { plan?: Plan }).plan;
        if (p) head = { environment: p.environment, version: p.version };
      }
      if (!opts.quiet) progress.on(e);
    },
  });
  return { report: buildReport(result, null, head), result };
}

async function finish(
  rt: Runtime,
  opts: DeployOptions,
  { report, result }: { report: RolloutReport; result: RunResult },
  url: string | null,
  out: (l: string) => void,
  err: (l: string) => void,
  rolloutId: string,
): Promise<DeployResult> {
  if (opts.reportFile) await writeFile(opts.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.reportHtmlFile) {
    const { writeDeployReportHtml } = await import('./report-html.js');
    if (!(await writeDeployReportHtml(rt, report, rolloutId, opts.reportHtmlFile)))
      err(`ml-rollout: no HTML report: the rollout was rejected before it had a record (${opts.reportHtmlFile} not written)`);
  }
  const servingUrl = url ?? (report.environment ? ((await rt.state.getServing(report.environment))?.url ?? null) : null);
  if (!opts.quiet) summaryLines(report, servingUrl, opts.bundle).forEach((l) => out(l));
  if (report.status !== 'succeeded') err(`ml-rollout: ${report.status.replace('_', ' ')}: ${report.reason ?? 'unknown error'}`);
  return { code: EXIT_CODE[report.status], rolloutId, report, result };
}
