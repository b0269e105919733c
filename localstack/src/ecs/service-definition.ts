/**
 * What the local ECS service scheduler honours, read from the synthesized compute stack: the
 * service's deployment configuration and grace period, its task definition's container health
 * check, its Cloud Map name, the scalable target and its target-tracking policies.
 *
 * A setting the scheduler cannot honour stops it at start-up with one line naming the setting.
 */
import { LOCAL_ALARM_PERIOD_METADATA } from '@zama/infra';
import {
  CloudAssemblyError,
  describeResource,
  RESYNTH,
  type ResourceRef,
  resolveReference,
  resourcesOfType,
  type SynthesizedStack,
  sameResource,
} from '../cloud-assembly';

/** ECS's predefined metrics for a service, with the AWS/ECS metric each one stands for. */
export const PREDEFINED_METRICS = {
  ECSServiceAverageCPUUtilization: 'CPUUtilization',
  ECSServiceAverageMemoryUtilization: 'MemoryUtilization',
} as const;
export type PredefinedMetricType = keyof typeof PREDEFINED_METRICS;

export interface TargetTrackingPolicy {
  readonly policyName: string;
  readonly metricType: PredefinedMetricType;
  readonly targetValue: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
  readonly disableScaleIn: boolean;
  /** The period of its AlarmHigh and AlarmLow alarms (60 s on AWS). */
  readonly alarmPeriodSeconds: number;
}

export interface ContainerHealthCheck {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

export interface ServiceDefinition {
  readonly serviceName: string;
  /** `DeploymentConfiguration.MinimumHealthyPercent`. */
  readonly minimumHealthyPercent: number;
  /** `DeploymentConfiguration.MaximumPercent`. */
  readonly maximumPercent: number;
  /** `HealthCheckGracePeriodSeconds`: how long after a task starts its failed health checks are ignored. */
  readonly healthCheckGracePeriodSeconds: number;
  /** The essential container's health check; ECS stops a task whose check reports unhealthy. */
  readonly containerHealthCheck?: ContainerHealthCheck;
  /** `api.<namespace>`: the A records of the service's Cloud Map service. */
  readonly discoveryName?: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly policies: readonly TargetTrackingPolicy[];
}

/** Application Auto Scaling's target-tracking alarms have one-minute periods for ECS metrics. */
const AWS_ALARM_PERIOD_SECONDS = 60;

export class ServiceDefinitionError extends CloudAssemblyError {
  override readonly name = 'ServiceDefinitionError';
}

/** The one ECS service of the stacks, as the scheduler runs it. */
export function readServiceDefinition(stacks: readonly SynthesizedStack[]): ServiceDefinition {
  const services = resourcesOfType(stacks, 'AWS::ECS::Service');
  if (services.length !== 1) {
    throw new ServiceDefinitionError(
      `the local scheduler runs one ECS service and the templates define ${services.length}: ${RESYNTH}`,
    );
  }
  const [service] = services as [ResourceRef];
  const where = describeResource(service);
  const properties = service.resource.Properties ?? {};
  const deployment = (properties.DeploymentConfiguration ?? {}) as Record<string, unknown>;
  // ECS's defaults for a REPLICA service with the rolling update deployment type.
  const minimumHealthyPercent = wholeNumber(
    deployment.MinimumHealthyPercent ?? 100,
    `${where} MinimumHealthyPercent`,
  );
  const maximumPercent = wholeNumber(deployment.MaximumPercent ?? 200, `${where} MaximumPercent`);
  if (minimumHealthyPercent > 100) {
    throw new ServiceDefinitionError(
      `${where} MinimumHealthyPercent ${minimumHealthyPercent}: ECS accepts 0-100`,
    );
  }
  if (maximumPercent < 100 || maximumPercent <= minimumHealthyPercent) {
    throw new ServiceDefinitionError(
      `${where} MaximumPercent ${maximumPercent}: the scheduler needs at least 100 and more than MinimumHealthyPercent (${minimumHealthyPercent}) to replace a task`,
    );
  }
  const grace = wholeNumber(
    properties.HealthCheckGracePeriodSeconds ?? 0,
    `${where} HealthCheckGracePeriodSeconds`,
  );

  const target = scalableTargetOf(service, stacks);
  const minCapacity = wholeNumber(
    target.resource.Properties?.MinCapacity,
    `${describeResource(target)} MinCapacity`,
  );
  const maxCapacity = wholeNumber(
    target.resource.Properties?.MaxCapacity,
    `${describeResource(target)} MaxCapacity`,
  );
  // RegisterScalableTarget's own answer to these.
  if (minCapacity > maxCapacity) {
    throw new ServiceDefinitionError(
      `${describeResource(target)}: ValidationException: Minimum capacity cannot be greater than maximum capacity (${minCapacity} > ${maxCapacity})`,
    );
  }
  if (minCapacity < 1) {
    throw new ServiceDefinitionError(
      `${describeResource(target)} MinCapacity 0: target tracking on a service's average CPU or memory cannot scale out from zero tasks, which publish no metric; set minCount to 1 or more`,
    );
  }

  return {
    serviceName: String(properties.ServiceName ?? service.logicalId),
    minimumHealthyPercent,
    maximumPercent,
    healthCheckGracePeriodSeconds: grace,
    containerHealthCheck: containerHealthCheckOf(service, stacks),
    discoveryName: discoveryNameOf(service, stacks),
    minCapacity,
    maxCapacity,
    policies: resourcesOfType(stacks, 'AWS::ApplicationAutoScaling::ScalingPolicy')
      .filter((policy) =>
        sameResource(
          resolveReference(policy.resource.Properties?.ScalingTargetId, policy.stack, stacks),
          target,
        ),
      )
      .map(targetTrackingPolicyOf),
  };
}

function scalableTargetOf(service: ResourceRef, stacks: readonly SynthesizedStack[]): ResourceRef {
  const targets = resourcesOfType(stacks, 'AWS::ApplicationAutoScaling::ScalableTarget').filter(
    (target) =>
      target.resource.Properties?.ScalableDimension === 'ecs:service:DesiredCount' &&
      JSON.stringify(target.resource.Properties?.ResourceId ?? '').includes(`"${service.logicalId}"`),
  );
  if (targets.length !== 1) {
    throw new ServiceDefinitionError(
      `${describeResource(service)} needs one scalable target of ecs:service:DesiredCount, the templates have ${targets.length}: ${RESYNTH}`,
    );
  }
  return targets[0] as ResourceRef;
}

function targetTrackingPolicyOf(policy: ResourceRef): TargetTrackingPolicy {
  const where = describeResource(policy);
  const properties = policy.resource.Properties ?? {};
  if (properties.PolicyType !== 'TargetTrackingScaling') {
    throw new ServiceDefinitionError(
      `${where} PolicyType ${JSON.stringify(properties.PolicyType)}: the local scheduler runs TargetTrackingScaling policies only`,
    );
  }
  const configuration = (properties.TargetTrackingScalingPolicyConfiguration ?? {}) as Record<
    string,
    unknown
  >;
  const metricType = (configuration.PredefinedMetricSpecification as Record<string, unknown> | undefined)
    ?.PredefinedMetricType;
  if (typeof metricType !== 'string' || !(metricType in PREDEFINED_METRICS)) {
    throw new ServiceDefinitionError(
      `${where} ${configuration.CustomizedMetricSpecification ? 'CustomizedMetricSpecification' : `PredefinedMetricType ${JSON.stringify(metricType)}`}: the local scheduler tracks ${Object.keys(PREDEFINED_METRICS).join(' and ')} only`,
    );
  }
  const targetValue = Number(configuration.TargetValue);
  if (!(targetValue > 0 && targetValue <= 100)) {
    throw new ServiceDefinitionError(
      `${where} TargetValue ${configuration.TargetValue}: a utilization in (0, 100]`,
    );
  }
  const period = policy.resource.Metadata?.[LOCAL_ALARM_PERIOD_METADATA] ?? AWS_ALARM_PERIOD_SECONDS;
  if (![10, 30].includes(Number(period)) && !(Number(period) >= 60 && Number(period) % 60 === 0)) {
    throw new ServiceDefinitionError(
      `${where} metadata ${LOCAL_ALARM_PERIOD_METADATA} ${JSON.stringify(period)}: 10, 30 or a multiple of 60`,
    );
  }
  return {
    policyName: String(properties.PolicyName ?? policy.logicalId),
    metricType: metricType as PredefinedMetricType,
    targetValue,
    // Application Auto Scaling's defaults for ECS: 300 s both ways.
    scaleOutCooldownSeconds: wholeNumber(configuration.ScaleOutCooldown ?? 300, `${where} ScaleOutCooldown`),
    scaleInCooldownSeconds: wholeNumber(configuration.ScaleInCooldown ?? 300, `${where} ScaleInCooldown`),
    disableScaleIn: configuration.DisableScaleIn === true || configuration.DisableScaleIn === 'true',
    alarmPeriodSeconds: Number(period),
  };
}

function containerHealthCheckOf(
  service: ResourceRef,
  stacks: readonly SynthesizedStack[],
): ContainerHealthCheck | undefined {
  const taskDefinition = resolveReference(service.resource.Properties?.TaskDefinition, service.stack, stacks);
  const containers = (taskDefinition?.resource.Properties?.ContainerDefinitions ?? []) as Array<
    Record<string, unknown>
  >;
  const essential = containers.filter((container) => container.Essential !== false);
  const check = essential.find((container) => container.HealthCheck)?.HealthCheck as
    | Record<string, unknown>
    | undefined;
  if (!check) return undefined;
  const where = `${taskDefinition ? describeResource(taskDefinition) : 'the task definition'} HealthCheck`;
  // The task definition's defaults: 30 s interval, 5 s timeout, 3 retries, no start period.
  return {
    intervalSeconds: wholeNumber(check.Interval ?? 30, `${where} Interval`),
    timeoutSeconds: wholeNumber(check.Timeout ?? 5, `${where} Timeout`),
    retries: wholeNumber(check.Retries ?? 3, `${where} Retries`),
    startPeriodSeconds: wholeNumber(check.StartPeriod ?? 0, `${where} StartPeriod`),
  };
}

function discoveryNameOf(service: ResourceRef, stacks: readonly SynthesizedStack[]): string | undefined {
  const registries = (service.resource.Properties?.ServiceRegistries ?? []) as Array<Record<string, unknown>>;
  const discovery = resourcesOfType(stacks, 'AWS::ServiceDiscovery::Service').find((candidate) =>
    registries.some((registry) =>
      JSON.stringify(registry.RegistryArn ?? '').includes(`"${candidate.logicalId}"`),
    ),
  );
  if (!discovery) return undefined;
  const namespace = resolveReference(
    discovery.resource.Properties?.NamespaceId ??
      (discovery.resource.Properties?.DnsConfig as Record<string, unknown>)?.NamespaceId,
    discovery.stack,
    stacks,
  );
  const namespaceName = namespace?.resource.Properties?.Name;
  const name = discovery.resource.Properties?.Name;
  return typeof name === 'string' && typeof namespaceName === 'string'
    ? `${name}.${namespaceName}`
    : undefined;
}

function wholeNumber(value: unknown, setting: string): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    throw new ServiceDefinitionError(
      `${setting} ${JSON.stringify(value)}: the scheduler needs a whole number`,
    );
  }
  return number;
}
