import { ALARM_KEYS } from '@zama/infra';
import { parseDashboardBody } from '../src/dashboard/dashboard-body';
import { dashboardView } from '../src/dashboard/dashboard-view';
import { fakeReader } from './fake-reader';
import { synthesizedDashboard } from './synthesized-dashboard';

const END = new Date('2026-12-04T12:00:00Z');
const START = new Date(END.getTime() - 15 * 60_000);
const minutesAgo = (minutes: number) => new Date(END.getTime() - minutes * 60_000);
const { name, body } = synthesizedDashboard();
const dashboard = parseDashboardBody(body);
const prefix = name;
const LB = `app/${prefix}-alb/50dc6c495c0c9188`;
const TG = `targetgroup/${prefix}-api/6d0ecf831eec9f09`;

/** What the local data plane publishes for the dashboard: the ALB's metrics, the tasks', the filters'. */
const emulator = () =>
  fakeReader({
    metrics: [
      {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: LB }],
        points: [
          [minutesAgo(2), 30],
          [minutesAgo(1), 42],
        ],
      },
      {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HealthyHostCount',
        Dimensions: [
          { Name: 'LoadBalancer', Value: LB },
          { Name: 'TargetGroup', Value: TG },
        ],
        points: [[minutesAgo(1), 2]],
      },
      // Another load balancer's, which the dashboard's searches must not find
      {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: 'app/other/1' }],
        points: [[minutesAgo(1), 999]],
      },
      {
        Namespace: 'ECS/ContainerInsights',
        MetricName: 'RunningTaskCount',
        Dimensions: [
          { Name: 'ClusterName', Value: prefix },
          { Name: 'ServiceName', Value: `${prefix}-api` },
        ],
        points: [[minutesAgo(1), 2]],
      },
      // Older than the range
      { Namespace: prefix, MetricName: 'ApiErrorCount', Dimensions: [], points: [[minutesAgo(30), 5]] },
    ],
    alarms: [
      {
        AlarmName: `${prefix}-no-healthy-targets`,
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed',
        StateUpdatedTimestamp: minutesAgo(1),
      },
      {
        AlarmName: `${prefix}-high-error-rate`,
        StateValue: 'OK',
        StateReason: 'fine',
        StateUpdatedTimestamp: minutesAgo(5),
      },
    ],
    logs: {
      [`/aws/ecs/${prefix}/api`]: [
        {
          timestamp: minutesAgo(3).getTime(),
          message: JSON.stringify({ level: 'error', msg: 'boom', request_id: 'r1' }),
        },
        {
          timestamp: minutesAgo(2).getTime(),
          message: JSON.stringify({ level: 'info', msg: 'ok', request_id: 'r2' }),
        },
      ],
    },
  });

describe('dashboardView', () => {
  test("draws the dashboard's graphs from the metrics its searches and metrics find", async () => {
    // GIVEN
    const reader = emulator();
    // WHEN
    const view = await dashboardView(dashboard, reader, START, END);
    // THEN requests come from this ALB only, the healthy hosts from its target group, tasks by their dimensions
    const graph = (title: string) => view.widgets.find((w) => w.title === title);
    const requests = graph('Requests and target 5XX');
    expect(requests?.type === 'metric' && requests.series).toEqual([
      {
        label: 'RequestCount (Sum)',
        timestamps: [minutesAgo(2).getTime() / 1000, minutesAgo(1).getTime() / 1000],
        values: [30, 42],
      },
    ]);
    const targets = graph('Targets');
    expect(targets?.type === 'metric' && targets.series.map(({ label, values }) => [label, values])).toEqual([
      ['HealthyHostCount (Minimum)', [2]],
    ]);
    const tasks = graph('API tasks');
    expect(tasks?.type === 'metric' && tasks.series[0].values).toEqual([2]);
    const errors = graph('Error log lines');
    expect(errors?.type === 'metric' && errors.series.every(({ values }) => values.length === 0)).toBe(true);
  });

  test("draws a metric once when the emulator's ListMetrics repeats it, as moto's does", async () => {
    // GIVEN HealthyHostCount listed three times
    const healthy = {
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HealthyHostCount',
      Dimensions: [
        { Name: 'LoadBalancer', Value: LB },
        { Name: 'TargetGroup', Value: TG },
      ],
      points: [[minutesAgo(1), 2]] as Array<[Date, number]>,
    };
    const reader = fakeReader({
      metrics: [healthy, healthy, { ...healthy, Dimensions: [...healthy.Dimensions].reverse() }],
    });
    // WHEN
    const view = await dashboardView(dashboard, reader, START, END);
    // THEN one line
    const targets = view.widgets.find((w) => w.title === 'Targets');
    expect(targets?.type === 'metric' && targets.series.map(({ label }) => label)).toEqual([
      'HealthyHostCount (Minimum)',
    ]);
  });

  test('reads every graph in one GetMetricData call, and each searched metric name once', async () => {
    const reader = emulator();
    await dashboardView(dashboard, reader, START, END);
    expect(reader.calls.GetMetricData).toBe(1);
    // RequestCount, HTTPCode_Target_5XX_Count, TargetResponseTime (twice in the dashboard), HealthyHostCount, UnHealthyHostCount, TargetConnectionErrorCount
    expect(reader.calls.ListMetrics).toBe(6);
    expect(reader.calls.DescribeAlarms).toBe(1);
  });

  test('lists the twelve alarms with the states the emulator holds', async () => {
    const view = await dashboardView(dashboard, emulator(), START, END);
    const [alarms] = view.widgets;
    expect(alarms.type).toBe('alarm');
    if (alarms.type !== 'alarm') return;
    expect(alarms.alarms).toHaveLength(ALARM_KEYS.length);
    expect(alarms.alarms.find(({ name: n }) => n === `${prefix}-no-healthy-targets`)).toEqual({
      name: `${prefix}-no-healthy-targets`,
      state: 'ALARM',
      reason: 'Threshold Crossed',
      updated: minutesAgo(1).toISOString(),
    });
    expect(alarms.alarms.find(({ name: n }) => n === `${prefix}-api-cpu-high`)).toEqual({
      name: `${prefix}-api-cpu-high`,
      reason: 'the emulator has no alarm of this name',
    });
  });

  test("runs the log widgets' queries: the API's errors, and says the flow logs group is missing", async () => {
    const view = await dashboardView(dashboard, emulator(), START, END);
    const [latest, rejected] = view.widgets.filter((w) => w.type === 'log');
    expect(latest).toMatchObject({
      columns: ['@timestamp', 'level', 'msg', 'request_id'],
      rows: [{ '@timestamp': minutesAgo(3).getTime(), level: 'error', msg: 'boom', request_id: 'r1' }],
    });
    expect(rejected).toMatchObject({
      rows: [],
      note: expect.stringMatching(/the emulator has no log group \/aws\/vpc\/flow-logs\//),
    });
  });
});
