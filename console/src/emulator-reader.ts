/** The console's reads, through the AWS SDK, from the emulator of the local platform. */
import {
  type AlarmHistoryItem,
  type CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  ListDashboardsCommand,
  ListMetricsCommand,
  type Metric,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import type { DashboardReader } from './dashboard/dashboard-view';

/** How many calls of each kind the reader made: what the console costs the emulator. */
export type CallCounts = Record<string, number>;

export interface EmulatorReader extends DashboardReader {
  listDashboards(): Promise<string[]>;
  dashboardBody(name: string): Promise<string>;
  /** Every metric alarm of the emulator. */
  listAlarms(): Promise<MetricAlarm[]>;
  /** The alarm's state changes, newest first, at most {@link ALARM_HISTORY_READ}. */
  alarmHistory(name: string): Promise<AlarmHistoryItem[]>;
  listLogGroups(): Promise<LogGroup[]>;
  readonly calls: CallCounts;
}

export const ALARM_HISTORY_READ = 100;

/** ListMetrics is asked again after this long: new metrics appear within it, as on CloudWatch. */
const LIST_METRICS_TTL_MS = 30_000;
const ALARM_NAMES_PER_CALL = 100;

export function emulatorReader(
  cloudWatch: CloudWatchClient,
  logs: CloudWatchLogsClient,
  now: () => number = Date.now,
): EmulatorReader {
  const calls: CallCounts = {};
  const count = (call: string) => {
    calls[call] = (calls[call] ?? 0) + 1;
  };
  const listed = new Map<string, { at: number; metrics: Promise<Metric[]> }>();

  const listMetrics = async (namespace: string, metricName?: string): Promise<Metric[]> => {
    const metrics: Metric[] = [];
    let NextToken: string | undefined;
    do {
      count('ListMetrics');
      const page = await cloudWatch.send(
        new ListMetricsCommand({ Namespace: namespace, MetricName: metricName, NextToken }),
      );
      metrics.push(...(page.Metrics ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return metrics;
  };

  return {
    calls,
    async listDashboards() {
      const names: string[] = [];
      let NextToken: string | undefined;
      do {
        count('ListDashboards');
        const page = await cloudWatch.send(new ListDashboardsCommand({ NextToken }));
        names.push(...(page.DashboardEntries ?? []).map(({ DashboardName }) => DashboardName as string));
        NextToken = page.NextToken;
      } while (NextToken);
      return names;
    },
    async dashboardBody(name) {
      count('GetDashboard');
      const { DashboardBody } = await cloudWatch.send(new GetDashboardCommand({ DashboardName: name }));
      return DashboardBody ?? '';
    },
    listMetrics(namespace, metricName) {
      const key = `${namespace}\u0000${metricName ?? ''}`;
      const cached = listed.get(key);
      if (cached && now() - cached.at < LIST_METRICS_TTL_MS) return cached.metrics;
      const metrics = listMetrics(namespace, metricName);
      listed.set(key, { at: now(), metrics });
      // Nothing found is not kept: the first datapoint of a metric shows on the next refresh.
      metrics.then((found) => found.length === 0 && listed.delete(key)).catch(() => listed.delete(key));
      return metrics;
    },
    async getMetricData(queries, start, end) {
      const results = new Map<string, { id: string; timestamps: Date[]; values: number[] }>();
      let NextToken: string | undefined;
      do {
        count('GetMetricData');
        const page = await cloudWatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: [...queries],
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampAscending',
            NextToken,
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const id = result.Id as string;
          const into = results.get(id) ?? { id, timestamps: [], values: [] };
          into.timestamps.push(...(result.Timestamps ?? []));
          into.values.push(...(result.Values ?? []));
          results.set(id, into);
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return [...results.values()];
    },
    async describeAlarms(names) {
      const alarms: MetricAlarm[] = [];
      for (let at = 0; at < names.length; at += ALARM_NAMES_PER_CALL) {
        let NextToken: string | undefined;
        do {
          count('DescribeAlarms');
          const page = await cloudWatch.send(
            new DescribeAlarmsCommand({ AlarmNames: names.slice(at, at + ALARM_NAMES_PER_CALL), NextToken }),
          );
          alarms.push(...(page.MetricAlarms ?? []));
          NextToken = page.NextToken;
        } while (NextToken);
      }
      return alarms;
    },
    async listAlarms() {
      const alarms: MetricAlarm[] = [];
      let NextToken: string | undefined;
      do {
        count('DescribeAlarms');
        const page = await cloudWatch.send(
          new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], NextToken }),
        );
        alarms.push(...(page.MetricAlarms ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      return alarms;
    },
    async alarmHistory(name) {
      count('DescribeAlarmHistory');
      const { AlarmHistoryItems = [] } = await cloudWatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: name,
          HistoryItemType: 'StateUpdate',
          MaxRecords: ALARM_HISTORY_READ,
          ScanBy: 'TimestampDescending',
        }),
      );
      return AlarmHistoryItems;
    },
    async listLogGroups() {
      const groups: LogGroup[] = [];
      let nextToken: string | undefined;
      do {
        count('DescribeLogGroups');
        const page = await logs.send(new DescribeLogGroupsCommand({ nextToken }));
        groups.push(...(page.logGroups ?? []));
        nextToken = page.nextToken === nextToken ? undefined : page.nextToken;
      } while (nextToken);
      return groups;
    },
    async filterLogEvents(logGroupName, start, end, limit) {
      const events: FilteredLogEvent[] = [];
      let nextToken: string | undefined;
      do {
        count('FilterLogEvents');
        const page = await logs.send(
          new FilterLogEventsCommand({
            logGroupName,
            startTime: start.getTime(),
            endTime: end.getTime(),
            nextToken,
          }),
        );
        events.push(...(page.events ?? []));
        // An emulator may hand back the token it was given once nothing more is left.
        nextToken = page.nextToken === nextToken ? undefined : page.nextToken;
      } while (nextToken && events.length < limit);
      return { events: events.slice(0, limit), truncated: events.length > limit || nextToken !== undefined };
    },
  };
}
