import { ArnFormat, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { apiErrorFilterPattern, kongErrorFilterPattern } from './log-patterns';
import { type PlatformNames, platformNames } from './names';
import { ALARM_KEYS, type PlatformProfile } from './profiles';

export interface ObservabilityStackProps extends StackProps {
  readonly profile: PlatformProfile;
  /**
   * SSM parameters holding the IDs of the NAT gateways whose traffic and errors the dashboard
   * shows, read when this stack deploys (the networking stack publishes them).
   * @default - no NAT gateway widget
   */
  readonly natGatewayIdParameterNames?: readonly string[];
}

/**
 * The seed's observability module: log groups, the API and Kong error metric filters,
 * the alerts topic (and, where the profile asks for it, the inbox queue subscribed to
 * it) and the dashboard. The alarms live in the compute stack: they need the load
 * balancer's and target group's generated full names, and CloudFormation references
 * cannot point from this stack to one deployed after it.
 *
 * It imports nothing: the flow log group appears on the dashboard by its name and the NAT
 * gateways by SSM parameters, so the networking stack can change either freely.
 */
export class ObservabilityStack extends Stack {
  /** Platform task logs (`/aws/ecs/<prefix>`), kept for containers other than the API. */
  public readonly ecsLogGroup: logs.ILogGroup;
  /** Where the API container's log driver writes; the API error metric filter reads it. */
  public readonly apiLogGroup: logs.ILogGroup;
  public readonly kongLogGroup: logs.ILogGroup;
  /** Sum of API log lines at level error or fatal. */
  public readonly apiErrorMetric: cloudwatch.Metric;
  public readonly kongErrorMetric: cloudwatch.Metric;
  public readonly alertsTopic: sns.ITopic;
  /** The queue that receives every alert notification, when `alerts.inbox` is set. */
  public readonly alertsInbox?: sqs.IQueue;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, {
      description: 'Zama API Platform observability: log groups, metric filters, alerts topic, dashboard',
      ...props,
    });
    const { profile } = props;
    const names = platformNames(profile.prefix);
    const removalPolicy = profile.onStackDelete === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logGroup = (id: string, logGroupName: string) =>
      new logs.LogGroup(this, id, { logGroupName, retention: profile.logRetentionDays, removalPolicy });

    this.ecsLogGroup = logGroup('EcsLogGroup', names.logGroups.ecs);
    this.apiLogGroup = logGroup('ApiLogGroup', names.logGroups.api);
    this.kongLogGroup = logGroup('KongLogGroup', names.logGroups.kong);

    this.apiErrorMetric = new logs.MetricFilter(this, 'ApiErrorsMetricFilter', {
      logGroup: this.apiLogGroup,
      filterName: `${profile.prefix}-api-errors`,
      filterPattern: apiErrorFilterPattern(),
      metricNamespace: names.metricNamespace,
      metricName: 'ApiErrorCount',
      metricValue: '1',
      // Every other line counts 0, so "no errors" and "no logs" look different.
      defaultValue: 0,
    }).metric({ statistic: cloudwatch.Stats.SUM });
    this.kongErrorMetric = new logs.MetricFilter(this, 'KongErrorsMetricFilter', {
      logGroup: this.kongLogGroup,
      filterName: `${profile.prefix}-kong-errors`,
      filterPattern: kongErrorFilterPattern(),
      metricNamespace: names.metricNamespace,
      metricName: 'KongErrorCount',
      metricValue: '1',
      defaultValue: 0,
    }).metric({ statistic: cloudwatch.Stats.SUM });

    const alertsTopic = new sns.Topic(this, 'AlertsTopic', {
      topicName: `${profile.prefix}-alerts`,
      displayName: `Zama API Platform alerts (${profile.name})`,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, so CloudWatch must be allowed explicitly.
    alertsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alertsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${profile.prefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (profile.alerts.email) {
      alertsTopic.addSubscription(new subscriptions.EmailSubscription(profile.alerts.email));
    }
    if (profile.alerts.inbox) {
      this.alertsInbox = this.createInbox(profile.prefix, alertsTopic);
    }
    this.alertsTopic = alertsTopic;

    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: profile.prefix,
      defaultInterval: Duration.hours(3),
      widgets: this.dashboardRows(names, props),
    });
  }

  /**
   * An SQS queue subscribed to the alerts topic. The subscription is the topic's inline
   * `Subscription` property, which moto's CloudFormation creates (it skips
   * `AWS::SNS::Subscription` resources); AWS and LocalStack accept both forms.
   */
  private createInbox(prefix: string, topic: sns.Topic): sqs.IQueue {
    const inbox = new sqs.Queue(this, 'AlertsInbox', {
      queueName: `${prefix}-alerts-inbox`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    inbox.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlertsTopicDelivers',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [inbox.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': topic.topicArn } },
      }),
    );
    (topic.node.defaultChild as sns.CfnTopic).subscription = [{ protocol: 'sqs', endpoint: inbox.queueArn }];
    NagSuppressions.addResourceSuppressions(inbox, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'The inbox is read by people and tests and nothing processes its messages, so none can fail.',
      },
    ]);
    return inbox;
  }

  /**
   * The compute stack is deployed after this one, so its resources and alarms appear here
   * by the names both stacks derive from the prefix; load balancer metrics go through
   * SEARCH because their dimensions carry generated IDs. Target group metrics are found by the
   * load balancer's name too (their LoadBalancer dimension): the target group's is generated.
   */
  private dashboardRows(names: PlatformNames, props: ObservabilityStackProps): cloudwatch.IWidget[][] {
    const minute = Duration.minutes(1);
    const albSearch = (dimensions: string, metricName: string, term: string, statistic: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{AWS/ApplicationELB,${dimensions}} MetricName="${metricName}" "${term}"', '${statistic}', 60)`,
        usingMetrics: {},
        label: `${metricName} (${statistic})`,
        period: minute,
      });
    const service = (
      namespace: string,
      metricName: string,
      statistic: string,
      serviceName = names.apiService,
    ) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap: { ClusterName: names.cluster, ServiceName: serviceName },
        statistic,
        period: minute,
      });
    const natGatewayIds = (props.natGatewayIdParameterNames ?? []).map((parameterName) =>
      ssm.StringParameter.valueForStringParameter(this, parameterName),
    );
    const natGateway = (metricName: string, natGatewayId: string, index: number) =>
      new cloudwatch.Metric({
        namespace: 'AWS/NATGateway',
        metricName,
        dimensionsMap: { NatGatewayId: natGatewayId },
        statistic: cloudwatch.Stats.SUM,
        period: minute,
        label: `${metricName} (NAT ${index + 1})`,
      });

    const rows: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          width: 24,
          alarms: ALARM_KEYS.map((key) =>
            cloudwatch.Alarm.fromAlarmName(this, `${key}-alarm`, names.alarm(key)),
          ),
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: 'Requests and target 5XX',
          width: 8,
          left: [
            albSearch('LoadBalancer', 'RequestCount', names.loadBalancer, 'Sum'),
            albSearch('LoadBalancer,TargetGroup', 'HTTPCode_Target_5XX_Count', names.loadBalancer, 'Sum'),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: 'Target response time (s)',
          width: 8,
          left: [
            albSearch('LoadBalancer,TargetGroup', 'TargetResponseTime', names.loadBalancer, 'Average'),
            albSearch('LoadBalancer,TargetGroup', 'TargetResponseTime', names.loadBalancer, 'Maximum'),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: 'Targets',
          width: 8,
          left: [
            albSearch('LoadBalancer,TargetGroup', 'HealthyHostCount', names.loadBalancer, 'Minimum'),
            albSearch('LoadBalancer,TargetGroup', 'UnHealthyHostCount', names.loadBalancer, 'Maximum'),
            albSearch('LoadBalancer,TargetGroup', 'TargetConnectionErrorCount', names.loadBalancer, 'Sum'),
          ],
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: 'API tasks',
          width: 8,
          left: [service('ECS/ContainerInsights', 'RunningTaskCount', cloudwatch.Stats.MINIMUM)],
        }),
        new cloudwatch.GraphWidget({
          title: 'CPU and memory (%)',
          width: 8,
          left: [
            service('AWS/ECS', 'CPUUtilization', cloudwatch.Stats.AVERAGE),
            service('AWS/ECS', 'MemoryUtilization', cloudwatch.Stats.AVERAGE),
            service('AWS/ECS', 'CPUUtilization', cloudwatch.Stats.AVERAGE, names.kongService),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: 'Error log lines',
          width: 8,
          left: [this.apiErrorMetric.with({ period: minute }), this.kongErrorMetric.with({ period: minute })],
        }),
      ],
      [
        new cloudwatch.LogQueryWidget({
          title: 'Latest API errors',
          width: 24,
          logGroupNames: [this.apiLogGroup.logGroupName],
          queryLines: [
            'fields @timestamp, level, msg, request_id',
            'filter level in ["error", "fatal"]',
            'sort @timestamp desc',
            'limit 50',
          ],
        }),
      ],
      [
        new cloudwatch.LogQueryWidget({
          title: 'Rejected connections by source (VPC flow logs)',
          width: natGatewayIds.length > 0 ? 12 : 24,
          logGroupNames: [names.logGroups.flowLogs],
          queryLines: [
            'filter action = "REJECT"',
            'stats count(*) as rejected by srcAddr, dstPort',
            'sort rejected desc',
            'limit 20',
          ],
        }),
        ...(natGatewayIds.length > 0
          ? [
              new cloudwatch.GraphWidget({
                title: 'NAT gateways',
                width: 12,
                left: natGatewayIds.map((id, i) => natGateway('BytesOutToDestination', id, i)),
                right: natGatewayIds.flatMap((id, i) => [
                  natGateway('ErrorPortAllocation', id, i),
                  natGateway('PacketsDropCount', id, i),
                ]),
              }),
            ]
          : []),
      ],
    ];
    return rows;
  }
}
