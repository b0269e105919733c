/**
 * What `deploy:local` fills in where the emulator's CloudFormation skipped or faked resources:
 * after one deploy, the emulator's own APIs show every alarm, metric filter, subscription and
 * dashboard the templates define, with the emulator's real names in their dimensions and actions; the names the
 * local data plane publishes under are the alarms' dimensions; and filling again changes nothing.
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  type MetricFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  alb,
  emulatorClients,
  fillEmulatorGaps,
  type ResourceRef,
  resolveDeployedNames,
  resourcesOfType,
  type SynthesizedStack,
  selectEmulator,
} from '@zama/localstack';
import { emulatorClientConfig } from '../src/aws';
import { deployLocal, synthesizedStacks } from '../src/cdk-app';
import { describeWithImages } from '../src/docker';
import { type RunningEmulator, startEmulator } from '../src/emulator-container';

const emulator = selectEmulator();

describeWithImages([emulator.image])(`emulator gaps filled by deploy:local (${emulator.name})`, () => {
  let running: RunningEmulator;
  let stacks: SynthesizedStack[];
  let alarms: Map<string, MetricAlarm>;
  let expectedValue: (value: unknown, where: ResourceRef) => unknown;
  let topicArn: string;

  beforeAll(async () => {
    running = await startEmulator(emulator);
    await deployLocal(running.endpoint);
    stacks = synthesizedStacks();
    alarms = await describeAlarms(running.endpoint);
    expectedValue = await independentValues(running.endpoint, stacks);
    const [topic] = resourcesOfType(stacks, 'AWS::SNS::Topic');
    topicArn = expectedValue({ Ref: topic.logicalId }, topic) as string;
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('shows every alarm of the templates, with its properties, through DescribeAlarms', () => {
    const templateAlarms = resourcesOfType(stacks, 'AWS::CloudWatch::Alarm');
    expect(templateAlarms).toHaveLength(12);
    for (const alarm of templateAlarms) {
      const properties = alarm.resource.Properties ?? {};
      const described = alarms.get(properties.AlarmName as string);
      const wanted = Object.fromEntries(
        Object.entries(properties)
          .filter(([name]) => name !== 'Tags')
          .map(([name, value]) => [name, expectedValue(value, alarm)]),
      );
      expect({
        alarm: alarm.logicalId,
        ...comparableAlarm(pick(described ?? {}, Object.keys(wanted))),
      }).toEqual({
        alarm: alarm.logicalId,
        ...comparableAlarm(wanted),
      });
    }
  });

  it('shows every metric filter of the templates through DescribeMetricFilters', async () => {
    const logs = new CloudWatchLogsClient(emulatorClientConfig(running.endpoint));
    const filters = resourcesOfType(stacks, 'AWS::Logs::MetricFilter');
    expect(filters.length).toBeGreaterThan(0);
    for (const filter of filters) {
      const properties = filter.resource.Properties ?? {};
      const logGroupName = expectedValue(properties.LogGroupName, filter) as string;
      const { metricFilters = [] } = await logs.send(new DescribeMetricFiltersCommand({ logGroupName }));
      expect(metricFilters.map(comparableFilter)).toEqual([
        {
          filterName: properties.FilterName,
          filterPattern: properties.FilterPattern,
          logGroupName,
          metricTransformations: (properties.MetricTransformations as Array<Record<string, unknown>>).map(
            (transformation) => ({
              metricName: transformation.MetricName,
              metricNamespace: transformation.MetricNamespace,
              metricValue: transformation.MetricValue,
              defaultValue: transformation.DefaultValue,
            }),
          ),
        },
      ]);
    }
  });

  it('shows the dashboard of the templates through GetDashboard, its references evaluated', async () => {
    // GIVEN the dashboard's widget titles, as literal pieces of the template's body
    const [dashboard] = resourcesOfType(stacks, 'AWS::CloudWatch::Dashboard');
    const pieces = JSON.stringify(dashboard.resource.Properties?.DashboardBody);
    const titles = [...pieces.matchAll(/\\"title\\":\\"([^\\]+)\\"/g)].map(([, title]) => title);
    const [apiLogGroup] = resourcesOfType(stacks, 'AWS::Logs::LogGroup').filter(({ logicalId }) =>
      /^ApiLogGroup/.test(logicalId),
    );

    // WHEN the emulator is asked for it
    const { DashboardBody } = await new CloudWatchClient(emulatorClientConfig(running.endpoint)).send(
      new GetDashboardCommand({ DashboardName: dashboard.resource.Properties?.DashboardName as string }),
    );

    // THEN it holds every widget, the alarms by the emulator's ARNs, the api log group by its name
    const body = JSON.parse(DashboardBody as string) as {
      widgets: Array<{ properties: { title: string; alarms?: string[]; query?: string } }>;
    };
    expect(body.widgets.map(({ properties }) => properties.title)).toEqual(titles);
    const alarmArns = body.widgets.flatMap(({ properties }) => properties.alarms ?? []);
    expect(alarmArns.sort()).toEqual([...alarms.values()].map(({ AlarmArn }) => AlarmArn).sort());
    expect(body.widgets.map(({ properties }) => properties.query ?? '').join('\n')).toContain(
      `SOURCE '${apiLogGroup.resource.Properties?.LogGroupName}'`,
    );
  });

  it('delivers a message published to the alerts topic to the inbox queue', async () => {
    const config = emulatorClientConfig(running.endpoint);
    const inbox = resourcesOfType(stacks, 'AWS::SQS::Queue').find(({ logicalId }) =>
      /AlertsInbox/.test(logicalId),
    );
    const { QueueUrl } = await new SQSClient(config).send(
      new GetQueueUrlCommand({ QueueName: inbox?.resource.Properties?.QueueName as string }),
    );

    await new SNSClient(config).send(
      new PublishCommand({ TopicArn: topicArn, Message: 'emulator-gaps e2e' }),
    );

    const { Messages = [] } = await new SQSClient(config).send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}').Message)).toContain(
      'emulator-gaps e2e',
    );
  });

  it("resolves the data plane's names to the alarms' dimensions and the metric filters", async () => {
    // WHEN the data plane resolves its names at start-up
    const names = await resolveDeployedNames(stacks, emulatorClients(emulatorClientConfig(running.endpoint)));

    // THEN every alarm dimension on the load balancer, target group, cluster and api service is one of them
    const dimensionValues = (name: string) =>
      new Set(
        [...alarms.values()]
          .flatMap((alarm) => alarm.Dimensions ?? [])
          .filter((d) => d.Name === name)
          .map((d) => d.Value),
      );
    expect(dimensionValues('LoadBalancer')).toEqual(new Set([names.loadBalancerFullName]));
    expect(dimensionValues('TargetGroup')).toEqual(new Set([names.targetGroupFullName]));
    expect(dimensionValues('ClusterName')).toEqual(new Set([names.clusterName]));
    expect(dimensionValues('ServiceName')).toContain(names.serviceName);
    // and the metric filters are the emulator's, on the api container's log group
    const logs = new CloudWatchLogsClient(emulatorClientConfig(running.endpoint));
    const { metricFilters = [] } = await logs.send(new DescribeMetricFiltersCommand({}));
    expect(names.metricFilters.map(comparableFilter).sort(byName)).toEqual(
      metricFilters.map(comparableFilter).sort(byName),
    );
    expect(names.metricFilters.map((filter) => filter.logGroupName)).toContain(names.logGroupName);
    const { QueueUrl } = await new SQSClient(emulatorClientConfig(running.endpoint)).send(
      new GetQueueUrlCommand({ QueueName: names.alertsInboxQueueUrl.split('/').pop() }),
    );
    expect(names.alertsInboxQueueUrl).toBe(QueueUrl);
  });

  it('changes nothing and creates no duplicates when the gaps are filled again', async () => {
    const config = emulatorClientConfig(running.endpoint);
    const counts = async () => ({
      alarms: (await describeAlarms(running.endpoint)).size,
      metricFilters: (await new CloudWatchLogsClient(config).send(new DescribeMetricFiltersCommand({})))
        .metricFilters?.length,
      subscriptions: (
        await new SNSClient(config).send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))
      ).Subscriptions?.length,
      dashboards: (await new CloudWatchClient(config).send(new ListDashboardsCommand({}))).DashboardEntries
        ?.length,
    });
    const before = await counts();

    // WHEN the gap filler of deploy:local runs again
    const filled = await fillEmulatorGaps(stacks, config);

    // THEN
    expect(filled.map(({ type, created, corrected }) => ({ type, created, corrected }))).toEqual(
      filled.map(({ type }) => ({ type, created: [], corrected: [] })),
    );
    expect(await counts()).toEqual(before);
    expect(before.alarms).toBe(12);
    expect(before.dashboards).toBe(1);
  });
});

async function describeAlarms(endpoint: string): Promise<Map<string, MetricAlarm>> {
  const { MetricAlarms = [] } = await new CloudWatchClient(emulatorClientConfig(endpoint)).send(
    new DescribeAlarmsCommand({}),
  );
  return new Map(MetricAlarms.map((alarm) => [alarm.AlarmName as string, alarm]));
}

/**
 * The values the template's references should have in the emulator, found without the code under
 * test: exports from ListExports; load balancer and target group full names from their ARNs (or,
 * where the emulator only deployed a placeholder, the simulated ALB's names); cluster and service
 * names from their name properties.
 */
async function independentValues(
  endpoint: string,
  stacks: readonly SynthesizedStack[],
): Promise<(value: unknown, where: ResourceRef) => unknown> {
  const cloudFormation = new CloudFormationClient(emulatorClientConfig(endpoint));
  const { Exports = [] } = await cloudFormation.send(new ListExportsCommand({}));
  const physicalIds = new Map<string, string | undefined>();
  for (const { stackName } of stacks) {
    const { StackResources = [] } = await cloudFormation.send(
      new DescribeStackResourcesCommand({ StackName: stackName }),
    );
    for (const resource of StackResources)
      physicalIds.set(`${stackName}/${resource.LogicalResourceId}`, resource.PhysicalResourceId);
  }
  const albSettings = alb.albSettingsFromStacks(stacks, alb.arnEnvironmentFrom(process.env));
  const fullName = (ref: ResourceRef, pattern: RegExp, standIn: string) =>
    pattern.exec(physicalIds.get(`${ref.stack.stackName}/${ref.logicalId}`) ?? '')?.[1] ?? standIn;

  const evaluate = (value: unknown, where: ResourceRef): unknown => {
    if (Array.isArray(value)) return value.map((item) => evaluate(item, where));
    if (typeof value !== 'object' || value === null) return value;
    const intrinsic = value as Record<string, unknown>;
    if ('Fn::ImportValue' in intrinsic)
      return Exports.find(({ Name }) => Name === intrinsic['Fn::ImportValue'])?.Value;
    const [logicalId, attribute] =
      'Ref' in intrinsic ? [intrinsic.Ref, 'Ref'] : ((intrinsic['Fn::GetAtt'] as unknown[]) ?? []);
    if (typeof logicalId === 'string') {
      const ref = {
        stack: where.stack,
        logicalId,
        resource: where.stack.template.Resources?.[logicalId],
      } as ResourceRef;
      const properties = ref.resource?.Properties ?? {};
      switch (`${ref.resource?.Type}.${attribute}`) {
        case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerFullName':
          return fullName(ref, /:loadbalancer\/(app\/.+)$/, albSettings.loadBalancer.fullName);
        case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupFullName':
          return fullName(
            ref,
            /:(targetgroup\/.+)$/,
            `targetgroup/${albSettings.targetGroup.arn.split(':targetgroup/')[1]}`,
          );
        case 'AWS::ECS::Cluster.Ref':
          return properties.ClusterName;
        case 'AWS::ECS::Service.Name':
          return properties.ServiceName;
        case 'AWS::Logs::LogGroup.Ref':
          return properties.LogGroupName;
        case 'AWS::SNS::Topic.Ref':
          return physicalIds.get(`${ref.stack.stackName}/${logicalId}`);
      }
    }
    return Object.fromEntries(Object.entries(intrinsic).map(([key, item]) => [key, evaluate(item, where)]));
  };
  return evaluate;
}

function pick(object: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, (object as Record<string, unknown>)[key]]));
}

/** An alarm with its dimensions in name order, which carries no meaning. */
function comparableAlarm(alarm: Record<string, unknown>): Record<string, unknown> {
  const dimensions = alarm.Dimensions as Array<{ Name: string }> | undefined;
  return dimensions
    ? { ...alarm, Dimensions: [...dimensions].sort((a, b) => a.Name.localeCompare(b.Name)) }
    : alarm;
}

function byName(a: { filterName?: string }, b: { filterName?: string }): number {
  return (a.filterName ?? '').localeCompare(b.filterName ?? '');
}

function comparableFilter({ filterName, filterPattern, logGroupName, metricTransformations }: MetricFilter) {
  return { filterName, filterPattern, logGroupName, metricTransformations };
}
