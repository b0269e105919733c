import type { CloudWatchClient, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient, MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SynthesizedStack } from '../../src/cloud-assembly';
import {
  alarmDifferences,
  alarmsOf,
  composeSecretString,
  dashboardsOf,
  describeFill,
  type FilledGaps,
  fillAlarms,
  fillDashboards,
  fillMetricFilters,
  fillSubscriptions,
  metricFilterDifferences,
  missingSubscriptions,
  resolvedSubscriptions,
} from '../../src/deploy/emulator-gaps';
import type { TemplateMetricFilter } from '../../src/deployed-names';
import { type DeployedResource, DeployedValues } from '../../src/deployed-values';

describe('composeSecretString', () => {
  test('puts the generated value at the template key, as CloudFormation does', () => {
    // GIVEN the API keys secret's GenerateSecretString
    const generate = { SecretStringTemplate: '{}', GenerateStringKey: 'api_key_demo', PasswordLength: 40 };
    // WHEN
    const secretString = composeSecretString(generate, 'generated-value');
    // THEN
    expect(JSON.parse(secretString)).toEqual({ api_key_demo: 'generated-value' });
  });

  test('keeps the other template fields', () => {
    // GIVEN the Kong Konnect secret's placeholders
    const generate = {
      SecretStringTemplate: '{"kong_api_url":"PLACEHOLDER_REPLACE_IN_CONSOLE"}',
      GenerateStringKey: 'kong_admin_token',
    };
    // WHEN
    const secretString = composeSecretString(generate, 'token');
    // THEN
    expect(JSON.parse(secretString)).toEqual({
      kong_api_url: 'PLACEHOLDER_REPLACE_IN_CONSOLE',
      kong_admin_token: 'token',
    });
  });

  test('is the bare generated value without a template, and refuses a template without a key', () => {
    // GIVEN / WHEN / THEN
    expect(composeSecretString({ PasswordLength: 8 }, 'abcdefgh')).toBe('abcdefgh');
    expect(() => composeSecretString({ SecretStringTemplate: '{}' }, 'x')).toThrow(/GenerateStringKey/);
  });
});

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:zama-alerts';
const TOPIC_EXPORT = 'zama-observability:AlertsTopic';

/** A compute stack with one alarm of each kind the platform has: with and without dimensions. */
const compute: SynthesizedStack = {
  stackName: 'zama-compute',
  template: {
    Resources: {
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Name: 'zama-alb' } },
      Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Name: 'zama-api-tg' } },
      NoHealthyTargets: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'zama-no-healthy-targets',
          AlarmDescription: '[critical] No healthy target',
          AlarmActions: [{ 'Fn::ImportValue': TOPIC_EXPORT }],
          OKActions: [{ 'Fn::ImportValue': TOPIC_EXPORT }],
          ComparisonOperator: 'LessThanThreshold',
          DatapointsToAlarm: 1,
          Dimensions: [
            { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': ['Lb', 'LoadBalancerFullName'] } },
            { Name: 'TargetGroup', Value: { 'Fn::GetAtt': ['Tg', 'TargetGroupFullName'] } },
          ],
          EvaluationPeriods: 1,
          MetricName: 'HealthyHostCount',
          Namespace: 'AWS/ApplicationELB',
          Period: 10,
          Statistic: 'Minimum',
          Tags: [{ Key: 'project', Value: 'zama' }],
          Threshold: 1,
          TreatMissingData: 'breaching',
        },
      },
      ApiErrorCount: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'zama-api-error-count',
          ActionsEnabled: false,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 3,
          MetricName: 'ApiErrorCount',
          Namespace: 'zama',
          Period: 10,
          Statistic: 'Sum',
          Threshold: 5,
        },
      },
    },
  },
};

const values = new DeployedValues({
  account: '123456789012',
  region: 'us-east-1',
  resources: new Map([
    [
      'zama-compute',
      new Map<string, DeployedResource>([
        ['Lb', { ref: 'arn:lb', attributes: { LoadBalancerFullName: 'app/zama-alb/ca0996216cb06990' } }],
        [
          'Tg',
          { ref: 'arn:tg', attributes: { TargetGroupFullName: 'targetgroup/zama-api-tg/bd42a098d33a9aeb' } },
        ],
      ]),
    ],
  ]),
  exports: new Map([[TOPIC_EXPORT, TOPIC_ARN]]),
});

const [noHealthyTargets, apiErrorCount] = alarmsOf([compute], values);

/** The alarm as DescribeAlarms returns it once PutMetricAlarm created it. */
const described: MetricAlarm = {
  AlarmName: 'zama-no-healthy-targets',
  AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:zama-no-healthy-targets',
  AlarmDescription: '[critical] No healthy target',
  ActionsEnabled: true,
  OKActions: [TOPIC_ARN],
  AlarmActions: [TOPIC_ARN],
  InsufficientDataActions: [],
  StateValue: 'OK',
  MetricName: 'HealthyHostCount',
  Namespace: 'AWS/ApplicationELB',
  Statistic: 'Minimum',
  Dimensions: [
    { Name: 'LoadBalancer', Value: 'app/zama-alb/ca0996216cb06990' },
    { Name: 'TargetGroup', Value: 'targetgroup/zama-api-tg/bd42a098d33a9aeb' },
  ],
  Period: 10,
  EvaluationPeriods: 1,
  DatapointsToAlarm: 1,
  Threshold: 1,
  ComparisonOperator: 'LessThanThreshold',
  TreatMissingData: 'breaching',
  Metrics: [],
};

/** A client whose `send` records each command and answers it from a table by command class. */
function fakeClient<T>(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ command: command.constructor.name, input: command.input });
      const answer = answers[command.constructor.name];
      if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
      return answer(command.input);
    },
  };
  return { client: client as unknown as T, sent };
}

describe('alarmsOf', () => {
  test('turns every alarm property into a PutMetricAlarm parameter, evaluated against the emulator', () => {
    // THEN dimensions are the emulator's full names, actions the emulator's topic ARN
    expect(noHealthyTargets).toEqual({
      AlarmName: 'zama-no-healthy-targets',
      AlarmDescription: '[critical] No healthy target',
      AlarmActions: [TOPIC_ARN],
      OKActions: [TOPIC_ARN],
      ComparisonOperator: 'LessThanThreshold',
      DatapointsToAlarm: 1,
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/zama-alb/ca0996216cb06990' },
        { Name: 'TargetGroup', Value: 'targetgroup/zama-api-tg/bd42a098d33a9aeb' },
      ],
      EvaluationPeriods: 1,
      MetricName: 'HealthyHostCount',
      Namespace: 'AWS/ApplicationELB',
      Period: 10,
      Statistic: 'Minimum',
      Tags: [{ Key: 'project', Value: 'zama' }],
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(apiErrorCount).toMatchObject({ AlarmName: 'zama-api-error-count', ActionsEnabled: false });
  });

  test('refuses an alarm without a literal name, which could not be found again', () => {
    const unnamed: SynthesizedStack = {
      ...compute,
      template: { Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Threshold: 1 } } } },
    };
    expect(() => alarmsOf([unnamed], values)).toThrow(
      /zama-compute\/Alarm: an alarm needs a literal AlarmName/,
    );
  });
});

describe('alarmDifferences', () => {
  test.each<[string, MetricAlarm, string[]]>([
    ['the alarm PutMetricAlarm created', described, []],
    [
      'dimensions in another order',
      { ...described, Dimensions: [...(described.Dimensions ?? [])].reverse() },
      [],
    ],
    [
      "LocalStack's placeholder dimensions",
      {
        ...described,
        Dimensions: [
          { Name: 'LoadBalancer', Value: 'unknown' },
          { Name: 'TargetGroup', Value: 'unknown' },
        ],
      },
      ['Dimensions'],
    ],
    [
      'another threshold and statistic',
      { ...described, Threshold: 2, Statistic: 'Average' },
      ['Statistic', 'Threshold'],
    ],
    ['actions left out', { ...described, OKActions: undefined }, ['OKActions']],
    [
      'the default missing-data treatment',
      { ...described, TreatMissingData: 'missing' },
      ['TreatMissingData'],
    ],
    ['actions disabled', { ...described, ActionsEnabled: false }, ['ActionsEnabled']],
  ])('%s', (_, existing, differences) => {
    expect(alarmDifferences(noHealthyTargets, existing)).toEqual(differences);
  });

  test("counts CloudWatch's defaults as equal to properties the template leaves out", () => {
    // GIVEN an alarm without actions, dimensions, DatapointsToAlarm or TreatMissingData
    const existing: MetricAlarm = {
      AlarmName: 'zama-api-error-count',
      ActionsEnabled: false,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      Dimensions: [],
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      MetricName: 'ApiErrorCount',
      Namespace: 'zama',
      Period: 10,
      Statistic: 'Sum',
      Threshold: 5,
      TreatMissingData: 'missing',
    };
    expect(alarmDifferences(apiErrorCount, existing)).toEqual([]);
  });
});

describe('fillAlarms', () => {
  test('creates the missing alarms, corrects the wrong ones and leaves the rest alone', async () => {
    // GIVEN an emulator with a correct no-healthy-targets alarm, a wrong api-error-count one and no third
    const missing = { ...apiErrorCount, AlarmName: 'zama-kong-cpu-high' };
    const { client, sent } = fakeClient<CloudWatchClient>({
      DescribeAlarmsCommand: () => ({
        MetricAlarms: [described, { AlarmName: 'zama-api-error-count', Threshold: 50 }],
      }),
      PutMetricAlarmCommand: () => ({}),
    });

    // WHEN
    const filled = await fillAlarms(client, [noHealthyTargets, apiErrorCount, missing]);

    // THEN only the wrong and the missing alarm are put, each whole
    expect(
      sent.filter(({ command }) => command === 'PutMetricAlarmCommand').map(({ input }) => input),
    ).toEqual([apiErrorCount, missing]);
    expect(filled).toEqual({
      type: 'AWS::CloudWatch::Alarm',
      call: 'PutMetricAlarm',
      created: ['zama-kong-cpu-high'],
      corrected: [expect.stringMatching(/^zama-api-error-count \(.*Threshold.*\)$/)],
      unchanged: 1,
    });
  });
});

/** An observability stack with a dashboard whose body refers to the account and a log group. */
const observability: SynthesizedStack = {
  stackName: 'zama-observability',
  template: {
    Resources: {
      ApiLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/ecs/zama/api' } },
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: 'zama',
          DashboardBody: {
            'Fn::Join': [
              '',
              [
                '{"widgets":[{"type":"alarm","properties":{"alarms":["arn:aws:cloudwatch:us-east-1:',
                { Ref: 'AWS::AccountId' },
                ':alarm:zama-api-error-count"]}},{"type":"log","properties":{"query":"SOURCE \'',
                { Ref: 'ApiLogGroup' },
                '\' | limit 5"}}]}',
              ],
            ],
          },
        },
      },
    },
  },
};
const observabilityValues = new DeployedValues({
  account: '123456789012',
  region: 'us-east-1',
  resources: new Map([
    [
      'zama-observability',
      new Map<string, DeployedResource>([['ApiLogGroup', { ref: '/aws/ecs/zama/api', attributes: {} }]]),
    ],
  ]),
  exports: new Map(),
});
const [dashboard] = dashboardsOf([observability], observabilityValues);

describe('dashboardsOf', () => {
  test("evaluates the body's references against the emulator", () => {
    // THEN the body is JSON with the emulator's account and the log group's name in it
    expect(dashboard.DashboardName).toBe('zama');
    expect(JSON.parse(dashboard.DashboardBody)).toEqual({
      widgets: [
        {
          type: 'alarm',
          properties: { alarms: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:zama-api-error-count'] },
        },
        { type: 'log', properties: { query: "SOURCE '/aws/ecs/zama/api' | limit 5" } },
      ],
    });
  });

  test('refuses a dashboard without a literal name', () => {
    const unnamed: SynthesizedStack = {
      ...observability,
      template: {
        Resources: { Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{}' } } },
      },
    };
    expect(() => dashboardsOf([unnamed], observabilityValues)).toThrow(
      /a dashboard needs a literal DashboardName/,
    );
  });
});

describe('fillDashboards', () => {
  const notFound = () => {
    throw Object.assign(new Error('Dashboard does not exist'), { name: 'ResourceNotFound' });
  };

  test.each<[string, () => unknown, Partial<FilledGaps>]>([
    ["CloudWatch's answer: ResourceNotFound", notFound, { created: ['zama'] }],
    [
      "LocalStack's placeholder: InvalidParameterValue, the dashboard does not exist",
      () => {
        throw Object.assign(new Error('Dashboard zama does not exist.'), {
          name: 'InvalidParameterValueException',
        });
      },
      { created: ['zama'] },
    ],
    [
      'a body that differs',
      () => ({ DashboardBody: '{"widgets":[]}' }),
      { corrected: ['zama (DashboardBody)'] },
    ],
  ])('puts the dashboard when %s', async (_, getDashboard, filledAs) => {
    // GIVEN
    const { client, sent } = fakeClient<CloudWatchClient>({
      GetDashboardCommand: getDashboard,
      PutDashboardCommand: () => ({}),
    });
    // WHEN
    const filled = await fillDashboards(client, [dashboard]);
    // THEN the whole evaluated body is put
    expect(sent.filter(({ command }) => command === 'PutDashboardCommand').map(({ input }) => input)).toEqual(
      [dashboard],
    );
    expect(filled).toEqual({
      type: 'AWS::CloudWatch::Dashboard',
      call: 'PutDashboard',
      created: [],
      corrected: [],
      unchanged: 0,
      ...filledAs,
    });
  });

  test("leaves alone a body equal as JSON, as moto's CloudFormation creates it", async () => {
    // GIVEN the same body with other spacing and key order
    const { widgets } = JSON.parse(dashboard.DashboardBody) as { widgets: Array<Record<string, unknown>> };
    const same = JSON.stringify(
      { widgets: widgets.map(({ type, properties }) => ({ properties, type })) },
      null,
      2,
    );
    const { client, sent } = fakeClient<CloudWatchClient>({
      GetDashboardCommand: () => ({ DashboardBody: same }),
    });
    // WHEN
    const filled = await fillDashboards(client, [dashboard]);
    // THEN nothing is put
    expect(sent.map(({ command }) => command)).toEqual(['GetDashboardCommand']);
    expect(filled.unchanged).toBe(1);
  });

  test.each([
    ['throttling', 'ThrottlingException', 'slow down'],
    ['another invalid parameter', 'InvalidParameterValueException', 'DashboardName is too long'],
  ])('passes on any other error of GetDashboard: %s', async (_, name, message) => {
    const { client } = fakeClient<CloudWatchClient>({
      GetDashboardCommand: () => {
        throw Object.assign(new Error(message), { name });
      },
    });
    await expect(fillDashboards(client, [dashboard])).rejects.toThrow(message);
  });
});

const apiErrorsFilter: TemplateMetricFilter = {
  filterName: 'zama-api-errors',
  filterPattern: '{ $.level = "error" }',
  logGroupName: '/aws/ecs/zama/api',
  metricTransformations: [
    { metricName: 'ApiErrorCount', metricNamespace: 'zama', metricValue: '1', defaultValue: 0 },
  ],
};

describe('metricFilterDifferences', () => {
  test.each<[string, MetricFilter, string[]]>([
    ['the filter PutMetricFilter created', { ...apiErrorsFilter, creationTime: 1 }, []],
    [
      'empty dimensions',
      {
        ...apiErrorsFilter,
        metricTransformations: [{ ...apiErrorsFilter.metricTransformations[0], dimensions: {} }],
      },
      [],
    ],
    ['another pattern', { ...apiErrorsFilter, filterPattern: 'ERROR' }, ['filterPattern']],
    [
      'no default value',
      {
        ...apiErrorsFilter,
        metricTransformations: [{ ...apiErrorsFilter.metricTransformations[0], defaultValue: undefined }],
      },
      ['metricTransformations'],
    ],
  ])('%s', (_, existing, differences) => {
    expect(metricFilterDifferences(apiErrorsFilter, existing)).toEqual(differences);
  });
});

describe('fillMetricFilters', () => {
  test.each<[string, MetricFilter[], Partial<FilledGaps>, number]>([
    ['that is missing', [], { created: ['zama-api-errors'], corrected: [], unchanged: 0 }, 1],
    [
      'with another pattern',
      [{ ...apiErrorsFilter, filterPattern: 'ERROR' }],
      { created: [], corrected: ['zama-api-errors (filterPattern)'], unchanged: 0 },
      1,
    ],
    ['as the template defines it', [apiErrorsFilter], { created: [], corrected: [], unchanged: 1 }, 0],
    [
      // DescribeMetricFilters matches names by prefix
      'that is missing, beside one whose name it prefixes',
      [{ ...apiErrorsFilter, filterName: 'zama-api-errors-old' }],
      { created: ['zama-api-errors'], unchanged: 0 },
      1,
    ],
  ])('a filter %s is put only when needed', async (_, existing, filled, puts) => {
    const { client, sent } = fakeClient<CloudWatchLogsClient>({
      DescribeMetricFiltersCommand: () => ({ metricFilters: existing }),
      PutMetricFilterCommand: () => ({}),
    });
    await expect(fillMetricFilters(client, [apiErrorsFilter])).resolves.toMatchObject(filled);
    expect(sent.filter(({ command }) => command === 'PutMetricFilterCommand')).toHaveLength(puts);
  });
});

describe('subscriptions', () => {
  const email: SynthesizedStack = {
    stackName: 'zama-observability',
    template: {
      Resources: {
        Topic: {
          Type: 'AWS::SNS::Topic',
          Properties: {
            Subscription: [{ Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:123456789012:inbox' }],
          },
        },
        Email: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'Topic' },
            Protocol: 'email',
            Endpoint: 'alerts@example.com',
            RawMessageDelivery: true,
            FilterPolicy: { severity: ['critical'] },
          },
        },
      },
    },
  };
  const deployed = new DeployedValues({
    account: '123456789012',
    region: 'us-east-1',
    resources: new Map([['zama-observability', new Map([['Topic', { ref: TOPIC_ARN, attributes: {} }]])]]),
    exports: new Map(),
  });
  const inline = {
    TopicArn: TOPIC_ARN,
    Protocol: 'sqs',
    Endpoint: 'arn:aws:sqs:us-east-1:123456789012:inbox',
    SubscriptionArn: `${TOPIC_ARN}:1`,
  };

  test('the e-mail subscription is missing where the emulator created only the inline one (moto)', () => {
    // WHEN
    const missing = missingSubscriptions(resolvedSubscriptions([email], deployed), [inline]);

    // THEN its attributes are in the form Subscribe takes
    expect(missing).toEqual([
      {
        source: 'zama-observability/Email',
        topicArn: TOPIC_ARN,
        protocol: 'email',
        endpoint: 'alerts@example.com',
        attributes: { RawMessageDelivery: 'true', FilterPolicy: '{"severity":["critical"]}' },
      },
    ]);
  });

  test('subscribes what is missing, once', async () => {
    // GIVEN an emulator that has the inline subscription
    const existing = [inline];
    const { client, sent } = fakeClient<SNSClient>({
      ListSubscriptionsByTopicCommand: () => ({ Subscriptions: existing }),
      SubscribeCommand: (input) => {
        existing.push({ ...inline, Protocol: String(input.Protocol), Endpoint: String(input.Endpoint) });
        return { SubscriptionArn: `${TOPIC_ARN}:2` };
      },
    });
    const subscriptions = resolvedSubscriptions([email], deployed);

    // WHEN filled twice
    const first = await fillSubscriptions(client, subscriptions);
    const second = await fillSubscriptions(client, subscriptions);

    // THEN
    expect([first, second].map(describeFill)).toEqual([
      'AWS::SNS::Subscription: created 1 through Subscribe; 1 already as the templates define',
      'AWS::SNS::Subscription: all 2 already as the templates define',
    ]);
    expect(sent.filter(({ command }) => command === 'SubscribeCommand').map(({ input }) => input)).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Protocol: 'email',
        Endpoint: 'alerts@example.com',
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: '{"severity":["critical"]}' },
        ReturnSubscriptionArn: true,
      },
    ]);
  });
});

describe('describeFill', () => {
  test('names what was corrected and why', () => {
    expect(
      describeFill({
        type: 'AWS::CloudWatch::Alarm',
        call: 'PutMetricAlarm',
        created: ['a', 'b'],
        corrected: ['c (Dimensions)'],
        unchanged: 9,
      }),
    ).toBe(
      'AWS::CloudWatch::Alarm: created 2, corrected 1 (c (Dimensions)) through PutMetricAlarm; 9 already as the templates define',
    );
  });
});
