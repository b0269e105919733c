/**
 * The console's HTTP app: the page and its bundle, and the reads behind its views, each from
 * where AWS's console reads it: GET /api/dashboard (the dashboard's body and every widget's data
 * for one time range), /api/alarms (DescribeAlarms, DescribeAlarmHistory), /api/targets
 * (DescribeTargetHealth), /api/service (DescribeServices, tasks, DescribeScalingActivities),
 * /api/log-groups and /api/logs (FilterLogEvents through a filter pattern).
 */
import type { AlarmHistoryItem, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import Router from '@koa/router';
import { type AlarmHistoryFile, FilterPatternError, isNoSuchDashboard } from '@zama/localstack';
import Koa from 'koa';
import { DashboardBodyError, type DashboardSpec, parseDashboardBody } from './dashboard/dashboard-body';
import { type DashboardView, dashboardView } from './dashboard/dashboard-view';
import { DataPlaneError, type DataPlaneReader } from './data-plane-reader';
import type { CallCounts, EmulatorReader } from './emulator-reader';
import { type LogSearchResult, logFilter, searchLogEvents } from './logs/log-search';

/** The time ranges the page offers, as CloudWatch's console does, in minutes. */
export const TIME_RANGES: Readonly<Record<string, number>> = { '15m': 15, '1h': 60, '3h': 180 };

/** A file of the page's bundle, kept in memory: a handful of files, read once. */
export interface WebAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

export interface ConsoleAppOptions {
  readonly reader: EmulatorReader;
  /** The dashboard to draw; the only one the emulator has when absent. */
  readonly dashboardName?: string;
  /** By file name; `index.html` is the page. */
  readonly assets: ReadonlyMap<string, WebAsset>;
  /** Where the emulator is, for the message when it does not answer. */
  readonly emulatorEndpoint: string;
  /** The simulated ALB and the scheduler, for the target group and service views. */
  readonly dataPlane: DataPlaneReader;
  /**
   * Where alarm history is read: the emulator's DescribeAlarmHistory where it keeps one
   * (LocalStack), else the monitor's record of the state changes it made (moto).
   */
  readonly alarmHistory: 'emulator' | AlarmHistoryFile;
  readonly now?: () => number;
}

/** One alarm as the alarm views list it. */
export interface AlarmSummary {
  readonly name: string;
  readonly state?: string;
  readonly reason?: string;
  readonly updated?: string;
  /** "RequestCount Sum > 10 for 3 of 3 periods of 10 s", as CloudWatch's console says it. */
  readonly condition: string;
  readonly actions: readonly string[];
}

export interface AlarmTransition {
  readonly timestamp: string;
  readonly summary: string;
  readonly from?: string;
  readonly to?: string;
  readonly reason?: string;
}

export interface AlarmDetail {
  readonly alarm: AlarmSummary;
  readonly history: readonly AlarmTransition[];
  /** Where the history comes from: the emulator's DescribeAlarmHistory, or the monitor's record. */
  readonly historySource: 'emulator' | 'monitor';
}

export interface LogsResponse extends LogSearchResult {
  readonly group: string;
  readonly pattern: string;
  readonly start: string;
  readonly end: string;
}

export interface DashboardResponse extends DashboardView {
  readonly name: string;
  readonly range: string;
  /** The emulator calls this console has made since it started, by API. */
  readonly calls: CallCounts;
}

export function createConsoleApp(options: ConsoleAppOptions): Koa {
  const { reader, assets, emulatorEndpoint, dataPlane } = options;
  const now = options.now ?? Date.now;
  const app = new Koa();
  const router = new Router();
  let dashboardFound: string | undefined;

  // What a read could not do, said in one line: bad input 400, a part that does not answer 503.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof RequestError || error instanceof FilterPatternError) {
        ctx.status = 400;
        ctx.body = { error: (error as Error).message };
      } else if (error instanceof DataPlaneError) {
        ctx.status = 503;
        ctx.body = { error: `${error.message}. Is the platform running? 'make local-status' says.` };
      } else {
        ctx.status = 503;
        ctx.body = {
          error: `the emulator at ${emulatorEndpoint} did not answer: ${(error as Error).message}. Is the platform running? 'make local-status' says.`,
        };
      }
    }
  });

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/api/dashboard', async (ctx) => {
    const range = queryText(ctx.query.range) ?? '3h';
    const minutes = rangeMinutes(range);
    let name: string;
    let dashboard: DashboardSpec;
    let view: DashboardView;
    try {
      dashboardFound ??= options.dashboardName ?? (await onlyDashboard(reader));
      name = dashboardFound;
      dashboard = parseDashboardBody(await reader.dashboardBody(name));
      const end = new Date(now());
      view = await dashboardView(dashboard, reader, new Date(end.getTime() - minutes * 60_000), end);
    } catch (error) {
      if (
        error instanceof DashboardBodyError ||
        error instanceof NoDashboardError ||
        isNoSuchDashboard(error)
      ) {
        dashboardFound = undefined;
        ctx.status = 404;
        ctx.body = { error: (error as Error).message };
        return;
      }
      throw error;
    }
    const body: DashboardResponse = { name, range, ...view, calls: { ...reader.calls } };
    ctx.body = body;
  });

  router.get('/api/alarms', async (ctx) => {
    const alarms = (await reader.listAlarms()).map(alarmSummary);
    ctx.body = { alarms: alarms.sort((a, b) => a.name.localeCompare(b.name)) };
  });

  router.get('/api/alarms/:name', async (ctx) => {
    const name = ctx.params.name;
    const [alarm] = await reader.describeAlarms([name]);
    if (!alarm) {
      ctx.status = 404;
      ctx.body = { error: `the emulator has no alarm named "${name}"` };
      return;
    }
    const { alarmHistory } = options;
    const items = alarmHistory === 'emulator' ? await reader.alarmHistory(name) : alarmHistory.read(name);
    const detail: AlarmDetail = {
      alarm: alarmSummary(alarm),
      // Newest first from either source: LocalStack answers oldest first whatever ScanBy says.
      history: items.map(alarmTransition).sort((a, b) => b.timestamp.localeCompare(a.timestamp)),
      historySource: alarmHistory === 'emulator' ? 'emulator' : 'monitor',
    };
    ctx.body = detail;
  });

  router.get('/api/targets', async (ctx) => {
    ctx.body = { TargetHealthDescriptions: await dataPlane.targetHealth() };
  });

  router.get('/api/service', async (ctx) => {
    ctx.body = await dataPlane.service();
  });

  router.get('/api/log-groups', async (ctx) => {
    const groups = await reader.listLogGroups();
    ctx.body = {
      logGroups: groups
        .map(({ logGroupName, creationTime, retentionInDays, storedBytes }) => ({
          logGroupName,
          creationTime,
          retentionInDays,
          storedBytes,
        }))
        .sort((a, b) => (a.logGroupName ?? '').localeCompare(b.logGroupName ?? '')),
    };
  });

  router.get('/api/logs', async (ctx) => {
    const group = queryText(ctx.query.group);
    if (!group) throw new RequestError('name the log group: /api/logs?group=<log group name>');
    const pattern = queryText(ctx.query.pattern) ?? '';
    const filter = logFilter(pattern);
    const end = new Date(now());
    const since = queryText(ctx.query.since);
    let start: Date;
    if (since !== undefined) {
      // The live tail: from the newest event the page has (the page drops the ones it already shows).
      if (!/^\d+$/.test(since))
        throw new RequestError(`since must be a time in milliseconds since the epoch, not "${since}"`);
      start = new Date(Number(since));
    } else {
      start = new Date(end.getTime() - rangeMinutes(queryText(ctx.query.range) ?? '15m') * 60_000);
    }
    const found = await searchLogEvents(reader, group, filter, start, end);
    const body: LogsResponse = {
      group,
      pattern,
      start: start.toISOString(),
      end: end.toISOString(),
      ...found,
    };
    ctx.body = body;
  });

  router.get('/', (ctx) => serve(ctx, 'index.html'));
  router.get('/assets/:file', (ctx) => serve(ctx, ctx.params.file));

  const serve = (ctx: Koa.Context, file: string) => {
    const asset = assets.get(file);
    if (!asset) {
      ctx.status = 404;
      ctx.body = { error: `no such file: ${file}` };
      return;
    }
    ctx.type = asset.contentType;
    ctx.set('Cache-Control', file === 'index.html' ? 'no-cache' : 'max-age=3600');
    ctx.body = asset.body;
  };

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

class RequestError extends Error {
  override name = 'RequestError';
}

function queryText(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function rangeMinutes(range: string): number {
  const minutes = TIME_RANGES[range];
  if (minutes === undefined)
    throw new RequestError(
      `unknown time range "${range}": use one of ${Object.keys(TIME_RANGES).join(', ')}`,
    );
  return minutes;
}

const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

function alarmSummary(alarm: MetricAlarm): AlarmSummary {
  const statistic = alarm.Statistic ?? alarm.ExtendedStatistic ?? '';
  const comparison = COMPARISONS[alarm.ComparisonOperator ?? ''] ?? alarm.ComparisonOperator;
  const periods = alarm.EvaluationPeriods ?? 1;
  return {
    name: alarm.AlarmName as string,
    state: alarm.StateValue,
    reason: alarm.StateReason,
    updated: alarm.StateUpdatedTimestamp?.toISOString(),
    condition: alarm.Metrics?.length
      ? `${alarm.Metrics.length} metric queries ${comparison} ${alarm.Threshold}`
      : `${alarm.MetricName} ${statistic} ${comparison} ${alarm.Threshold} for ${alarm.DatapointsToAlarm ?? periods} of ${periods} periods of ${alarm.Period} s`,
    actions: alarm.AlarmActions ?? [],
  };
}

/** A StateUpdate item's HistoryData says the states and the new reason; the summary says the rest. */
function alarmTransition(item: AlarmHistoryItem): AlarmTransition {
  let data: { oldState?: { stateValue?: string }; newState?: { stateValue?: string; stateReason?: string } } =
    {};
  try {
    data = JSON.parse(item.HistoryData ?? '{}');
  } catch {
    // An emulator's free-form HistoryData: the summary still says what happened.
  }
  return {
    timestamp: (item.Timestamp ?? new Date(0)).toISOString(),
    summary: item.HistorySummary ?? '',
    from: data.oldState?.stateValue,
    to: data.newState?.stateValue,
    reason: data.newState?.stateReason,
  };
}

class NoDashboardError extends Error {
  override name = 'NoDashboardError';
}

async function onlyDashboard(reader: EmulatorReader): Promise<string> {
  const names = await reader.listDashboards();
  if (names.length === 1) return names[0];
  throw new NoDashboardError(
    names.length === 0
      ? "the emulator has no dashboard: deploy the platform with 'make local-up'"
      : `the emulator has ${names.length} dashboards (${names.join(', ')}): name one with DASHBOARD_NAME`,
  );
}
