import { writeFile } from 'node:fs/promises';
import type { Runtime } from '../../lib/runtime.js';
import type { RolloutRecord } from '../../lib/state/types.js';
import { environmentExists, latestRecord, runEndOf } from '../records.js';
import type { RolloutReport } from '../report.js';
import { reportHtml } from '../report-html.js';

/** Bad input to `report`: one line, exit 2, nothing written. */
export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

/** The HTML page of one rollout: the given one, else the environment's latest. */
export async function renderRollout(
  rt: Runtime,
  environment: string,
  rolloutId?: string,
): Promise<{ record: RolloutRecord; html: string }> {
  if (!environmentExists(rt.home, environment))
    throw new ReportInputError(`no environment ${environment} here (nothing was ever deployed to it)`);
  const record = rolloutId ? await rt.state.getRollout(environment, rolloutId) : await latestRecord(rt.home, environment);
  if (!record) throw new ReportInputError(rolloutId ? `no rollout ${rolloutId} in ${environment}` : `${environment} has no rollouts yet`);
  const end = await runEndOf(rt.home, environment, record.id);
  return { record, html: reportHtml(record, end?.report ?? null) };
}

/** `ml-rollout report --html FILE`: writes the page; returns the line to print. */
export async function writeReportHtml(rt: Runtime, environment: string, file: string, rolloutId?: string): Promise<string> {
  const { record, html } = await renderRollout(rt, environment, rolloutId);
  await writeFile(file, html);
  return `wrote the report of rollout ${record.id} (${record.version}, ${record.status}) to ${file}`;
}

/** `deploy --report-html FILE`: the same page, once the rollout has ended (with the report deploy has). */
export async function writeDeployReportHtml(rt: Runtime, report: RolloutReport, rolloutId: string, file: string): Promise<boolean> {
  if (!report.environment) return false;
  const record = await rt.state.getRollout(report.environment, rolloutId);
  if (!record) return false;
  await writeFile(file, reportHtml(record, report));
  return true;
}
