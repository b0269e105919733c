/**
 * The scheduler reads what it honours from the synthesized compute stack, and refuses at
 * start-up, in one line naming the setting, what it cannot honour.
 */
import type { CfnTemplate } from '@zama/infra';
import { readCloudAssembly, type SynthesizedStack } from '../../src/cloud-assembly';
import { readServiceDefinition, ServiceDefinitionError } from '../../src/ecs/service-definition';
import { assemblyDirOf } from '../templates';

const stacksOf = (profile: 'local' | 'dev') => readCloudAssembly(assemblyDirOf(profile));

/** The stacks with one resource's properties (or metadata) changed. */
function changed(
  stacks: SynthesizedStack[],
  type: string,
  change: (resource: { Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }) => void,
  which = 0,
): SynthesizedStack[] {
  const copy = JSON.parse(JSON.stringify(stacks)) as SynthesizedStack[];
  const found = copy.flatMap((stack) =>
    Object.values((stack.template as CfnTemplate).Resources).filter((resource) => resource.Type === type),
  );
  change(found[which] as never);
  return copy;
}

describe('readServiceDefinition', () => {
  it('reads the local profile: 100/200 %, the grace period, 2 to 3 tasks, two policies with local periods', () => {
    // GIVEN the local cloud assembly
    // WHEN
    const definition = readServiceDefinition(stacksOf('local'));
    // THEN
    expect(definition).toMatchObject({
      serviceName: 'zama-api-platform-local-api',
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      healthCheckGracePeriodSeconds: 5,
      containerHealthCheck: { intervalSeconds: 5, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 5 },
      discoveryName: 'api.zama-api-platform-local.local',
      minCapacity: 2,
      maxCapacity: 3,
    });
    expect(
      definition.policies
        .map(
          ({
            metricType,
            targetValue,
            scaleOutCooldownSeconds,
            scaleInCooldownSeconds,
            alarmPeriodSeconds,
          }) => ({
            metricType,
            targetValue,
            scaleOutCooldownSeconds,
            scaleInCooldownSeconds,
            alarmPeriodSeconds,
          }),
        )
        .sort((a, b) => a.metricType.localeCompare(b.metricType)),
    ).toEqual([
      {
        metricType: 'ECSServiceAverageCPUUtilization',
        targetValue: 70,
        scaleOutCooldownSeconds: 20,
        scaleInCooldownSeconds: 30,
        alarmPeriodSeconds: 10,
      },
      {
        metricType: 'ECSServiceAverageMemoryUtilization',
        targetValue: 70,
        scaleOutCooldownSeconds: 20,
        scaleInCooldownSeconds: 30,
        alarmPeriodSeconds: 10,
      },
    ]);
  });

  it("keeps AWS's one-minute alarm period and the seed's cooldowns on dev", () => {
    const definition = readServiceDefinition(stacksOf('dev'));
    expect(
      definition.policies.map((policy) => [
        policy.alarmPeriodSeconds,
        policy.scaleOutCooldownSeconds,
        policy.scaleInCooldownSeconds,
      ]),
    ).toEqual([
      [60, 60, 300],
      [60, 60, 300],
    ]);
    expect({
      min: definition.minCapacity,
      max: definition.maxCapacity,
      grace: definition.healthCheckGracePeriodSeconds,
    }).toEqual({ min: 1, max: 5, grace: 60 });
  });

  it.each([
    [
      'a minimum above the maximum, with the error RegisterScalableTarget gives',
      'AWS::ApplicationAutoScaling::ScalableTarget',
      (r: { Properties: Record<string, unknown> }) => {
        r.Properties.MinCapacity = 4;
      },
      /ValidationException: Minimum capacity cannot be greater than maximum capacity \(4 > 3\)/,
    ],
    [
      'a minimum of zero',
      'AWS::ApplicationAutoScaling::ScalableTarget',
      (r: { Properties: Record<string, unknown> }) => {
        r.Properties.MinCapacity = 0;
      },
      /MinCapacity 0: target tracking .* cannot scale out from zero tasks/,
    ],
    [
      'a step scaling policy',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      (r: { Properties: Record<string, unknown> }) => {
        r.Properties.PolicyType = 'StepScaling';
      },
      /PolicyType "StepScaling": the local scheduler runs TargetTrackingScaling policies only/,
    ],
    [
      'a request-count metric',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      (r: { Properties: Record<string, unknown> }) => {
        (
          r.Properties.TargetTrackingScalingPolicyConfiguration as Record<string, unknown>
        ).PredefinedMetricSpecification = {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
        };
      },
      /PredefinedMetricType "ALBRequestCountPerTarget": the local scheduler tracks ECSServiceAverageCPUUtilization and ECSServiceAverageMemoryUtilization only/,
    ],
    [
      'a maximum percent that leaves no room to replace a task',
      'AWS::ECS::Service',
      (r: { Properties: Record<string, unknown> }) => {
        r.Properties.DeploymentConfiguration = { MinimumHealthyPercent: 100, MaximumPercent: 100 };
      },
      /MaximumPercent 100: the scheduler needs at least 100 and more than MinimumHealthyPercent \(100\)/,
    ],
    [
      'a grace period that is no number',
      'AWS::ECS::Service',
      (r: { Properties: Record<string, unknown> }) => {
        r.Properties.HealthCheckGracePeriodSeconds = 'soon';
      },
      /HealthCheckGracePeriodSeconds "soon": the scheduler needs a whole number/,
    ],
  ])('refuses %s in one line naming the setting', (_what, type, change, message) => {
    // GIVEN the local stacks with one setting the scheduler cannot honour
    const stacks = changed(stacksOf('local'), type, change);
    // WHEN / THEN
    expect(() => readServiceDefinition(stacks)).toThrow(ServiceDefinitionError);
    expect(() => readServiceDefinition(stacks)).toThrow(message);
    try {
      readServiceDefinition(stacks);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
