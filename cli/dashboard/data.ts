import type { Runtime } from '../../lib/runtime.js';
import { history, type HistoryRow } from '../../lib/rollout/history.js';
import { getView, type GetView } from '../commands/get.js';
import { environments, rolloutRecords } from '../records.js';
import { charted, costHtml, phaseCharts, timelineHtml } from '../report-html.js';
import { escapeHtml as h } from '../svg-chart.js';

/** One environment on the dashboard: what `get` shows, its history, and the charts of its rollout. */
export interface EnvironmentPanel {
  view: GetView;
  history: HistoryRow[];
  /** The running rollout's (else the last one's) timeline, cost and charts, as HTML (SVG inline). */
  rolloutId: string | null;
  timelineHtml: string;
  chartsHtml: string;
  costHtml: string;
}

/** How many rows of history a panel shows. */
const HISTORY_ROWS = 20;

export async function overview(rt: Runtime, bin: string): Promise<GetView[]> {
  const names = await environments(rt.home);
  return Promise.all(names.map((n) => getView(rt, n, bin)));
}

export async function panel(rt: Runtime, environment: string, bin: string): Promise<EnvironmentPanel> {
  const [view, records] = await Promise.all([getView(rt, environment, bin), rolloutRecords(rt.home, environment)]);
  const rows = history(records, HISTORY_ROWS);
  const id = view.rollout?.id ?? rows[0]?.id ?? null;
  const record = id ? (records.find((r) => r.id === id) ?? null) : null;
  const charts = record
    ? record.phases
        .filter(charted)
        .map(
          (p) =>
            `<div class="phase-charts" data-phase="${h(p.name)}"><h3>${h(p.name)}</h3><div class="charts">${phaseCharts(p).join('')}</div></div>`,
        )
        .join('')
    : '';
  return {
    view,
    history: rows,
    rolloutId: id,
    timelineHtml: record ? timelineHtml(record) : '',
    chartsHtml: charts,
    costHtml: record ? costHtml(record.cost, view.rollout?.id === record.id) : '',
  };
}
