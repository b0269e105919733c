import { Match } from 'aws-cdk-lib/assertions';
import { API_ERROR_FILTER_PATTERN } from '../lib/log-patterns';
import { platformNames } from '../lib/names';
import { ALARM_KEYS } from '../lib/profiles';
import { logicalIdsOf, rawTemplateOf, templateOf } from './support';

/** The metric math expressions of the dev dashboard (tokens of its body left out). */
function dashboardExpressions(): string[] {
  const dashboard = Object.values(rawTemplateOf('dev', 'observability').Resources).find(
    (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
  );
  const join = dashboard?.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] } | undefined;
  const [, parts = []] = join?.['Fn::Join'] ?? [];
  const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
    widgets: Array<{ properties: { metrics?: unknown[][] } }>;
  };
  return body.widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).flatMap((metric) =>
      metric.flatMap((item) => (item as { expression?: string })?.expression ?? []),
    ),
  );
}

describe('ObservabilityStack', () => {
  test('creates the seed log groups with the profile retention', () => {
    // GIVEN the dev profile (7 days)
    // WHEN
    const template = templateOf('dev', 'observability');
    // THEN
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    for (const name of [
      '/aws/ecs/zama-api-platform-dev',
      '/aws/ecs/zama-api-platform-dev/api',
      '/aws/ecs/zama-api-platform-dev/kong',
    ]) {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: { LogGroupName: name, RetentionInDays: 7 },
        DeletionPolicy: 'Delete',
      });
    }
  });

  test('keeps the log groups when a prod stack is deleted', () => {
    // GIVEN the prod profile
    // WHEN
    const template = templateOf('prod', 'observability');
    // THEN
    expect(
      Object.keys(template.findResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' })),
    ).toHaveLength(3);
  });

  test('counts API log lines at level error or fatal into a metric', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'observability');
    // THEN
    const [apiLogGroup] = logicalIdsOf(template, 'AWS::Logs::LogGroup', {
      LogGroupName: '/aws/ecs/zama-api-platform-dev/api',
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: apiLogGroup },
      FilterPattern: '{ ($.level = "error") || ($.level = "fatal") }',
      MetricTransformations: [
        {
          MetricNamespace: 'zama-api-platform-dev',
          MetricName: 'ApiErrorCount',
          MetricValue: '1',
          DefaultValue: 0,
        },
      ],
    });
    expect(API_ERROR_FILTER_PATTERN).toBe('{ ($.level = "error") || ($.level = "fatal") }');
  });

  test('counts Kong error-log lines of severity error and up into a metric', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'observability');
    // THEN
    const [kongLogGroup] = logicalIdsOf(template, 'AWS::Logs::LogGroup', {
      LogGroupName: '/aws/ecs/zama-api-platform-dev/kong',
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: kongLogGroup },
      FilterPattern: '?"[error]" ?"[crit]" ?"[alert]" ?"[emerg]"',
      MetricTransformations: [Match.objectLike({ MetricName: 'KongErrorCount' })],
    });
  });

  test('lets CloudWatch alarms of this platform publish to the alerts topic, over TLS only', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'observability');
    // THEN
    const [topic] = logicalIdsOf(template, 'AWS::SNS::Topic', { TopicName: 'zama-api-platform-dev-alerts' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:aws:cloudwatch:eu-west-3:',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:zama-api-platform-dev-*',
                    ],
                  ],
                },
              },
            },
          }),
        ],
      },
    });
  });

  test('e-mails the alerts on AWS and has no inbox there', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'observability');
    // THEN
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform-alerts@example.com',
    });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.hasResourceProperties('AWS::SNS::Topic', { Subscription: Match.absent() });
  });

  test('delivers the alerts to an inbox queue locally, through a subscription emulators create', () => {
    // GIVEN the local profile
    // WHEN
    const template = templateOf('local', 'observability');
    // THEN
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const [inbox] = logicalIdsOf(template, 'AWS::SQS::Queue', {
      QueueName: 'zama-api-platform-local-alerts-inbox',
      SqsManagedSseEnabled: true,
    });
    const [topic] = logicalIdsOf(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Topic', {
      Subscription: [{ Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': [inbox, 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: inbox }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: topic } } },
          }),
        ]),
      },
    });
  });

  test('shows every alarm, the service and the network on one dashboard', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'observability');
    const names = platformNames('zama-api-platform-dev');
    // THEN
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'zama-api-platform-dev' });
    const body = JSON.stringify(rawTemplateOf('dev', 'observability').Resources);
    for (const key of ALARM_KEYS) expect(body).toContain(`:alarm:${names.alarm(key)}`);
    for (const name of [names.loadBalancer, names.apiService, names.cluster]) expect(body).toContain(name);
    // Target group metrics are found by the load balancer's name: the target group's is generated.
    expect(dashboardExpressions()).toContain(
      `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" "${names.loadBalancer}"', 'Minimum', 60)`,
    );
    expect(body).not.toContain(names.targetGroup);
    expect(body).toContain('AWS/NATGateway');
    expect(body).toContain('REJECT');
  });

  test('imports nothing: the flow log group by its name, the NAT gateways by SSM parameters', () => {
    // GIVEN the dev profile (two NAT gateways)
    // WHEN
    const template = rawTemplateOf('dev', 'observability');
    const networking = templateOf('dev', 'networking');
    // THEN
    expect(JSON.stringify(template)).not.toContain('Fn::ImportValue');
    expect(JSON.stringify(template.Resources)).toContain('/aws/vpc/flow-logs/zama-api-platform-dev');
    const parameters = (template as { Parameters?: Record<string, { Type: string; Default: string }> })
      .Parameters;
    const natParameters = Object.values(parameters ?? {}).filter((p) => p.Default?.includes('nat-gateway'));
    expect(natParameters).toEqual([
      {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/zama-api-platform-dev/networking/nat-gateway-1/id',
      },
      {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/zama-api-platform-dev/networking/nat-gateway-2/id',
      },
    ]);
    // and the networking stack publishes them
    for (const index of [1, 2]) {
      networking.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/zama-api-platform-dev/networking/nat-gateway-${index}/id`,
        Type: 'String',
        Value: { Ref: Match.stringLikeRegexp(`^VpcpublicSubnet${index}NATGateway`) },
      });
    }
  });

  test('has no NAT gateway widget nor parameter where the profile has no NAT gateway', () => {
    // GIVEN the local profile
    // WHEN
    const template = rawTemplateOf('local', 'observability');
    // THEN
    expect(JSON.stringify(template)).not.toContain('AWS/NATGateway');
    templateOf('local', 'networking').resourceCountIs('AWS::SSM::Parameter', 0);
  });
});
