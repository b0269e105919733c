/**
 * What the page draws: every widget of the dashboard with its data, read from the emulator in
 * as few calls as CloudWatch's console would make. All metric widgets share one GetMetricData
 * call (up to 500 queries each), the SEARCH expressions one ListMetrics per namespace and
 * metric name, the alarm widgets one DescribeAlarms.
 */
import type { MetricAlarm, MetricDataQuery, Metric as MetricDescription } from '@aws-sdk/client-cloudwatch';
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { type LogRecord, recordOf, runInsightsQuery } from '../logs/insights-query';
import { type SearchTerm, searchFinds } from '../metrics/search-expression';
import type { DashboardSpec, Layout, SeriesSpec, WidgetSpec } from './dashboard-body';

/** The emulator's answers the view is made of; `emulatorReader` asks the emulator for them. */
export interface DashboardReader {
  listMetrics(namespace: string, metricName?: string): Promise<MetricDescription[]>;
  getMetricData(
    queries: readonly MetricDataQuery[],
    start: Date,
    end: Date,
  ): Promise<Array<{ id: string; timestamps: Date[]; values: number[] }>>;
  describeAlarms(names: readonly string[]): Promise<MetricAlarm[]>;
  /** The group's events in the range, at most `limit`, oldest first; `truncated` when there were more. */
  filterLogEvents(
    logGroupName: string,
    start: Date,
    end: Date,
    limit: number,
  ): Promise<{ events: FilteredLogEvent[]; truncated: boolean }>;
}

export interface Series {
  readonly label: string;
  /** Seconds since the epoch, ascending. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

export interface AlarmRow {
  readonly name: string;
  /** ALARM, OK or INSUFFICIENT_DATA; absent when the emulator has no such alarm. */
  readonly state?: string;
  readonly reason?: string;
  readonly updated?: string;
}

export type WidgetView = { readonly title: string; readonly layout: Layout } & (
  | { readonly type: 'metric'; readonly series: readonly Series[] }
  | { readonly type: 'alarm'; readonly alarms: readonly AlarmRow[] }
  | {
      readonly type: 'log';
      readonly columns: readonly string[];
      readonly rows: readonly LogRecord[];
      /** Set when the range held more events than the console reads. */
      readonly note?: string;
    }
  | { readonly type: 'unsupported'; readonly widgetType: string; readonly reason: string }
);

export interface DashboardView {
  readonly start: string;
  readonly end: string;
  readonly widgets: readonly WidgetView[];
}

/** Events a log widget reads of its range; Insights scans them all, the console reads this many. */
export const LOG_EVENTS_READ = 20_000;
const QUERIES_PER_CALL = 500;

export async function dashboardView(
  dashboard: DashboardSpec,
  reader: DashboardReader,
  start: Date,
  end: Date,
): Promise<DashboardView> {
  const metricSeries = await readMetricSeries(dashboard.widgets, reader, start, end);
  const alarms = await readAlarms(dashboard.widgets, reader);
  const widgets: WidgetView[] = [];
  for (const [index, widget] of dashboard.widgets.entries()) {
    const { title, layout } = widget;
    switch (widget.type) {
      case 'metric':
        widgets.push({ type: 'metric', title, layout, series: metricSeries.get(index) ?? [] });
        break;
      case 'alarm':
        widgets.push({
          type: 'alarm',
          title,
          layout,
          alarms: widget.alarmNames.map((name) => alarmRow(name, alarms.get(name))),
        });
        break;
      case 'log':
        widgets.push({ type: 'log', title, layout, ...(await readLogWidget(widget, reader, start, end)) });
        break;
      default:
        widgets.push(widget);
    }
  }
  return { start: start.toISOString(), end: end.toISOString(), widgets };
}

interface PlannedQuery {
  readonly widget: number;
  readonly label: string;
  readonly query: MetricDataQuery;
}

async function readMetricSeries(
  widgets: readonly WidgetSpec[],
  reader: DashboardReader,
  start: Date,
  end: Date,
): Promise<Map<number, Series[]>> {
  const listed = new Map<string, Promise<MetricDescription[]>>();
  const list = (namespace: string, metricName?: string) => {
    const key = `${namespace}\u0000${metricName ?? ''}`;
    let metrics = listed.get(key);
    if (!metrics) {
      metrics = reader.listMetrics(namespace, metricName);
      listed.set(key, metrics);
    }
    return metrics;
  };
  const planned: PlannedQuery[] = [];
  for (const [widget, spec] of widgets.entries()) {
    if (spec.type !== 'metric') continue;
    for (const series of spec.series) {
      for (const { metric, label, stat } of await metricsOf(series, list)) {
        planned.push({
          widget,
          label,
          query: {
            Id: `m${planned.length}`,
            MetricStat: { Metric: metric, Period: series.period, Stat: stat },
            ReturnData: true,
          },
        });
      }
    }
  }
  const results = new Map<string, { timestamps: Date[]; values: number[] }>();
  for (let at = 0; at < planned.length; at += QUERIES_PER_CALL) {
    const chunk = planned.slice(at, at + QUERIES_PER_CALL).map(({ query }) => query);
    for (const result of await reader.getMetricData(chunk, start, end)) results.set(result.id, result);
  }
  const byWidget = new Map<number, Series[]>();
  for (const { widget, label, query } of planned) {
    const result = results.get(query.Id as string) ?? { timestamps: [], values: [] };
    const points = result.timestamps
      .map((timestamp, i) => [Math.floor(timestamp.getTime() / 1000), result.values[i]] as const)
      .sort(([a], [b]) => a - b);
    const series = byWidget.get(widget) ?? [];
    series.push({ label, timestamps: points.map(([t]) => t), values: points.map(([, v]) => v) });
    byWidget.set(widget, series);
  }
  return byWidget;
}

/** The metrics a line stands for, each with its legend label and statistic. */
async function metricsOf(
  series: SeriesSpec,
  list: (namespace: string, metricName?: string) => Promise<MetricDescription[]>,
): Promise<Array<{ metric: MetricDescription; label: string; stat: string }>> {
  if (series.kind === 'metric') {
    const metric = {
      Namespace: series.namespace,
      MetricName: series.metricName,
      Dimensions: [...series.dimensions],
    };
    return [{ metric, label: series.label ?? series.metricName, stat: series.stat }];
  }
  const { search } = series;
  const namespace = search.schema?.namespace;
  if (namespace === undefined) return [];
  const metricName = exactMetricName(search.term);
  const found = unique(await list(namespace, metricName)).filter((metric) => searchFinds(search, metric));
  const base = series.label ?? search.statistic;
  // CloudWatch labels each found series with the expression's label and the metric's own.
  return found.map((metric) => ({
    metric,
    label:
      found.length === 1 ? base : `${base} ${(metric.Dimensions ?? []).map(({ Value }) => Value).join(' ')}`,
    stat: search.statistic,
  }));
}

/**
 * Each metric once: moto's ListMetrics returns a metric once per datapoint put, where
 * CloudWatch returns it once (docs/emulators.md).
 */
function unique(metrics: readonly MetricDescription[]): MetricDescription[] {
  const byIdentity = new Map<string, MetricDescription>();
  for (const metric of metrics) {
    const dimensions = [...(metric.Dimensions ?? [])].sort((a, b) =>
      (a.Name ?? '').localeCompare(b.Name ?? ''),
    );
    byIdentity.set(JSON.stringify([metric.Namespace, metric.MetricName, dimensions]), metric);
  }
  return [...byIdentity.values()];
}

/** A `MetricName="..."` that every found metric must have, to narrow ListMetrics. */
function exactMetricName(term: SearchTerm | undefined): string | undefined {
  if (!term) return undefined;
  if (term.kind === 'match') return term.property === 'MetricName' && term.exact ? term.text : undefined;
  if (term.kind === 'and') return exactMetricName(term.left) ?? exactMetricName(term.right);
  return undefined;
}

async function readAlarms(
  widgets: readonly WidgetSpec[],
  reader: DashboardReader,
): Promise<Map<string, MetricAlarm>> {
  const names = [...new Set(widgets.flatMap((widget) => (widget.type === 'alarm' ? widget.alarmNames : [])))];
  if (names.length === 0) return new Map();
  const alarms = await reader.describeAlarms(names);
  return new Map(alarms.map((alarm) => [alarm.AlarmName as string, alarm]));
}

function alarmRow(name: string, alarm: MetricAlarm | undefined): AlarmRow {
  if (!alarm) return { name, reason: 'the emulator has no alarm of this name' };
  return {
    name,
    state: alarm.StateValue,
    reason: alarm.StateReason,
    updated: alarm.StateUpdatedTimestamp?.toISOString(),
  };
}

async function readLogWidget(
  widget: Extract<WidgetSpec, { type: 'log' }>,
  reader: DashboardReader,
  start: Date,
  end: Date,
): Promise<{ columns: readonly string[]; rows: readonly LogRecord[]; note?: string }> {
  const records: LogRecord[] = [];
  const truncated: string[] = [];
  const missing: string[] = [];
  for (const logGroupName of widget.query.logGroupNames) {
    try {
      const read = await reader.filterLogEvents(logGroupName, start, end, LOG_EVENTS_READ);
      if (read.truncated) truncated.push(logGroupName);
      for (const event of read.events) records.push(recordOf({ ...event, logGroupName }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      missing.push(logGroupName);
    }
  }
  const notes = [
    ...(truncated.length > 0
      ? [`read the first ${LOG_EVENTS_READ} events of ${truncated.join(', ')} in this range`]
      : []),
    ...(missing.length > 0 ? [`the emulator has no log group ${missing.join(', ')}`] : []),
  ];
  const result = runInsightsQuery(widget.query, records);
  return notes.length > 0 ? { ...result, note: notes.join('; ') } : result;
}
