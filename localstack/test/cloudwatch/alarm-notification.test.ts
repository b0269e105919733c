import type {
  AlarmDefinition,
  AlarmState,
  AlarmStatistic,
  AlarmTransition,
} from '../../src/cloudwatch/alarm-evaluator';
import {
  type AlarmNotification,
  alarmNotification,
  alarmNotificationSubject,
  formatAlarmNotification,
  parseAlarmNotification,
  regionLongName,
} from '../../src/cloudwatch/alarm-notification';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:zama-api-platform-local-alerts';
const ALARM_ARN =
  'arn:aws:cloudwatch:us-east-1:000000000000:alarm:zama-api-platform-local-high-response-time';
const REASON =
  'Threshold Crossed: 3 out of the last 3 datapoints [2.5 (25/11/26 10:00:20), 3.0 (25/11/26 10:00:10), ' +
  '2.25 (25/11/26 10:00:00)] were greater than the threshold (2.0) (minimum 3 datapoints for OK -> ALARM transition).';

const ALARM: AlarmDefinition = {
  AlarmName: 'zama-api-platform-local-high-response-time',
  AlarmArn: ALARM_ARN,
  AlarmDescription: '[medium] Average response time of the API tasks above 2 s',
  AlarmConfigurationUpdatedTimestamp: new Date('2026-11-25T09:00:00.000Z'),
  Namespace: 'AWS/ApplicationELB',
  MetricName: 'TargetResponseTime',
  Dimensions: [
    { Name: 'LoadBalancer', Value: 'app/zama-api-platform-local-alb/50dc6c495c0c9188' },
    { Name: 'TargetGroup', Value: 'targetgroup/zama-api-platform-local-api/73e2d6bc24d8a067' },
  ],
  Statistic: 'Average',
  Period: 10,
  EvaluationPeriods: 3,
  DatapointsToAlarm: 3,
  ComparisonOperator: 'GreaterThanThreshold',
  Threshold: 2,
  TreatMissingData: 'notBreaching',
  AlarmActions: [TOPIC],
  OKActions: [TOPIC],
  InsufficientDataActions: [],
};

function transition(overrides: Partial<AlarmTransition> = {}): AlarmTransition {
  return {
    alarm: ALARM,
    OldStateValue: 'OK',
    NewStateValue: 'ALARM',
    NewStateReason: REASON,
    NewStateReasonData: '{"version":"1.0"}',
    StateChangeTime: new Date('2026-11-25T10:00:30.123Z'),
    ...overrides,
  };
}

describe('alarmNotification', () => {
  it('writes the message CloudWatch publishes, byte for byte', () => {
    expect(formatAlarmNotification(alarmNotification(transition()))).toBe(
      '{"AlarmName":"zama-api-platform-local-high-response-time",' +
        '"AlarmDescription":"[medium] Average response time of the API tasks above 2 s",' +
        '"AWSAccountId":"000000000000",' +
        '"AlarmConfigurationUpdatedTimestamp":"2026-11-25T09:00:00.000+0000",' +
        '"NewStateValue":"ALARM",' +
        `"NewStateReason":${JSON.stringify(REASON)},` +
        '"StateChangeTime":"2026-11-25T10:00:30.123+0000",' +
        '"Region":"US East (N. Virginia)",' +
        `"AlarmArn":"${ALARM_ARN}",` +
        '"OldStateValue":"OK",' +
        `"OKActions":["${TOPIC}"],` +
        `"AlarmActions":["${TOPIC}"],` +
        '"InsufficientDataActions":[],' +
        '"Trigger":{"MetricName":"TargetResponseTime","Namespace":"AWS/ApplicationELB",' +
        '"StatisticType":"Statistic","Statistic":"AVERAGE","Unit":null,' +
        '"Dimensions":[{"value":"app/zama-api-platform-local-alb/50dc6c495c0c9188","name":"LoadBalancer"},' +
        '{"value":"targetgroup/zama-api-platform-local-api/73e2d6bc24d8a067","name":"TargetGroup"}],' +
        '"Period":10,"EvaluationPeriods":3,"DatapointsToAlarm":3,"ComparisonOperator":"GreaterThanThreshold",' +
        '"Threshold":2.0,"TreatMissingData":"notBreaching","EvaluateLowSampleCountPercentile":""}}',
    );
  });

  it('has exactly the fields of AWS, in its order', () => {
    const notification = alarmNotification(transition());

    expect(Object.keys(notification)).toEqual([
      'AlarmName',
      'AlarmDescription',
      'AWSAccountId',
      'AlarmConfigurationUpdatedTimestamp',
      'NewStateValue',
      'NewStateReason',
      'StateChangeTime',
      'Region',
      'AlarmArn',
      'OldStateValue',
      'OKActions',
      'AlarmActions',
      'InsufficientDataActions',
      'Trigger',
    ]);
    expect(Object.keys(notification.Trigger)).toEqual([
      'MetricName',
      'Namespace',
      'StatisticType',
      'Statistic',
      'Unit',
      'Dimensions',
      'Period',
      'EvaluationPeriods',
      'DatapointsToAlarm',
      'ComparisonOperator',
      'Threshold',
      'TreatMissingData',
      'EvaluateLowSampleCountPercentile',
    ]);
  });

  it('takes the account and the Region from the alarm ARN', () => {
    const alarm = {
      ...ALARM,
      AlarmArn: 'arn:aws:cloudwatch:eu-west-3:123456789012:alarm:zama-api-platform-dev-x',
    };
    expect(alarmNotification(transition({ alarm }))).toMatchObject({
      AWSAccountId: '123456789012',
      Region: 'EU (Paris)',
    });
  });

  it('writes what an alarm does not set the way AWS does', () => {
    const { AlarmDescription, DatapointsToAlarm, TreatMissingData, ...bare } = ALARM;
    const notification = alarmNotification(transition({ alarm: { ...bare, Dimensions: [] } }));

    expect(notification.AlarmDescription).toBeNull();
    expect(notification.Trigger).not.toHaveProperty('DatapointsToAlarm');
    expect(notification.Trigger.TreatMissingData).toBe('');
    expect(notification.Trigger.Dimensions).toEqual([]);
    expect(formatAlarmNotification(notification)).toContain('"AlarmDescription":null,');
  });

  it.each<[AlarmStatistic, string]>([
    ['Average', 'AVERAGE'],
    ['Sum', 'SUM'],
    ['Minimum', 'MINIMUM'],
    ['Maximum', 'MAXIMUM'],
    ['SampleCount', 'SAMPLE_COUNT'],
  ])('writes the statistic %s as %s', (Statistic, written) => {
    expect(alarmNotification(transition({ alarm: { ...ALARM, Statistic } })).Trigger.Statistic).toBe(written);
  });

  it.each([
    [0.5, '"Threshold":0.5,'],
    [80, '"Threshold":80.0,'],
    [0, '"Threshold":0.0,'],
  ])('writes the threshold %d as a Java double', (Threshold, written) => {
    const notification = alarmNotification(transition({ alarm: { ...ALARM, Threshold } }));
    expect(formatAlarmNotification(notification)).toContain(written);
  });

  it('rejects an ARN that is not an alarm ARN, saying where to take it from', () => {
    const alarm = { ...ALARM, AlarmArn: 'zama-api-platform-local-high-response-time' };
    expect(() => alarmNotification(transition({ alarm }))).toThrow(
      /not a CloudWatch alarm ARN.*DescribeAlarms/,
    );
  });
});

describe('alarmNotificationSubject', () => {
  it.each<[AlarmState, string]>([
    ['ALARM', 'ALARM: "zama-api-platform-local-high-response-time" in US East (N. Virginia)'],
    ['OK', 'OK: "zama-api-platform-local-high-response-time" in US East (N. Virginia)'],
    [
      'INSUFFICIENT_DATA',
      'INSUFFICIENT_DATA: "zama-api-platform-local-high-response-time" in US East (N. Virginia)',
    ],
  ])('names the new state %s', (NewStateValue, subject) => {
    expect(alarmNotificationSubject(alarmNotification(transition({ NewStateValue })))).toBe(subject);
  });

  it('cuts the alarm name so that SNS accepts the subject (fewer than 100 characters)', () => {
    const AlarmName = `zama-api-platform-local-${'x'.repeat(80)}`;
    const alarm = { ...ALARM, AlarmName, AlarmArn: `${ALARM_ARN}x` };
    const subject = alarmNotificationSubject(
      alarmNotification(transition({ alarm, NewStateValue: 'INSUFFICIENT_DATA' })),
    );

    expect(subject).toHaveLength(99);
    expect(subject).toMatch(/^INSUFFICIENT_DATA: "zama-api-platform-local-x+" in US East \(N\. Virginia\)$/);
  });
});

describe('regionLongName', () => {
  it.each([
    ['us-east-1', 'US East (N. Virginia)'],
    ['us-west-2', 'US West (Oregon)'],
    ['eu-west-1', 'EU (Ireland)'],
    ['eu-west-3', 'EU (Paris)'],
    ['eu-central-1', 'EU (Frankfurt)'],
    ['ap-southeast-2', 'Asia Pacific (Sydney)'],
  ])('names %s "%s"', (region, name) => {
    expect(regionLongName(region)).toBe(name);
  });

  it('rejects a Region it has no name for, saying where to add it', () => {
    expect(() => regionLongName('xx-nowhere-1')).toThrow(/"xx-nowhere-1".*REGION_NAMES/);
  });
});

describe('parseAlarmNotification', () => {
  const notification = alarmNotification(transition());
  const message = formatAlarmNotification(notification);
  const envelope = {
    Type: 'Notification',
    MessageId: '5a8f1f6e-1c4b-5c1e-9a53-0d1f4bb6c6a1',
    TopicArn: TOPIC,
    Subject: alarmNotificationSubject(notification),
    Message: message,
    Timestamp: '2026-11-25T10:00:30.200Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  };

  it('reads a notification from the SNS envelope of an SQS message', () => {
    expect(parseAlarmNotification(JSON.stringify(envelope))).toEqual(notification);
  });

  it('reads the timestamps LocalStack writes (UTC with Z) as well as AWS’s +0000', () => {
    const localstack = { ...notification, StateChangeTime: '2026-11-25T10:00:30.123Z' };
    expect(parseAlarmNotification(JSON.stringify(localstack)).StateChangeTime).toBe(
      '2026-11-25T10:00:30.123Z',
    );
  });

  it('reads the notification LocalStack’s SetAlarmState publishes, "" for no dimensions included', () => {
    // As LocalStack 4.14.0 published it for an alarm without dimensions.
    const localstack = {
      AWSAccountId: '000000000000',
      OldStateValue: 'INSUFFICIENT_DATA',
      AlarmName: 'a',
      AlarmDescription: null,
      AlarmConfigurationUpdatedTimestamp: '2026-11-26T05:40:24.220Z',
      NewStateValue: 'ALARM',
      NewStateReason: 'test',
      StateChangeTime: '2026-11-26T05:40:54.590Z',
      Region: 'Us east 1',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:a',
      OKActions: ['arn:aws:sns:us-east-1:000000000000:t'],
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:t'],
      InsufficientDataActions: [],
      Trigger: {
        MetricName: 'M',
        Namespace: 'N',
        Unit: null,
        Period: 10,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1.0,
        TreatMissingData: 'breaching',
        EvaluateLowSampleCountPercentile: '',
        Dimensions: '',
        StatisticType: 'Statistic',
        Statistic: 'SUM',
      },
    };
    expect(parseAlarmNotification(JSON.stringify(localstack)).Trigger).toMatchObject({
      MetricName: 'M',
      Dimensions: [],
      Statistic: 'SUM',
    });
  });

  it('reads a notification delivered raw', () => {
    expect(parseAlarmNotification(message)).toEqual(notification);
  });

  it.each<[string, string, RegExp]>([
    ['a body that is not JSON', 'hello', /The message body is not JSON/],
    [
      'an envelope whose Message is not JSON',
      JSON.stringify({ ...envelope, Message: 'hello' }),
      /SNS Message is not JSON/,
    ],
    [
      'another publisher’s message',
      JSON.stringify({ ...envelope, Message: '{"hello":"world"}' }),
      /not a CloudWatch alarm notification[\s\S]*at AlarmName/,
    ],
    [
      'a timestamp not in CloudWatch’s format',
      JSON.stringify({
        ...notification,
        StateChangeTime: '25/11/2026 10:00:30',
      } satisfies AlarmNotification),
      /CloudWatch timestamp[\s\S]*at StateChangeTime/,
    ],
    ['an unknown state', JSON.stringify({ ...notification, NewStateValue: 'BROKEN' }), /at NewStateValue/],
  ])('rejects %s, saying what is wrong', (_, body, error) => {
    expect(() => parseAlarmNotification(body)).toThrow(error);
  });
});
