import {
  ALARM_STATES,
  type AlarmDatapoint,
  type AlarmDefinition,
  AlarmEvaluator,
  type AlarmState,
  type AlarmStatistic,
  alarmDatapoints,
  type ComparisonOperator,
  evaluateAlarm,
  formatJavaDouble,
  metricStatisticsRequest,
  parseAlarmDefinition,
  type TreatMissingData,
} from '../../src/cloudwatch/alarm-evaluator';

const NOW = new Date('2026-11-25T10:00:30.123Z');
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:zama-api-platform-local-alerts';
const DIMENSIONS = [
  { Name: 'LoadBalancer', Value: 'app/zama-api-platform-local-alb/50dc6c495c0c9188' },
  { Name: 'TargetGroup', Value: 'targetgroup/zama-api-platform-local-api/73e2d6bc24d8a067' },
];

function alarm(overrides: Partial<AlarmDefinition> = {}): AlarmDefinition {
  return {
    AlarmName: 'zama-api-platform-local-high-response-time',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:zama-api-platform-local-high-response-time',
    AlarmDescription: '[medium] Average response time of the API tasks above 2 s',
    AlarmConfigurationUpdatedTimestamp: new Date('2026-11-25T09:00:00.000Z'),
    Namespace: 'AWS/ApplicationELB',
    MetricName: 'TargetResponseTime',
    Dimensions: DIMENSIONS,
    Statistic: 'Average',
    Period: 10,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 3,
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 5,
    TreatMissingData: 'missing',
    AlarmActions: [TOPIC],
    OKActions: [TOPIC],
    InsufficientDataActions: [],
    ...overrides,
  };
}

/** Start of the most recent complete period before `now`. */
function lastCompletePeriod(periodSeconds: number, now = NOW): number {
  const periodMs = periodSeconds * 1000;
  return Math.floor(now.getTime() / periodMs) * periodMs - periodMs;
}

/**
 * Datapoints written like AWS's documentation writes them, oldest first and ending with the
 * most recent complete period: 0 is not breaching, X is breaching, - is missing.
 */
function datapoints(pattern: string, definition: AlarmDefinition): AlarmDatapoint[] {
  const periods = pattern.split(' ');
  const newest = lastCompletePeriod(definition.Period);
  return periods.flatMap((symbol, index) => {
    const Timestamp = new Date(newest - (periods.length - 1 - index) * definition.Period * 1000);
    if (symbol === '-') return [];
    return [{ Timestamp, Value: symbol === 'X' ? definition.Threshold + 4 : definition.Threshold - 4 }];
  });
}

/** Values by period, oldest first, ending with the most recent complete period. */
function values(series: readonly number[], periodSeconds = 10): AlarmDatapoint[] {
  const newest = lastCompletePeriod(periodSeconds);
  return series.map((Value, index) => ({
    Timestamp: new Date(newest - (series.length - 1 - index) * periodSeconds * 1000),
    Value,
    SampleCount: 2,
  }));
}

type Expected = AlarmState | 'retain';
type TableRow = readonly [
  pattern: string,
  missing: Expected,
  ignore: Expected,
  breaching: Expected,
  notBreaching: Expected,
];

// "How alarm state is evaluated when data is missing": CloudWatch retrieves the 5 most recent
// periods for EvaluationPeriods 3.
const THREE_OF_THREE: readonly TableRow[] = [
  ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
  ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
  ['- - - - -', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
  ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['- - - - X', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
  ['X - - - -', 'ALARM', 'retain', 'ALARM', 'OK'],
];
const TWO_OF_THREE: readonly TableRow[] = [
  ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - - X', 'INSUFFICIENT_DATA', 'retain', 'ALARM', 'OK'],
];
const TREATMENTS: readonly TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

function missingDataCases(datapointsToAlarm: number, table: readonly TableRow[]) {
  return table.flatMap(([pattern, ...outcomes]) =>
    TREATMENTS.map((treatment, index) => ({
      datapointsToAlarm,
      pattern,
      treatment,
      expected: outcomes[index],
    })),
  );
}

describe('evaluateAlarm with missing data (AWS documentation tables)', () => {
  it.each([...missingDataCases(3, THREE_OF_THREE), ...missingDataCases(2, TWO_OF_THREE)])(
    '$datapointsToAlarm of 3, $pattern, $treatment: $expected',
    ({ datapointsToAlarm, pattern, treatment, expected }) => {
      const definition = alarm({
        Period: 300,
        DatapointsToAlarm: datapointsToAlarm,
        TreatMissingData: treatment,
      });
      for (const currentState of ALARM_STATES) {
        const { StateValue } = evaluateAlarm(definition, datapoints(pattern, definition), currentState, NOW);
        expect(StateValue).toBe(expected === 'retain' ? currentState : expected);
      }
    },
  );

  it('alarms one evaluation later once the only non-breaching datapoint leaves the range (breaching)', () => {
    // GIVEN "0 - - - -", which is OK because the 0 is among the 5 most recent datapoints
    const definition = alarm({ Period: 300, TreatMissingData: 'breaching' });
    const series = datapoints('0 - - - -', definition);
    expect(evaluateAlarm(definition, series, 'OK', NOW).StateValue).toBe('OK');

    // WHEN the data is still missing one period later THEN the 0 is out of the range
    const later = new Date(NOW.getTime() + 300_000);
    expect(evaluateAlarm(definition, series, 'OK', later).StateValue).toBe('ALARM');
  });

  it('treats absent TreatMissingData as missing', () => {
    const definition = alarm({ TreatMissingData: undefined });
    expect(evaluateAlarm(definition, [], 'OK', NOW).StateValue).toBe('INSUFFICIENT_DATA');
    expect(evaluateAlarm(definition, datapoints('X - - - -', definition), 'OK', NOW).StateValue).toBe(
      'ALARM',
    );
  });
});

describe('evaluateAlarm, M out of N', () => {
  it.each([
    { m: 3, n: 3, pattern: 'X X X', expected: 'ALARM' },
    { m: 3, n: 3, pattern: 'X 0 X', expected: 'OK' },
    { m: 3, n: 3, pattern: 'X X 0', expected: 'OK' },
    { m: 3, n: 3, pattern: '0 X X X', expected: 'ALARM' },
    { m: 2, n: 3, pattern: 'X 0 X', expected: 'ALARM' },
    { m: 2, n: 3, pattern: '0 0 X', expected: 'OK' },
    { m: 2, n: 3, pattern: 'X X 0 0', expected: 'OK' },
    { m: 1, n: 1, pattern: 'X', expected: 'ALARM' },
    { m: 1, n: 1, pattern: 'X 0', expected: 'OK' },
    { m: 4, n: 5, pattern: 'X X 0 X X', expected: 'ALARM' },
    { m: 4, n: 5, pattern: 'X 0 0 X X', expected: 'OK' },
    { m: 1, n: 5, pattern: '0 0 0 0 X', expected: 'ALARM' },
  ] as const)('$m out of $n, $pattern: $expected', ({ m, n, pattern, expected }) => {
    const definition = alarm({ EvaluationPeriods: n, DatapointsToAlarm: m });
    expect(
      evaluateAlarm(definition, datapoints(pattern, definition), 'INSUFFICIENT_DATA', NOW).StateValue,
    ).toBe(expected);
  });

  it('needs every evaluation period to breach when DatapointsToAlarm is absent', () => {
    const definition = alarm({ DatapointsToAlarm: undefined });
    expect(evaluateAlarm(definition, datapoints('X 0 X', definition), 'OK', NOW).StateValue).toBe('OK');
    expect(evaluateAlarm(definition, datapoints('X X X', definition), 'OK', NOW).StateValue).toBe('ALARM');
  });
});

describe('evaluateAlarm, comparison operators', () => {
  it.each<[ComparisonOperator, number, AlarmState]>([
    ['GreaterThanThreshold', 5.01, 'ALARM'],
    ['GreaterThanThreshold', 5, 'OK'],
    ['GreaterThanThreshold', 4.99, 'OK'],
    ['GreaterThanOrEqualToThreshold', 5.01, 'ALARM'],
    ['GreaterThanOrEqualToThreshold', 5, 'ALARM'],
    ['GreaterThanOrEqualToThreshold', 4.99, 'OK'],
    ['LessThanThreshold', 4.99, 'ALARM'],
    ['LessThanThreshold', 5, 'OK'],
    ['LessThanThreshold', 5.01, 'OK'],
    ['LessThanOrEqualToThreshold', 4.99, 'ALARM'],
    ['LessThanOrEqualToThreshold', 5, 'ALARM'],
    ['LessThanOrEqualToThreshold', 5.01, 'OK'],
  ])('%s with %d against 5: %s', (operator, value, expected) => {
    const definition = alarm({ ComparisonOperator: operator, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(evaluateAlarm(definition, values([value]), 'INSUFFICIENT_DATA', NOW).StateValue).toBe(expected);
  });
});

describe('alarmDatapoints, statistics', () => {
  const period = new Date(lastCompletePeriod(10));
  const response = [
    { Timestamp: period, Average: 3, Sum: 12, Minimum: 1, Maximum: 6, SampleCount: 4, Unit: 'Count' },
  ];

  it.each<[AlarmStatistic, number, AlarmState]>([
    ['Average', 3, 'OK'],
    ['Sum', 12, 'ALARM'],
    ['Minimum', 1, 'OK'],
    ['Maximum', 6, 'ALARM'],
    ['SampleCount', 4, 'ALARM'],
  ])('compares the %s (%d) with the threshold 3.5: %s', (statistic, value, expected) => {
    const definition = alarm({
      Statistic: statistic,
      Threshold: 3.5,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
    });
    const points = alarmDatapoints(definition, response);

    expect(points).toEqual([{ Timestamp: period, Value: value, SampleCount: 4 }]);
    const evaluation = evaluateAlarm(definition, points, 'INSUFFICIENT_DATA', NOW);
    expect(evaluation.StateValue).toBe(expected);
    expect(JSON.parse(evaluation.StateReasonData)).toMatchObject({ statistic: statistic });
  });

  it('skips datapoints without the statistic or a timestamp', () => {
    const definition = alarm({ Statistic: 'Maximum' });
    expect(alarmDatapoints(definition, [{ Timestamp: period, Average: 2 }, { Maximum: 3 }])).toEqual([]);
  });
});

describe('evaluateAlarm, evaluation range', () => {
  const oneOfOne = alarm({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });

  it('does not evaluate the current, incomplete period', () => {
    const current = new Date(lastCompletePeriod(10) + 10_000);
    const series = [...values([1]), { Timestamp: current, Value: 99 }];
    expect(evaluateAlarm(oneOfOne, series, 'OK', NOW).StateValue).toBe('OK');
  });

  it('evaluates a period as soon as it ends', () => {
    const periodEnd = new Date('2026-11-25T10:00:30.000Z');
    const series = [{ Timestamp: new Date('2026-11-25T10:00:20.000Z'), Value: 99 }];
    expect(evaluateAlarm(oneOfOne, series, 'OK', periodEnd).StateValue).toBe('ALARM');
    expect(evaluateAlarm(oneOfOne, series, 'OK', new Date(periodEnd.getTime() - 1)).StateValue).toBe(
      'INSUFFICIENT_DATA',
    );
  });

  it('ignores datapoints older than EvaluationPeriods + 2 periods', () => {
    // 1 evaluation period: the range is the 3 most recent periods
    expect(evaluateAlarm(oneOfOne, values([99, 0, 0, 0]).slice(0, 1), 'OK', NOW).StateValue).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(evaluateAlarm(oneOfOne, values([99, 0, 0]).slice(0, 1), 'OK', NOW).StateValue).toBe('ALARM');
  });

  it('counts a datapoint in the period its timestamp falls in', () => {
    const series = [{ Timestamp: new Date('2026-11-25T10:00:27.500Z'), Value: 99 }];
    expect(evaluateAlarm(oneOfOne, series, 'OK', NOW).StateValue).toBe('ALARM');
  });

  it('evaluates alarms with and without dimensions alike', () => {
    const series = values([9, 9, 9]);
    const withDimensions = evaluateAlarm(alarm(), series, 'OK', NOW);
    expect(evaluateAlarm(alarm({ Dimensions: [] }), series, 'OK', NOW)).toEqual(withDimensions);
    expect(withDimensions.StateValue).toBe('ALARM');
  });
});

describe('metricStatisticsRequest', () => {
  it('asks for the complete periods of the evaluation range', () => {
    expect(metricStatisticsRequest(alarm(), NOW)).toEqual({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      Dimensions: DIMENSIONS,
      StartTime: new Date('2026-11-25T09:59:40.000Z'),
      EndTime: new Date('2026-11-25T10:00:30.000Z'),
      Period: 10,
      Statistics: ['Average', 'SampleCount'],
    });
  });

  it('leaves out Dimensions for a metric without dimensions', () => {
    const request = metricStatisticsRequest(
      alarm({ Dimensions: [], Statistic: 'SampleCount', Period: 60 }),
      NOW,
    );
    expect(request).not.toHaveProperty('Dimensions');
    expect(request.Statistics).toEqual(['SampleCount']);
    expect(request.StartTime).toEqual(new Date('2026-11-25T09:55:00.000Z'));
    expect(request.EndTime).toEqual(new Date('2026-11-25T10:00:00.000Z'));
  });

  it('covers exactly the periods the evaluation looks at', () => {
    const definition = alarm({ EvaluationPeriods: 1, DatapointsToAlarm: 1, TreatMissingData: 'breaching' });
    const { StartTime, EndTime } = metricStatisticsRequest(definition, NOW);
    const justInside = [{ Timestamp: StartTime, Value: 0 }];
    const justOutside = [{ Timestamp: new Date(StartTime.getTime() - 1), Value: 0 }];

    expect(evaluateAlarm(definition, justInside, 'OK', NOW).StateValue).toBe('OK');
    expect(evaluateAlarm(definition, justOutside, 'OK', NOW).StateValue).toBe('ALARM');
    expect(evaluateAlarm(definition, [{ Timestamp: EndTime, Value: 0 }], 'OK', NOW).StateValue).toBe('ALARM');
  });
});

describe('evaluateAlarm, state reason', () => {
  it('writes the datapoints that crossed the threshold, newest first', () => {
    const evaluation = evaluateAlarm(alarm(), values([6, 9.5, 12]), 'OK', NOW);

    expect(evaluation.StateReason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints [12.0 (25/11/26 10:00:20), 9.5 (25/11/26 10:00:10), ' +
        '6.0 (25/11/26 10:00:00)] were greater than the threshold (5.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );
    expect(evaluation.StateReasonData).toBe(
      '{"version":"1.0","queryDate":"2026-11-25T10:00:30.123+0000","startDate":"2026-11-25T10:00:00.000+0000",' +
        '"statistic":"Average","period":10,"recentDatapoints":[6.0,9.5,12.0],"threshold":5.0,"evaluatedDatapoints":[' +
        '{"timestamp":"2026-11-25T10:00:20.000+0000","sampleCount":2.0,"value":12.0},' +
        '{"timestamp":"2026-11-25T10:00:10.000+0000","sampleCount":2.0,"value":9.5},' +
        '{"timestamp":"2026-11-25T10:00:00.000+0000","sampleCount":2.0,"value":6.0}]}',
    );
  });

  it('writes the datapoints within the threshold for OK', () => {
    expect(evaluateAlarm(alarm(), values([6, 2, 12]), 'ALARM', NOW).StateReason).toBe(
      'Threshold Crossed: 1 out of the last 3 datapoints [2.0 (25/11/26 10:00:10)] was not greater than the ' +
        'threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).',
    );
  });

  it('uses the wording without "out of the last" for alarms without DatapointsToAlarm', () => {
    const definition = alarm({
      EvaluationPeriods: 1,
      DatapointsToAlarm: undefined,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
    expect(evaluateAlarm(definition, values([0]), 'OK', NOW).StateReason).toBe(
      'Threshold Crossed: 1 datapoint [0.0 (25/11/26 10:00:20)] was less than the threshold (1.0).',
    );
  });

  const healthyHosts = (treatment: TreatMissingData, datapointsToAlarm = 3) =>
    alarm({
      MetricName: 'HealthyHostCount',
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      DatapointsToAlarm: datapointsToAlarm,
      TreatMissingData: treatment,
    });

  it.each([
    {
      case: 'no datapoint, missing treated as breaching',
      definition: healthyHosts('breaching'),
      series: [],
      state: 'ALARM',
      reason:
        'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].',
    },
    {
      case: 'no datapoint, missing treated as not breaching',
      definition: healthyHosts('notBreaching'),
      series: [],
      state: 'OK',
      reason:
        'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].',
    },
    {
      case: 'one datapoint within the threshold outweighs two breaching missing ones (3 of 3)',
      definition: healthyHosts('breaching'),
      series: values([1, 2, 3, 4]).slice(0, 1),
      state: 'OK',
      reason:
        'Threshold Crossed: 1 datapoint [1.0 (25/11/26 09:59:50)] was not less than the threshold (1.0) ' +
        'and 2 missing datapoints were treated as [Breaching].',
    },
    {
      case: 'two breaching missing datapoints alarm without a breaching one (2 of 3)',
      definition: healthyHosts('breaching', 2),
      series: values([1]),
      state: 'ALARM',
      reason:
        'Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching].',
    },
    {
      case: 'no datapoint, missing',
      definition: healthyHosts('missing'),
      series: [],
      state: 'INSUFFICIENT_DATA',
      reason: 'Insufficient Data: 3 datapoints were unknown.',
    },
    {
      case: 'no datapoint, missing, one evaluation period',
      definition: alarm({ EvaluationPeriods: 1, DatapointsToAlarm: 1 }),
      series: [],
      state: 'INSUFFICIENT_DATA',
      reason: 'Insufficient Data: 1 datapoint was unknown.',
    },
  ])('$case', ({ definition, series, state, reason }) => {
    const evaluation = evaluateAlarm(definition, series, 'OK', NOW);
    expect(evaluation.StateValue).toBe(state);
    expect(evaluation.StateReason).toBe(reason);
  });

  it('writes the unknown periods without values and no startDate when there is no datapoint', () => {
    const definition = alarm({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(evaluateAlarm(definition, [], 'OK', NOW).StateReasonData).toBe(
      '{"version":"1.0","queryDate":"2026-11-25T10:00:30.123+0000","statistic":"Average","period":10,' +
        '"recentDatapoints":[],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"2026-11-25T10:00:20.000+0000"}]}',
    );
  });

  it('lists filled-in missing periods among the evaluated datapoints', () => {
    const evaluation = evaluateAlarm(healthyHosts('breaching'), values([1, 2, 3, 4]).slice(0, 1), 'OK', NOW);
    expect(JSON.parse(evaluation.StateReasonData)).toMatchObject({
      startDate: '2026-11-25T09:59:50.000+0000',
      recentDatapoints: [1],
      evaluatedDatapoints: [
        { timestamp: '2026-11-25T10:00:20.000+0000' },
        { timestamp: '2026-11-25T10:00:10.000+0000' },
        { timestamp: '2026-11-25T09:59:50.000+0000', sampleCount: 2, value: 1 },
      ],
    });
  });
});

describe('AlarmEvaluator', () => {
  const START = Date.parse('2026-11-25T10:00:00.000Z');
  // 10 s periods: 6 periods at 1, 6 at 9 (above the threshold 5), 6 at 1, then nothing.
  const SERIES = [...Array(6).fill(1), ...Array(6).fill(9), ...Array(6).fill(1)].map((Value, index) => ({
    Timestamp: new Date(START + index * 10_000),
    Value,
  }));

  /** From the end of the first period, when the metric has its first datapoint. */
  function runEvery2Seconds(evaluator: AlarmEvaluator, definition: AlarmDefinition, untilSeconds: number) {
    const transitions = [];
    for (let second = 10; second <= untilSeconds; second += 2) {
      const now = new Date(START + second * 1000);
      // Like GetMetricStatistics, the current period is returned before it is complete.
      const published = SERIES.filter(({ Timestamp }) => Timestamp <= now);
      const transition = evaluator.evaluate(definition, published, now);
      if (transition)
        transitions.push({ second, from: transition.OldStateValue, to: transition.NewStateValue });
    }
    return transitions;
  }

  it('reports each state change exactly once however often the alarm is evaluated', () => {
    const evaluator = new AlarmEvaluator();

    expect(runEvery2Seconds(evaluator, alarm(), 240)).toEqual([
      { second: 10, from: 'INSUFFICIENT_DATA', to: 'OK' },
      { second: 90, from: 'OK', to: 'ALARM' },
      { second: 130, from: 'ALARM', to: 'OK' },
      // The last datapoint (period 170-180 s) leaves the 5-period range at 230 s.
      { second: 230, from: 'OK', to: 'INSUFFICIENT_DATA' },
    ]);
    expect(evaluator.stateOf(alarm().AlarmArn)).toBe('INSUFFICIENT_DATA');
  });

  it('alarms once when the metric stops and missing data is breaching', () => {
    const definition = alarm({ TreatMissingData: 'breaching' });

    expect(runEvery2Seconds(new AlarmEvaluator(), definition, 300)).toEqual([
      { second: 10, from: 'INSUFFICIENT_DATA', to: 'OK' },
      { second: 90, from: 'OK', to: 'ALARM' },
      { second: 130, from: 'ALARM', to: 'OK' },
      // The last datapoint (period 170-180 s) leaves the 5-period range at 230 s.
      { second: 230, from: 'OK', to: 'ALARM' },
    ]);
  });

  it('carries the state reason and the time of the change', () => {
    const transition = new AlarmEvaluator().evaluate(alarm(), values([9, 9, 9]), NOW);
    expect(transition).toEqual({
      alarm: alarm(),
      OldStateValue: 'INSUFFICIENT_DATA',
      NewStateValue: 'ALARM',
      NewStateReason: expect.stringMatching(/^Threshold Crossed: 3 out of the last 3 datapoints/),
      NewStateReasonData: expect.stringMatching(/^\{"version":"1.0"/),
      StateChangeTime: NOW,
    });
  });

  it('starts from known states and tracks alarms separately', () => {
    const other = alarm({ AlarmArn: `${alarm().AlarmArn}-2` });
    const evaluator = new AlarmEvaluator([[alarm().AlarmArn, 'ALARM']]);

    expect(evaluator.evaluate(alarm(), values([9, 9, 9]), NOW)).toBeUndefined();
    expect(evaluator.evaluate(other, values([9, 9, 9]), NOW)?.OldStateValue).toBe('INSUFFICIENT_DATA');
    expect(evaluator.stateOf(other.AlarmArn)).toBe('ALARM');
  });

  it('keeps the state while ignored missing data decides nothing', () => {
    const definition = alarm({ TreatMissingData: 'ignore' });
    const evaluator = new AlarmEvaluator([[definition.AlarmArn, 'ALARM']]);

    expect(evaluator.evaluate(definition, [], NOW)).toBeUndefined();
    expect(evaluator.stateOf(definition.AlarmArn)).toBe('ALARM');
  });
});

describe('parseAlarmDefinition', () => {
  const described = {
    AlarmName: 'zama-api-platform-local-no-healthy-targets',
    AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:zama-api-platform-local-no-healthy-targets',
    AlarmConfigurationUpdatedTimestamp: new Date('2026-11-25T09:00:00.000Z'),
    ActionsEnabled: true,
    StateValue: 'INSUFFICIENT_DATA',
    MetricName: 'HealthyHostCount',
    Namespace: 'AWS/ApplicationELB',
    Statistic: 'Minimum',
    Period: 10,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
  };

  it('reads a DescribeAlarms MetricAlarm, with empty lists for absent dimensions and actions', () => {
    expect(parseAlarmDefinition(described)).toEqual({
      AlarmName: 'zama-api-platform-local-no-healthy-targets',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:zama-api-platform-local-no-healthy-targets',
      AlarmConfigurationUpdatedTimestamp: new Date('2026-11-25T09:00:00.000Z'),
      MetricName: 'HealthyHostCount',
      Namespace: 'AWS/ApplicationELB',
      Dimensions: [],
      Statistic: 'Minimum',
      Period: 10,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [],
      OKActions: [],
      InsufficientDataActions: [],
    });
  });

  it.each([
    ['a percentile alarm', { Statistic: undefined, ExtendedStatistic: 'p99' }, /at Statistic/],
    [
      'an anomaly detection alarm',
      { ComparisonOperator: 'GreaterThanUpperThreshold' },
      /at ComparisonOperator/,
    ],
    ['more datapoints to alarm than periods', { DatapointsToAlarm: 2 }, /must not exceed EvaluationPeriods/],
  ])('rejects %s, naming the alarm and the field', (_, overrides, field) => {
    const read = () => parseAlarmDefinition({ ...described, ...overrides });
    expect(read).toThrow(/Alarm "zama-api-platform-local-no-healthy-targets" cannot be evaluated locally/);
    expect(read).toThrow(field);
  });
});

describe('formatJavaDouble', () => {
  it.each([
    [12, '12.0'],
    [0, '0.0'],
    [-3, '-3.0'],
    [0.5, '0.5'],
    [99.83333333333333, '99.83333333333333'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [0.00012, '1.2E-4'],
    [9999999, '9999999.0'],
    [12345678, '1.2345678E7'],
    [1e21, '1.0E21'],
  ])('writes %d as %s', (value, written) => {
    expect(formatJavaDouble(value)).toBe(written);
  });
});
