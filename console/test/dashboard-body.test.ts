import { ALARM_KEYS } from '@zama/infra';
import { DashboardBodyError, parseDashboardBody, type WidgetSpec } from '../src/dashboard/dashboard-body';
import { synthesizedDashboard } from './synthesized-dashboard';

const body = (widgets: unknown[]) => JSON.stringify({ widgets });
const only = (widget: unknown): WidgetSpec => parseDashboardBody(body([widget])).widgets[0];

describe('parseDashboardBody', () => {
  test("reads every widget of the observability stack's dashboard, none unsupported", () => {
    // GIVEN the synthesized local dashboard
    const { body: synthesized } = synthesizedDashboard();
    // WHEN
    const dashboard = parseDashboardBody(synthesized);
    // THEN the alarm row, two rows of three graphs, and the two log queries, at their places
    expect(dashboard.start).toBe('-PT3H');
    expect(dashboard.widgets.map(({ type, layout }) => [type, layout.x, layout.y, layout.width])).toEqual([
      ['alarm', 0, 0, 24],
      ['metric', 0, 3, 8],
      ['metric', 8, 3, 8],
      ['metric', 16, 3, 8],
      ['metric', 0, 9, 8],
      ['metric', 8, 9, 8],
      ['metric', 16, 9, 8],
      ['log', 0, 15, 24],
      ['log', 0, 21, 24],
    ]);
    const [alarms, requests, , , tasks] = dashboard.widgets;
    expect(alarms.type === 'alarm' && alarms.alarmNames).toHaveLength(ALARM_KEYS.length);
    expect(requests.type === 'metric' && requests.series.map(({ kind }) => kind)).toEqual([
      'search',
      'search',
    ]);
    expect(tasks.type === 'metric' && tasks.series[0]).toMatchObject({
      kind: 'metric',
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      stat: 'Minimum',
      period: 60,
    });
  });

  test('places widgets without x and y left to right, then on a new row', () => {
    const { widgets } = parseDashboardBody(
      body([
        { type: 'text', width: 12, properties: { markdown: 'a' } },
        { type: 'text', width: 12, height: 3, properties: { markdown: 'b' } },
        { type: 'text', properties: { markdown: 'c' } },
      ]),
    );
    expect(widgets.map(({ layout }) => layout)).toEqual([
      { x: 0, y: 0, width: 12, height: 6 },
      { x: 12, y: 0, width: 12, height: 3 },
      { x: 0, y: 6, width: 6, height: 6 },
    ]);
  });

  test('fills "." from the line above and applies the widget default statistic and period', () => {
    const dimensions = [
      { Name: 'ClusterName', Value: 'c' },
      { Name: 'ServiceName', Value: 'api' },
    ];
    const widget = only({
      type: 'metric',
      properties: {
        stat: 'Sum',
        metrics: [
          ['AWS/ECS', 'CPUUtilization', 'ClusterName', 'c', 'ServiceName', 'api'],
          ['.', 'MemoryUtilization', '.', '.', '.', '.', { stat: 'Maximum', label: 'memory' }],
        ],
      },
    });
    expect(widget.type === 'metric' && widget.series).toEqual([
      {
        kind: 'metric',
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensions,
        stat: 'Sum',
        period: 300,
        label: undefined,
      },
      {
        kind: 'metric',
        namespace: 'AWS/ECS',
        metricName: 'MemoryUtilization',
        dimensions,
        stat: 'Maximum',
        period: 300,
        label: 'memory',
      },
    ]);
  });

  test.each([
    [
      'a text widget',
      { type: 'text', properties: { markdown: '# hi' } },
      /widget type "text" is not supported locally/,
    ],
    [
      'a single-value view',
      { type: 'metric', properties: { view: 'singleValue', metrics: [] } },
      /singleValue view/,
    ],
    [
      'metric math other than SEARCH',
      { type: 'metric', properties: { metrics: [[{ expression: 'SUM(METRICS())' }]] } },
      /expression SUM\(METRICS\(\)\) is not supported locally; SEARCH is/,
    ],
    [
      'a SEARCH it cannot read',
      { type: 'metric', properties: { metrics: [[{ expression: "SEARCH('(a', 'Sum', 60)" }]] } },
      /parenthesis is not closed/,
    ],
    [
      'a Logs Insights command beyond the subset',
      { type: 'log', properties: { query: "SOURCE 'g' | dedup msg" } },
      /"dedup" is not supported locally/,
    ],
    [
      'the "..." shorthand',
      { type: 'metric', properties: { metrics: [['...', 'x']] } },
      /"\.\.\." shorthand/,
    ],
  ])('shows %s as unsupported, with the reason', (_, widget, reason) => {
    const spec = only({ ...widget, x: 0, y: 0, properties: { title: 'T', ...widget.properties } });
    expect(spec).toMatchObject({
      type: 'unsupported',
      title: 'T',
      layout: { x: 0, y: 0, width: 6, height: 6 },
    });
    expect(spec.type === 'unsupported' && spec.reason).toMatch(reason);
  });

  test('draws the other widgets beside an unsupported one', () => {
    const { widgets } = parseDashboardBody(
      body([
        { type: 'text', properties: { markdown: 'x' } },
        { type: 'alarm', properties: { alarms: ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:a'] } },
      ]),
    );
    expect(widgets.map(({ type }) => type)).toEqual(['unsupported', 'alarm']);
  });

  test.each([
    ['not JSON', '{widgets', /not JSON/],
    ['no widgets', '{}', /not valid at widgets/],
    ['a widget wider than the grid', body([{ type: 'metric', width: 25 }]), /not valid at widgets\.0\.width/],
  ])('refuses a body that is %s', (_, text, reason) => {
    expect(() => parseDashboardBody(text)).toThrow(DashboardBodyError);
    expect(() => parseDashboardBody(text)).toThrow(reason);
  });
});
