/**
 * Target tracking against Application Auto Scaling's documentation: the two alarms it creates
 * per policy, the proportional capacity, several policies, cooldowns and the bounds.
 */
import type { TargetTrackingPolicy } from '../../src/ecs/service-definition';
import {
  decideScaling,
  type PolicySignal,
  proportionalCapacity,
  targetTrackingAlarms,
} from '../../src/ecs/target-tracking';

const service = { clusterName: 'c', serviceName: 's', region: 'us-east-1', account: '000000000000' };
const policy = (overrides: Partial<TargetTrackingPolicy> = {}): TargetTrackingPolicy => ({
  policyName: 'cpu',
  metricType: 'ECSServiceAverageCPUUtilization',
  targetValue: 70,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
  disableScaleIn: false,
  alarmPeriodSeconds: 60,
  ...overrides,
});
const signal = (p: TargetTrackingPolicy, state: Partial<PolicySignal>): PolicySignal => ({
  alarms: targetTrackingAlarms(service, p),
  highInAlarm: false,
  lowInAlarm: false,
  ...state,
});
const bounds = { minCapacity: 1, maxCapacity: 5 };
const now = new Date('2026-12-03T12:00:00Z');

describe('targetTrackingAlarms', () => {
  it('creates AlarmHigh (3 datapoints above the target) and AlarmLow (15 below 90 % of it) with AWS names', () => {
    const { high, low, policyArn } = targetTrackingAlarms(service, policy());
    expect(high).toMatchObject({
      AlarmName: expect.stringMatching(
        /^TargetTracking-service\/c\/s-AlarmHigh-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      ),
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: [
        { Name: 'ClusterName', Value: 'c' },
        { Name: 'ServiceName', Value: 's' },
      ],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [policyArn],
    });
    expect(low).toMatchObject({
      AlarmName: high.AlarmName.replace('AlarmHigh', 'AlarmLow'),
      EvaluationPeriods: 15,
      DatapointsToAlarm: 15,
      Threshold: 63,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(policyArn).toMatch(
      /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:.+:resource\/ecs\/service\/c\/s:policyName\/cpu$/,
    );
  });

  it('names the same alarms on every start, so that a restart puts them again instead of adding more', () => {
    expect(targetTrackingAlarms(service, policy()).high.AlarmName).toBe(
      targetTrackingAlarms(service, policy()).high.AlarmName,
    );
    expect(targetTrackingAlarms(service, policy()).high.AlarmName).not.toBe(
      targetTrackingAlarms(
        service,
        policy({ policyName: 'memory', metricType: 'ECSServiceAverageMemoryUtilization' }),
      ).high.AlarmName,
    );
  });
});

describe('proportionalCapacity', () => {
  it.each([
    // AWS's example: 10 tasks at 100 % with a 50 % target need 20.
    [10, 100, 50, 20],
    [2, 90, 70, 3],
    [3, 70, 70, 3],
    [3, 1, 70, 1],
  ])('%i tasks at %d %% with a target of %d %% need %i', (current, metric, target, expected) => {
    expect(proportionalCapacity(current, metric, target)).toBe(expected);
  });
});

describe('decideScaling', () => {
  it('scales out on AlarmHigh by the proportional capacity', () => {
    const decision = decideScaling(
      [signal(policy(), { highInAlarm: true, metricValue: 90 })],
      2,
      bounds,
      {},
      now,
    );
    expect(decision).toMatchObject({ desiredCount: 3, direction: 'out', policyName: 'cpu' });
  });

  it('never above the maximum', () => {
    const decision = decideScaling(
      [signal(policy(), { highInAlarm: true, metricValue: 100 })],
      4,
      bounds,
      {},
      now,
    );
    expect(decision?.desiredCount).toBe(5);
    expect(
      decideScaling([signal(policy(), { highInAlarm: true, metricValue: 100 })], 5, bounds, {}, now),
    ).toBeUndefined();
  });

  it('waits out the scale-out cooldown', () => {
    const high = [signal(policy(), { highInAlarm: true, metricValue: 90 })];
    expect(
      decideScaling(high, 2, bounds, { lastScaleOutAt: new Date(now.getTime() - 59_000) }, now),
    ).toBeUndefined();
    expect(
      decideScaling(high, 2, bounds, { lastScaleOutAt: new Date(now.getTime() - 60_000) }, now)?.desiredCount,
    ).toBe(3);
  });

  it('scales in on AlarmLow, never below the minimum, and waits out the scale-in cooldown', () => {
    const low = [signal(policy(), { lowInAlarm: true, metricValue: 1 })];
    expect(decideScaling(low, 3, { minCapacity: 2, maxCapacity: 5 }, {}, now)).toMatchObject({
      desiredCount: 2,
      direction: 'in',
    });
    expect(decideScaling(low, 2, { minCapacity: 2, maxCapacity: 5 }, {}, now)).toBeUndefined();
    expect(
      decideScaling(low, 3, bounds, { lastScaleInAt: new Date(now.getTime() - 299_000) }, now),
    ).toBeUndefined();
  });

  it('scales out when any policy asks, but in only when every policy asks', () => {
    const memory = policy({ policyName: 'memory', metricType: 'ECSServiceAverageMemoryUtilization' });
    expect(
      decideScaling(
        [
          signal(policy(), { lowInAlarm: true, metricValue: 1 }),
          signal(memory, { highInAlarm: true, metricValue: 80 }),
        ],
        2,
        bounds,
        {},
        now,
      ),
    ).toMatchObject({ desiredCount: 3, direction: 'out', policyName: 'memory' });
    expect(
      decideScaling(
        [signal(policy(), { lowInAlarm: true, metricValue: 1 }), signal(memory, { metricValue: 65 })],
        3,
        bounds,
        {},
        now,
      ),
    ).toBeUndefined();
    expect(
      decideScaling(
        [
          signal(policy(), { lowInAlarm: true, metricValue: 10 }),
          signal(memory, { lowInAlarm: true, metricValue: 50 }),
        ],
        4,
        bounds,
        {},
        now,
      ),
    ).toMatchObject({ desiredCount: 3, direction: 'in' });
  });

  it('leaves scale-in to the other policies when a policy disables it', () => {
    const memory = policy({
      policyName: 'memory',
      metricType: 'ECSServiceAverageMemoryUtilization',
      disableScaleIn: true,
    });
    expect(
      decideScaling(
        [signal(policy(), { lowInAlarm: true, metricValue: 1 }), signal(memory, {})],
        3,
        bounds,
        {},
        now,
      ),
    ).toMatchObject({ desiredCount: 1 });
  });
});
