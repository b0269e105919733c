/**
 * A CloudWatch dashboard body (CloudWatch API Reference, "Dashboard Body Structure and
 * Syntax"), read into the widgets the console draws. Each widget keeps its place in the
 * 24-column grid; one the console cannot draw becomes `unsupported` with the reason, and the
 * others are drawn all the same.
 */
import { z } from 'zod';
import { type InsightsQuery, InsightsQueryError, parseInsightsQuery } from '../logs/insights-query';
import {
  isSearchExpression,
  parseSearchExpression,
  type SearchExpression,
  SearchExpressionError,
} from '../metrics/search-expression';

export interface Layout {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One line of a metric widget: a metric, or a SEARCH that finds any number of them. */
export type SeriesSpec =
  | {
      readonly kind: 'metric';
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
      readonly stat: string;
      readonly period: number;
      readonly label?: string;
    }
  | {
      readonly kind: 'search';
      readonly search: SearchExpression;
      readonly period: number;
      readonly label?: string;
    };

export type WidgetSpec = { readonly title: string; readonly layout: Layout } & (
  | { readonly type: 'metric'; readonly series: readonly SeriesSpec[] }
  | { readonly type: 'alarm'; readonly alarmNames: readonly string[] }
  | { readonly type: 'log'; readonly query: InsightsQuery }
  | { readonly type: 'unsupported'; readonly widgetType: string; readonly reason: string }
);

export interface DashboardSpec {
  /** ISO 8601 duration before now (`-PT3H`), the dashboard's default time range. */
  readonly start?: string;
  readonly widgets: readonly WidgetSpec[];
}

export class DashboardBodyError extends Error {
  override name = 'DashboardBodyError';
}

/** The body's defaults: 6 by 6 widgets, 300-second periods, the Average statistic. */
const DEFAULT_SIZE = 6;
const DEFAULT_PERIOD = 300;
const DEFAULT_STAT = 'Average';
const GRID_COLUMNS = 24;

const widgetSchema = z.object({
  type: z.string(),
  x: z.number().int().min(0).optional(),
  y: z.number().int().min(0).optional(),
  width: z.number().int().min(1).max(GRID_COLUMNS).default(DEFAULT_SIZE),
  height: z.number().int().min(1).max(1000).default(DEFAULT_SIZE),
  properties: z.record(z.string(), z.unknown()).default({}),
});
const bodySchema = z.object({ start: z.string().optional(), widgets: z.array(widgetSchema) });

/** Reads a GetDashboard body; refuses one that is not a dashboard at all, with the reason. */
export function parseDashboardBody(body: string): DashboardSpec {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new DashboardBodyError(`the dashboard body is not JSON: ${(error as Error).message}`);
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DashboardBodyError(
      `the dashboard body is not valid at ${issue.path.join('.') || 'its top'}: ${issue.message}`,
    );
  }
  const placed = place(parsed.data.widgets);
  return {
    start: parsed.data.start,
    widgets: parsed.data.widgets.map((widget, i) => widgetSpec(widget, placed[i])),
  };
}

type RawWidget = z.infer<typeof widgetSchema>;

/** Widgets without x and y flow left to right, then down, as CloudWatch places them. */
function place(widgets: readonly RawWidget[]): Layout[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map(({ x: givenX, y: givenY, width, height }) => {
    if (givenX !== undefined && givenY !== undefined) return { x: givenX, y: givenY, width, height };
    if (x + width > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const layout = { x, y, width, height };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return layout;
  });
}

function widgetSpec(widget: RawWidget, layout: Layout): WidgetSpec {
  const properties = widget.properties;
  const title = typeof properties.title === 'string' ? properties.title : '';
  const unsupported = (reason: string): WidgetSpec => ({
    type: 'unsupported',
    widgetType: widget.type,
    title,
    layout,
    reason,
  });
  try {
    switch (widget.type) {
      case 'metric': {
        const view = properties.view ?? 'timeSeries';
        if (view !== 'timeSeries')
          return unsupported(`the ${String(view)} view is not drawn locally; timeSeries is`);
        return { type: 'metric', title, layout, series: seriesOf(properties) };
      }
      case 'alarm':
        return { type: 'alarm', title, layout, alarmNames: alarmNamesOf(properties.alarms) };
      case 'log': {
        if (typeof properties.query !== 'string') return unsupported('a log widget needs a query');
        const view = properties.view ?? 'table';
        if (view !== 'table')
          return unsupported(`the ${String(view)} view of a log widget is not drawn locally; table is`);
        return { type: 'log', title, layout, query: parseInsightsQuery(properties.query) };
      }
      default:
        return unsupported(
          `the widget type "${widget.type}" is not supported locally (metric, alarm and log are)`,
        );
    }
  } catch (error) {
    if (
      error instanceof SearchExpressionError ||
      error instanceof InsightsQueryError ||
      error instanceof DashboardBodyError
    )
      return unsupported(error.message);
    throw error;
  }
}

const renderingSchema = z
  .object({
    expression: z.string().optional(),
    label: z.string().optional(),
    period: z.number().int().positive().optional(),
    stat: z.string().optional(),
    visible: z.boolean().optional(),
  })
  .loose();

function seriesOf(properties: Record<string, unknown>): SeriesSpec[] {
  if (!Array.isArray(properties.metrics))
    throw new DashboardBodyError('a metric widget needs a metrics array');
  const widgetPeriod = typeof properties.period === 'number' ? properties.period : DEFAULT_PERIOD;
  const widgetStat = typeof properties.stat === 'string' ? properties.stat : DEFAULT_STAT;
  let previous: readonly unknown[] = [];
  const series: SeriesSpec[] = [];
  for (const line of properties.metrics as unknown[]) {
    if (!Array.isArray(line))
      throw new DashboardBodyError(`a metrics entry is not an array: ${JSON.stringify(line)}`);
    const last = line[line.length - 1];
    const hasRendering = typeof last === 'object' && last !== null && !Array.isArray(last);
    const rendering = renderingSchema.parse(hasRendering ? last : {});
    const names = (hasRendering ? line.slice(0, -1) : line).map((item, i) => {
      if (item === '...')
        throw new DashboardBodyError('the "..." shorthand is not supported locally; "." is');
      return item === '.' ? previous[i] : item;
    });
    previous = names;
    if (rendering.visible === false) continue;
    if (rendering.expression !== undefined) {
      if (!isSearchExpression(rendering.expression))
        throw new DashboardBodyError(
          `the expression ${rendering.expression} is not supported locally; SEARCH is`,
        );
      const search = parseSearchExpression(rendering.expression);
      series.push({
        kind: 'search',
        search,
        period: search.period ?? rendering.period ?? widgetPeriod,
        label: rendering.label,
      });
      continue;
    }
    if (names.length < 2 || names.length % 2 !== 0 || names.some((name) => typeof name !== 'string')) {
      throw new DashboardBodyError(
        `a metric is [Namespace, MetricName, Name, Value, ...]: ${JSON.stringify(line)}`,
      );
    }
    const [namespace, metricName, ...pairs] = names as string[];
    series.push({
      kind: 'metric',
      namespace,
      metricName,
      dimensions: Array.from({ length: pairs.length / 2 }, (_, i) => ({
        Name: pairs[2 * i],
        Value: pairs[2 * i + 1],
      })),
      stat: rendering.stat ?? widgetStat,
      period: rendering.period ?? widgetPeriod,
      label: rendering.label,
    });
  }
  return series;
}

function alarmNamesOf(alarms: unknown): string[] {
  if (!Array.isArray(alarms) || alarms.some((arn) => typeof arn !== 'string'))
    throw new DashboardBodyError('an alarm widget needs an alarms array of ARNs');
  return (alarms as string[]).map((arn) => {
    const name = /^arn:[^:]+:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/.exec(arn)?.[1];
    if (!name) throw new DashboardBodyError(`not an alarm ARN: ${arn}`);
    return name;
  });
}
