import { CloudAssemblyError, type SynthesizedStack } from '../src/cloud-assembly';
import { deployedNamesFrom, metricFiltersOf, subscriptionsOf } from '../src/deployed-names';
import { type DeployedResource, DeployedValues, type Deployment } from '../src/deployed-values';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const TOPIC_EXPORT = 'zama-observability:ExportsOutputRefAlertsTopic';
const LOG_GROUP_EXPORT = 'zama-observability:ExportsOutputRefApiLogGroup';

/** The observability stack's shape: log group, metric filter, alerts topic with its inbox. */
function observability(extra: Resources = {}): SynthesizedStack {
  return {
    stackName: 'zama-observability',
    template: {
      Resources: {
        ApiLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/ecs/zama/api' } },
        ApiErrors: {
          Type: 'AWS::Logs::MetricFilter',
          Properties: {
            FilterName: 'zama-api-errors',
            FilterPattern: '{ $.level = "error" }',
            LogGroupName: { Ref: 'ApiLogGroup' },
            MetricTransformations: [
              { MetricName: 'ApiErrorCount', MetricNamespace: 'zama', MetricValue: '1', DefaultValue: 0 },
            ],
          },
        },
        AlertsTopic: {
          Type: 'AWS::SNS::Topic',
          Properties: {
            TopicName: 'zama-alerts',
            Subscription: [{ Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['AlertsInbox', 'Arn'] } }],
          },
        },
        AlertsInbox: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'zama-alerts-inbox' } },
        ...extra,
      },
      Outputs: {
        TopicExport: { Value: { Ref: 'AlertsTopic' }, Export: { Name: TOPIC_EXPORT } },
        LogGroupExport: { Value: { Ref: 'ApiLogGroup' }, Export: { Name: LOG_GROUP_EXPORT } },
      },
    },
  };
}

const apiContainer = {
  Name: 'api',
  LogConfiguration: {
    LogDriver: 'awslogs',
    Options: { 'awslogs-group': { 'Fn::ImportValue': LOG_GROUP_EXPORT }, 'awslogs-stream-prefix': 'api' },
  },
};

/** The compute stack's shape: load balancer, target group, cluster, api service and one alarm. */
function compute(overrides: Resources = {}): SynthesizedStack {
  return {
    stackName: 'zama-compute',
    template: {
      Resources: {
        Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Name: 'zama-alb' } },
        Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Name: 'zama-api-tg' } },
        Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'zama' } },
        TaskDefinition: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { Cpu: '256', Memory: '512', ContainerDefinitions: [apiContainer] },
        },
        Service: {
          Type: 'AWS::ECS::Service',
          Properties: {
            Cluster: { Ref: 'Cluster' },
            TaskDefinition: { Ref: 'TaskDefinition' },
            LoadBalancers: [{ ContainerName: 'api', ContainerPort: 8080, TargetGroupArn: { Ref: 'Tg' } }],
          },
        },
        NoHealthyTargets: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: 'zama-no-healthy-targets',
            AlarmActions: [{ 'Fn::ImportValue': TOPIC_EXPORT }],
          },
        },
        ...overrides,
      },
    },
  };
}

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:zama-alerts';
const INBOX_URL = 'http://127.0.0.1:5000/123456789012/zama-alerts-inbox';

/** What moto reports once the two stacks are deployed. */
function deployment(): Deployment {
  const resources = (entries: Record<string, DeployedResource>) => new Map(Object.entries(entries));
  return {
    account: '123456789012',
    region: 'us-east-1',
    resources: new Map([
      [
        'zama-observability',
        resources({
          ApiLogGroup: { ref: '/aws/ecs/zama/api', attributes: {} },
          AlertsTopic: { ref: TOPIC_ARN, attributes: { TopicArn: TOPIC_ARN } },
          AlertsInbox: {
            ref: 'https://sqs.us-east-1.amazonaws.com/123456789012/zama-alerts-inbox',
            attributes: { Arn: 'arn:aws:sqs:us-east-1:123456789012:zama-alerts-inbox', QueueUrl: INBOX_URL },
          },
        }),
      ],
      [
        'zama-compute',
        resources({
          Lb: { ref: 'arn:lb', attributes: { LoadBalancerFullName: 'app/zama-alb/50dc6c495c0c9188' } },
          Tg: {
            ref: 'arn:tg',
            attributes: { TargetGroupFullName: 'targetgroup/zama-api-tg/73e2d6bc24d8a067' },
          },
          Cluster: { ref: 'zama', attributes: {} },
          TaskDefinition: {
            ref: 'arn:aws:ecs:us-east-1:123456789012:task-definition/zama-api:1',
            attributes: {},
          },
          Service: { ref: 'arn:service', attributes: { Name: 'zama-api' } },
        }),
      ],
    ]),
    exports: new Map([
      [TOPIC_EXPORT, TOPIC_ARN],
      [LOG_GROUP_EXPORT, '/aws/ecs/zama/api'],
    ]),
  };
}

function namesOf(stacks: SynthesizedStack[]) {
  return deployedNamesFrom(stacks, new DeployedValues(deployment()));
}

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CloudAssemblyError);
    return error as Error;
  }
  throw new Error('expected a CloudAssemblyError');
}

describe('deployedNamesFrom', () => {
  it('resolves every name the data plane publishes under from the templates and the emulator', () => {
    // GIVEN the two stacks as deployed into moto
    // WHEN
    const names = namesOf([observability(), compute()]);

    // THEN dimensions, task size, log settings, metric filters and inbox are the deployed ones
    expect(names).toEqual({
      loadBalancerFullName: 'app/zama-alb/50dc6c495c0c9188',
      targetGroupFullName: 'targetgroup/zama-api-tg/73e2d6bc24d8a067',
      clusterName: 'zama',
      serviceName: 'zama-api',
      cpu: 256,
      memoryMiB: 512,
      logGroupName: '/aws/ecs/zama/api',
      streamPrefix: 'api',
      containerName: 'api',
      metricFilters: [
        {
          filterName: 'zama-api-errors',
          filterPattern: '{ $.level = "error" }',
          logGroupName: '/aws/ecs/zama/api',
          metricTransformations: [
            { metricName: 'ApiErrorCount', metricNamespace: 'zama', metricValue: '1', defaultValue: 0 },
          ],
        },
      ],
      alertsInboxQueueUrl: INBOX_URL,
    });
  });

  it.each<[string, SynthesizedStack[], RegExp]>([
    [
      'no queue subscribed to the topic the alarms notify',
      [
        observability({ AlertsTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'zama-alerts' } } }),
        compute(),
      ],
      /Expected one SQS queue subscribed to the topic the alarms notify.*found 0: run `make synth`/,
    ],
    [
      'a container that does not log with awslogs',
      [
        observability(),
        compute({
          TaskDefinition: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: { Cpu: '256', Memory: '512', ContainerDefinitions: [{ Name: 'api' }] },
          },
        }),
      ],
      /zama-compute\/TaskDefinition container api does not log with awslogs/,
    ],
    [
      'a service mapped to a container the task definition lacks',
      [
        observability(),
        compute({
          TaskDefinition: {
            Type: 'AWS::ECS::TaskDefinition',
            Properties: {
              Cpu: '256',
              Memory: '512',
              ContainerDefinitions: [{ ...apiContainer, Name: 'web' }],
            },
          },
        }),
      ],
      /zama-compute\/TaskDefinition has no container api/,
    ],
    [
      'no load balancer',
      [observability(), compute({ Lb: { Type: 'AWS::S3::Bucket' } })],
      /Expected one load balancer in the cloud assembly, found 0/,
    ],
  ])('says what is wrong with the cloud assembly: %s', (_, stacks, message) => {
    expect(errorOf(() => namesOf(stacks)).message).toMatch(message);
  });
});

describe('metricFiltersOf', () => {
  it('maps every metric transformation property to the API shape', () => {
    // GIVEN a filter with dimensions and a unit instead of a default value
    const stack = observability({
      Latency: {
        Type: 'AWS::Logs::MetricFilter',
        Properties: {
          FilterName: 'zama-latency',
          FilterPattern: '{ $.latency_ms > 0 }',
          LogGroupName: '/aws/ecs/zama/api',
          MetricTransformations: [
            {
              MetricName: 'Latency',
              MetricNamespace: 'zama',
              MetricValue: '$.latency_ms',
              Unit: 'Milliseconds',
              Dimensions: [{ Key: 'Route', Value: '$.route' }],
            },
          ],
        },
      },
    });

    // WHEN
    const filters = metricFiltersOf([stack], new DeployedValues(deployment()));

    // THEN
    expect(filters[1]).toEqual({
      filterName: 'zama-latency',
      filterPattern: '{ $.latency_ms > 0 }',
      logGroupName: '/aws/ecs/zama/api',
      metricTransformations: [
        {
          metricName: 'Latency',
          metricNamespace: 'zama',
          metricValue: '$.latency_ms',
          unit: 'Milliseconds',
          dimensions: { Route: '$.route' },
        },
      ],
    });
  });

  it('refuses a filter without a literal name, which could not be found again', () => {
    const stack = observability({
      Unnamed: {
        Type: 'AWS::Logs::MetricFilter',
        Properties: { FilterPattern: 'ERROR', LogGroupName: '/x', MetricTransformations: [] },
      },
    });
    expect(errorOf(() => metricFiltersOf([stack], new DeployedValues(deployment()))).message).toMatch(
      /zama-observability\/Unnamed: a metric filter needs a literal FilterName/,
    );
  });
});

describe('subscriptionsOf', () => {
  it("lists topics' inline subscriptions and subscription resources with their attributes", () => {
    // GIVEN the inline inbox subscription and an e-mail subscription resource
    const stack = observability({
      Email: {
        Type: 'AWS::SNS::Subscription',
        Properties: {
          TopicArn: { Ref: 'AlertsTopic' },
          Protocol: 'email',
          Endpoint: 'alerts@example.com',
          FilterPolicy: { severity: ['critical'] },
        },
      },
    });

    // WHEN
    const subscriptions = subscriptionsOf([stack]).map(({ stack: _, ...subscription }) => subscription);

    // THEN
    expect(subscriptions).toEqual([
      {
        source: 'zama-observability/AlertsTopic.Subscription[0]',
        topicArn: { Ref: 'AlertsTopic' },
        protocol: 'sqs',
        endpoint: { 'Fn::GetAtt': ['AlertsInbox', 'Arn'] },
        attributes: {},
      },
      {
        source: 'zama-observability/Email',
        topicArn: { Ref: 'AlertsTopic' },
        protocol: 'email',
        endpoint: 'alerts@example.com',
        attributes: { FilterPolicy: { severity: ['critical'] } },
      },
    ]);
  });
});
