/**
 * The names the local data plane publishes under, resolved at start-up from the cloud assembly
 * and the emulator the way `deploy:local` resolves the alarms it creates there (both go through
 * `DeployedValues`), so that every datapoint lands on the metric an alarm watches.
 */
import type { MetricTransformation } from '@aws-sdk/client-cloudwatch-logs';
import {
  CloudAssemblyError,
  describeResource,
  RESYNTH,
  type ResourceRef,
  resolveReference,
  resourcesOfType,
  type SynthesizedStack,
  sameResource,
} from './cloud-assembly';
import { DeployedValues, type DeploymentClients, readDeployment } from './deployed-values';

export interface DeployedNames {
  /** `app/<name>/<id>`: the `LoadBalancer` dimension of AWS/ApplicationELB. */
  readonly loadBalancerFullName: string;
  /** `targetgroup/<name>/<id>`: the `TargetGroup` dimension of AWS/ApplicationELB. */
  readonly targetGroupFullName: string;
  /** The `ClusterName` dimension of AWS/ECS and ECS/ContainerInsights. */
  readonly clusterName: string;
  /** The `ServiceName` dimension of AWS/ECS and ECS/ContainerInsights. */
  readonly serviceName: string;
  /** The api task definition's `cpu`, in CPU units (1024 = 1 vCPU). */
  readonly cpu: number;
  /** The api task definition's `memory`, in MiB. */
  readonly memoryMiB: number;
  /** The api container's `awslogs-group`. */
  readonly logGroupName: string;
  /** The api container's `awslogs-stream-prefix`. */
  readonly streamPrefix: string;
  /** The api container's name: the middle part of its log stream names. */
  readonly containerName: string;
  readonly metricFilters: readonly TemplateMetricFilter[];
  /** The queue subscribed to the topic the alarms notify, as the emulator's GetQueueUrl returns it. */
  readonly alertsInboxQueueUrl: string;
}

/** An `AWS::Logs::MetricFilter` as PutMetricFilter takes it and DescribeMetricFilters returns it. */
export interface TemplateMetricFilter {
  readonly filterName: string;
  readonly filterPattern: string;
  readonly logGroupName: string;
  readonly metricTransformations: MetricTransformation[];
}

/** An SNS subscription the templates define, inline in a topic or as `AWS::SNS::Subscription`. */
export interface TemplateSubscription {
  /** Where the templates define it, for messages. */
  readonly source: string;
  readonly stack: SynthesizedStack;
  /** The template values, unevaluated. */
  readonly topicArn: unknown;
  readonly protocol: unknown;
  readonly endpoint: unknown;
  /** Subscription attributes (`RawMessageDelivery`, `FilterPolicy`, ...), unevaluated. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

const SUBSCRIPTION_ATTRIBUTES = [
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'ReplayPolicy',
  'SubscriptionRoleArn',
] as const;

/** Resolves the platform's names against the emulator the stacks were deployed into. */
export async function resolveDeployedNames(
  stacks: readonly SynthesizedStack[],
  clients: DeploymentClients,
): Promise<DeployedNames> {
  return deployedNamesFrom(stacks, new DeployedValues(await readDeployment(stacks, clients)));
}

/** The platform's names, from the templates evaluated against a deployment. */
export function deployedNamesFrom(
  stacks: readonly SynthesizedStack[],
  values: DeployedValues,
): DeployedNames {
  const loadBalancer = theOnly(
    resourcesOfType(stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
    'load balancer',
  );
  const services = resourcesOfType(stacks, 'AWS::ECS::Service').filter(
    (service) => loadBalancerMappings(service).length > 0,
  );
  const service = theOnly(services, 'ECS service behind a load balancer');
  const mapping = theOnly(
    loadBalancerMappings(service),
    `load balancer mapping of ${describeResource(service)}`,
  );
  const targetGroup = referenced(
    mapping.TargetGroupArn,
    service,
    'AWS::ElasticLoadBalancingV2::TargetGroup',
    stacks,
  );
  const taskDefinition = referenced(
    service.resource.Properties?.TaskDefinition,
    service,
    'AWS::ECS::TaskDefinition',
    stacks,
  );
  const containerName = String(mapping.ContainerName);
  const container = containerDefinitions(taskDefinition).find(
    (definition) => definition.Name === containerName,
  );
  if (!container) {
    throw new CloudAssemblyError(
      `${describeResource(taskDefinition)} has no container ${containerName}: ${RESYNTH}`,
    );
  }
  const logging = container.LogConfiguration;
  if (logging?.LogDriver !== 'awslogs' || !logging.Options) {
    throw new CloudAssemblyError(
      `${describeResource(taskDefinition)} container ${containerName} does not log with awslogs: ${RESYNTH}`,
    );
  }
  const where = `${taskDefinition.logicalId}.ContainerDefinitions[${containerName}].LogConfiguration.Options`;
  const option = (name: string) =>
    values.resolveText(logging.Options?.[name], taskDefinition.stack, `${where}.${name}`);

  return {
    loadBalancerFullName: values.attribute(loadBalancer, 'LoadBalancerFullName'),
    targetGroupFullName: values.attribute(targetGroup, 'TargetGroupFullName'),
    clusterName: values.text(service, 'Cluster'),
    serviceName: values.attribute(service, 'Name'),
    cpu: positiveNumber(values.text(taskDefinition, 'Cpu'), taskDefinition, 'Cpu'),
    memoryMiB: positiveNumber(values.text(taskDefinition, 'Memory'), taskDefinition, 'Memory'),
    logGroupName: option('awslogs-group'),
    streamPrefix: option('awslogs-stream-prefix'),
    containerName,
    metricFilters: metricFiltersOf(stacks, values),
    alertsInboxQueueUrl: values.attribute(alertsInbox(stacks), 'QueueUrl'),
  };
}

/** Every `AWS::Logs::MetricFilter` of the templates, evaluated. */
export function metricFiltersOf(
  stacks: readonly SynthesizedStack[],
  values: DeployedValues,
): TemplateMetricFilter[] {
  return resourcesOfType(stacks, 'AWS::Logs::MetricFilter').map((filter) => {
    const filterName = filter.resource.Properties?.FilterName;
    if (typeof filterName !== 'string') {
      throw new CloudAssemblyError(
        `${describeResource(filter)}: a metric filter needs a literal FilterName to be created outside CloudFormation`,
      );
    }
    const transformations = values.property(filter, 'MetricTransformations');
    if (!Array.isArray(transformations)) {
      throw new CloudAssemblyError(`${describeResource(filter)} has no MetricTransformations: ${RESYNTH}`);
    }
    return {
      filterName,
      filterPattern: values.text(filter, 'FilterPattern'),
      logGroupName: values.text(filter, 'LogGroupName'),
      metricTransformations: transformations.map(
        (transformation: Record<string, unknown>): MetricTransformation => ({
          metricName: String(transformation.MetricName),
          metricNamespace: String(transformation.MetricNamespace),
          metricValue: String(transformation.MetricValue),
          ...(transformation.DefaultValue !== undefined && {
            defaultValue: Number(transformation.DefaultValue),
          }),
          ...(transformation.Unit !== undefined && {
            unit: transformation.Unit as MetricTransformation['unit'],
          }),
          ...(Array.isArray(transformation.Dimensions) && {
            dimensions: Object.fromEntries(
              transformation.Dimensions.map((dimension: { Key: unknown; Value: unknown }) => [
                String(dimension.Key),
                String(dimension.Value),
              ]),
            ),
          }),
        }),
      ),
    };
  });
}

/** The subscriptions of the templates: topics' inline `Subscription` and `AWS::SNS::Subscription` resources. */
export function subscriptionsOf(stacks: readonly SynthesizedStack[]): TemplateSubscription[] {
  const inline = resourcesOfType(stacks, 'AWS::SNS::Topic').flatMap((topic) => {
    const entries = topic.resource.Properties?.Subscription;
    return (Array.isArray(entries) ? entries : []).map(
      (entry: { Protocol?: unknown; Endpoint?: unknown }, index): TemplateSubscription => ({
        source: `${describeResource(topic)}.Subscription[${index}]`,
        stack: topic.stack,
        topicArn: { Ref: topic.logicalId },
        protocol: entry.Protocol,
        endpoint: entry.Endpoint,
        attributes: {},
      }),
    );
  });
  const resources = resourcesOfType(stacks, 'AWS::SNS::Subscription').map(
    (subscription): TemplateSubscription => {
      const properties = subscription.resource.Properties ?? {};
      return {
        source: describeResource(subscription),
        stack: subscription.stack,
        topicArn: properties.TopicArn,
        protocol: properties.Protocol,
        endpoint: properties.Endpoint,
        attributes: Object.fromEntries(
          SUBSCRIPTION_ATTRIBUTES.filter((name) => properties[name] !== undefined).map((name) => [
            name,
            properties[name],
          ]),
        ),
      };
    },
  );
  return [...inline, ...resources];
}

/** The SQS queue subscribed to a topic that the alarms notify. */
function alertsInbox(stacks: readonly SynthesizedStack[]): ResourceRef {
  const alarmTopics = resourcesOfType(stacks, 'AWS::CloudWatch::Alarm').flatMap((alarm) =>
    ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((key) => {
      const actions = alarm.resource.Properties?.[key];
      return (Array.isArray(actions) ? actions : []).flatMap(
        (action) => resolveReference(action, alarm.stack, stacks) ?? [],
      );
    }),
  );
  const inboxes = subscriptionsOf(stacks)
    .filter((subscription) => subscription.protocol === 'sqs')
    .filter((subscription) => {
      const topic = resolveReference(subscription.topicArn, subscription.stack, stacks);
      return topic !== undefined && alarmTopics.some((alarmTopic) => sameResource(alarmTopic, topic));
    })
    .flatMap((subscription) => resolveReference(subscription.endpoint, subscription.stack, stacks) ?? []);
  const unique = inboxes.filter(
    (inbox, index) => inboxes.findIndex((other) => sameResource(other, inbox)) === index,
  );
  return theOnly(
    unique,
    'SQS queue subscribed to the topic the alarms notify (the local profile sets alerts.inbox)',
  );
}

interface LoadBalancerMapping {
  readonly ContainerName?: unknown;
  readonly TargetGroupArn?: unknown;
}

function loadBalancerMappings(service: ResourceRef): LoadBalancerMapping[] {
  const mappings = service.resource.Properties?.LoadBalancers;
  return Array.isArray(mappings) ? mappings.filter((mapping) => mapping?.TargetGroupArn !== undefined) : [];
}

interface ContainerDefinition {
  readonly Name?: unknown;
  readonly LogConfiguration?: { readonly LogDriver?: unknown; readonly Options?: Record<string, unknown> };
}

function containerDefinitions(taskDefinition: ResourceRef): ContainerDefinition[] {
  const definitions = taskDefinition.resource.Properties?.ContainerDefinitions;
  return Array.isArray(definitions) ? definitions : [];
}

function referenced(
  value: unknown,
  from: ResourceRef,
  type: string,
  stacks: readonly SynthesizedStack[],
): ResourceRef {
  const target = resolveReference(value, from.stack, stacks);
  if (target?.resource.Type !== type) {
    throw new CloudAssemblyError(
      `${describeResource(from)} refers to ${JSON.stringify(value)}, which is not an ${type} of the cloud assembly: ${RESYNTH}`,
    );
  }
  return target;
}

function theOnly<T>(candidates: readonly T[], what: string): T {
  if (candidates.length !== 1) {
    throw new CloudAssemblyError(
      `Expected one ${what} in the cloud assembly, found ${candidates.length}: ${RESYNTH}`,
    );
  }
  return candidates[0];
}

function positiveNumber(text: string, ref: ResourceRef, property: string): number {
  const value = Number(text);
  if (!(value > 0)) {
    throw new CloudAssemblyError(
      `${describeResource(ref)} ${property} is ${JSON.stringify(text)}, not a positive number: ${RESYNTH}`,
    );
  }
  return value;
}
