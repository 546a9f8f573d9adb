import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AWS_DEFAULTS } from '../plan/defaults.js';
import { aws } from '../aws/errors.js';

/** One metric the gate reads: a plain metric, or a SEARCH expression (which may match several). */
export type MetricRequest =
  | { id: string; namespace: string; metric: string; dimensions: Record<string, string>; stat: string }
  | { id: string; expression: string };

export type CloudWatch = Pick<CloudWatchClient, 'send'>;

function toQuery(r: MetricRequest, period: number): MetricDataQuery {
  if ('expression' in r) return { Id: r.id, Expression: r.expression, ReturnData: true };
  return {
    Id: r.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: r.namespace,
        MetricName: r.metric,
        Dimensions: Object.entries(r.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: r.stat,
    },
  };
}

/**
 * The newest datapoint of each metric within the look-back window, by id; null where CloudWatch
 * has none (the metric is not published, or not yet: a per-minute metric lags a minute or two).
 * Where one id matches several series (a SEARCH over instances), the highest newest value counts:
 * the gate holds the worst instance to the threshold.
 */
export async function newestValues(
  cw: CloudWatch,
  requests: MetricRequest[],
  now: number,
  what: string,
  /** epoch ms: only datapoints stamped at or after it count (the moment the phase became stable). */
  since?: number,
): Promise<Record<string, number | null>> {
  const values: Record<string, number | null> = Object.fromEntries(requests.map((r) => [r.id, null]));
  if (requests.length === 0) return values;
  const period = AWS_DEFAULTS.metricPeriodSeconds;
  // Pages come newest first: the first page that holds a series holds its newest value.
  const seenSeries = new Set<string>();
  let nextToken: string | undefined;
  do {
    const out = await aws(`GetMetricData (${what})`, () =>
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - AWS_DEFAULTS.metricLookbackSeconds * 1000),
          EndTime: new Date(now),
          MetricDataQueries: requests.map((r) => toQuery(r, period)),
          ScanBy: 'TimestampDescending',
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    for (const result of out.MetricDataResults ?? []) {
      const id = result.Id;
      const newest = newestOf(result.Timestamps, result.Values, since);
      const series = `${id}\u0000${result.Label ?? ''}`;
      if (id === undefined || newest === null || !(id in values) || seenSeries.has(series)) continue;
      seenSeries.add(series);
      const seen = values[id] ?? null;
      values[id] = seen === null ? newest : Math.max(seen, newest);
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return values;
}

/**
 * The value at the newest timestamp (CloudWatch sorts as asked, but a page may not be sorted);
 * with `since`, only a datapoint stamped at or after it: a datapoint's timestamp is the start of
 * its period, so one stamped before the phase became stable measured (partly) the version before.
 */
function newestOf(timestamps: Date[] | undefined, values: number[] | undefined, since?: number): number | null {
  if (!values || values.length === 0) return null;
  if (!timestamps || timestamps.length !== values.length) return since === undefined ? (values[0] ?? null) : null;
  let best = -1;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]?.getTime() ?? 0;
    if (since !== undefined && t < since) continue;
    if (best < 0 || t > (timestamps[best]?.getTime() ?? 0)) best = i;
  }
  return best < 0 ? null : (values[best] ?? null);
}

/**
 * The moment a phase's CloudWatch metrics count from: carried in the sample cursor from the
 * first sample of the phase's window, which the gate takes once the phase is stable.
 */
export function metricsSince(cursor: Record<string, unknown> | null, at: number): number {
  return typeof cursor?.metricsSince === 'number' ? cursor.metricsSince : at;
}

/** What a window average carries from sample to sample (in the Sample's JSON cursor). */
export interface AverageCursor {
  cpuTotal: number;
  cpuSamples: number;
}

/**
 * CPU over the bake window so far (the gate's "CPU use since the window began"): the mean of the
 * samples' readings, carried in the cursor. A sample without a reading keeps the mean of the
 * others; null only while no sample had one.
 */
export function cpuOverWindow(
  cursor: Record<string, unknown> | null,
  reading: number | null,
): { cpuPercent: number | null; cursor: AverageCursor } {
  const total = typeof cursor?.cpuTotal === 'number' ? cursor.cpuTotal : 0;
  const samples = typeof cursor?.cpuSamples === 'number' ? cursor.cpuSamples : 0;
  const next = reading === null ? { cpuTotal: total, cpuSamples: samples } : { cpuTotal: total + reading, cpuSamples: samples + 1 };
  return { cpuPercent: next.cpuSamples ? Math.round((next.cpuTotal / next.cpuSamples) * 10) / 10 : null, cursor: next };
}
