/**
 * An emulator in memory for the console's unit tests: metrics, datapoints, alarms, their
 * history and log events; and the data plane's target group and service.
 */
import type { AlarmHistoryItem, Metric, MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { DataPlaneReader, ServicePage, TargetHealthDescription } from '../src/data-plane-reader';
import { DataPlaneError } from '../src/data-plane-reader';
import type { EmulatorReader } from '../src/emulator-reader';

export interface FakeEmulator {
  readonly dashboards?: Record<string, string>;
  readonly metrics?: Array<Metric & { readonly points?: Array<[Date, number]> }>;
  readonly alarms?: MetricAlarm[];
  /** DescribeAlarmHistory's items, newest first. */
  readonly alarmHistory?: AlarmHistoryItem[];
  readonly logs?: Record<string, FilteredLogEvent[]>;
  /** Every call fails with this, as an emulator that does not answer. */
  readonly down?: Error;
}

const sameMetric = (a: Metric, b: Metric) =>
  a.Namespace === b.Namespace &&
  a.MetricName === b.MetricName &&
  JSON.stringify(a.Dimensions ?? []) === JSON.stringify(b.Dimensions ?? []);

export function fakeReader(
  emulator: FakeEmulator,
): EmulatorReader & { readonly queries: MetricDataQuery[][] } {
  const calls: Record<string, number> = {};
  const queries: MetricDataQuery[][] = [];
  const call = async <T>(name: string, answer: () => T): Promise<T> => {
    calls[name] = (calls[name] ?? 0) + 1;
    if (emulator.down) throw emulator.down;
    return answer();
  };
  return {
    calls,
    queries,
    listDashboards: () => call('ListDashboards', () => Object.keys(emulator.dashboards ?? {})),
    dashboardBody: (name) =>
      call('GetDashboard', () => {
        const body = emulator.dashboards?.[name];
        if (body === undefined)
          throw Object.assign(new Error(`Dashboard ${name} does not exist`), {
            name: 'DashboardNotFoundError',
          });
        return body;
      }),
    listMetrics: (namespace, metricName) =>
      call('ListMetrics', () =>
        (emulator.metrics ?? [])
          .filter(
            (m) => m.Namespace === namespace && (metricName === undefined || m.MetricName === metricName),
          )
          .map(({ Namespace, MetricName, Dimensions }) => ({ Namespace, MetricName, Dimensions })),
      ),
    getMetricData: (batch, start, end) =>
      call('GetMetricData', () => {
        queries.push([...batch]);
        return batch.map((query) => {
          const stored = (emulator.metrics ?? []).find((m) => sameMetric(m, query.MetricStat?.Metric ?? {}));
          const points = (stored?.points ?? []).filter(([t]) => t >= start && t <= end);
          return {
            id: query.Id as string,
            timestamps: points.map(([t]) => t),
            values: points.map(([, v]) => v),
          };
        });
      }),
    listAlarms: () => call('DescribeAlarms', () => [...(emulator.alarms ?? [])]),
    alarmHistory: (name) =>
      call('DescribeAlarmHistory', () =>
        (emulator.alarmHistory ?? []).filter((item) => item.AlarmName === name),
      ),
    listLogGroups: () =>
      call('DescribeLogGroups', () =>
        Object.keys(emulator.logs ?? {}).map((logGroupName) => ({ logGroupName, creationTime: 0 })),
      ),
    describeAlarms: (names) =>
      call('DescribeAlarms', () =>
        (emulator.alarms ?? []).filter((a) => names.includes(a.AlarmName as string)),
      ),
    filterLogEvents: (group, start, end, limit) =>
      call('FilterLogEvents', () => {
        const events = emulator.logs?.[group];
        if (!events)
          throw Object.assign(new Error(`The specified log group does not exist`), {
            name: 'ResourceNotFoundException',
          });
        const inRange = events.filter(
          ({ timestamp = 0 }) => timestamp >= start.getTime() && timestamp <= end.getTime(),
        );
        return { events: inRange.slice(0, limit), truncated: inRange.length > limit };
      }),
  };
}

export interface FakeDataPlane {
  readonly targets?: TargetHealthDescription[];
  readonly service?: ServicePage;
  /** Every read fails with this, as a data plane that does not answer. */
  readonly down?: string;
}

export function fakeDataPlane(dataPlane: FakeDataPlane = {}): DataPlaneReader {
  const answer = async <T>(value: T): Promise<T> => {
    if (dataPlane.down) throw new DataPlaneError(dataPlane.down);
    return value;
  };
  return {
    targetHealth: () => answer(dataPlane.targets ?? []),
    service: () =>
      answer(
        dataPlane.service ?? {
          service: { serviceName: 'api', desiredCount: 0, runningCount: 0, pendingCount: 0, events: [] },
          tasks: { running: [], stopped: [] },
          scalingActivities: [],
        },
      ),
  };
}
