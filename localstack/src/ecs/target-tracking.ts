/**
 * Target tracking as Application Auto Scaling runs it for an ECS service
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html):
 *
 * - each policy gets two CloudWatch alarms, which Application Auto Scaling names
 *   `TargetTracking-service/<cluster>/<service>-AlarmHigh-<uuid>` and `...-AlarmLow-<uuid>`:
 *   AlarmHigh when the metric is above the target for 3 datapoints, AlarmLow when it is below
 *   90 % of the target for 15 datapoints;
 * - the new capacity is proportional: ceil(current x metric / target), within the scalable
 *   target's minimum and maximum;
 * - with several policies it scales out when any policy asks to and scales in only when every
 *   policy that may scale in asks to, to the largest capacity they propose;
 * - no scale-out during a policy's scale-out cooldown, no scale-in during its scale-in cooldown.
 *
 * The alarms are evaluated by the monitor, like every other alarm; the scheduler reads their
 * states and the datapoints their last evaluation recorded.
 */
import { createHash } from 'node:crypto';
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { PREDEFINED_METRICS, type TargetTrackingPolicy } from './service-definition';

export const ALARM_HIGH_DATAPOINTS = 3;
export const ALARM_LOW_DATAPOINTS = 15;
/** AlarmLow's threshold, as a share of the target value. */
export const SCALE_IN_THRESHOLD_SHARE = 0.9;

export interface ScalableService {
  readonly clusterName: string;
  readonly serviceName: string;
  readonly region: string;
  readonly account: string;
}

export interface PolicyAlarms {
  readonly policy: TargetTrackingPolicy;
  readonly policyArn: string;
  readonly high: PutMetricAlarmCommandInput & { AlarmName: string };
  readonly low: PutMetricAlarmCommandInput & { AlarmName: string };
}

/** A stable stand-in for the uuid AWS puts in a policy's ARN and alarm names. */
function policyUuid(service: ScalableService, policy: TargetTrackingPolicy): string {
  const hex = createHash('sha256')
    .update(`${service.clusterName}/${service.serviceName}/${policy.policyName}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The AlarmHigh and AlarmLow alarms of a policy, as PutMetricAlarm takes them. */
export function targetTrackingAlarms(service: ScalableService, policy: TargetTrackingPolicy): PolicyAlarms {
  const uuid = policyUuid(service, policy);
  const resourceId = `service/${service.clusterName}/${service.serviceName}`;
  const policyArn = `arn:aws:autoscaling:${service.region}:${service.account}:scalingPolicy:${uuid}:resource/ecs/${resourceId}:policyName/${policy.policyName}`;
  const common = {
    Namespace: 'AWS/ECS',
    MetricName: PREDEFINED_METRICS[policy.metricType],
    Dimensions: [
      { Name: 'ClusterName', Value: service.clusterName },
      { Name: 'ServiceName', Value: service.serviceName },
    ],
    Statistic: 'Average' as const,
    Unit: 'Percent' as const,
    Period: policy.alarmPeriodSeconds,
    AlarmActions: [policyArn],
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`,
  };
  return {
    policy,
    policyArn,
    high: {
      ...common,
      AlarmName: `TargetTracking-${resourceId}-AlarmHigh-${uuid}`,
      EvaluationPeriods: ALARM_HIGH_DATAPOINTS,
      DatapointsToAlarm: ALARM_HIGH_DATAPOINTS,
      Threshold: policy.targetValue,
      ComparisonOperator: 'GreaterThanThreshold',
    },
    low: {
      ...common,
      AlarmName: `TargetTracking-${resourceId}-AlarmLow-${uuid}`,
      EvaluationPeriods: ALARM_LOW_DATAPOINTS,
      DatapointsToAlarm: ALARM_LOW_DATAPOINTS,
      Threshold: Number((policy.targetValue * SCALE_IN_THRESHOLD_SHARE).toFixed(6)),
      ComparisonOperator: 'LessThanThreshold',
    },
  };
}

/** What one policy's alarms say at one moment. */
export interface PolicySignal {
  readonly alarms: PolicyAlarms;
  readonly highInAlarm: boolean;
  readonly lowInAlarm: boolean;
  /** The newest datapoint of the alarm in ALARM, if any. */
  readonly metricValue?: number;
}

export interface ScalingDecision {
  readonly desiredCount: number;
  readonly direction: 'out' | 'in';
  /** The alarm that caused it, as the scaling activity's cause names it. */
  readonly alarmName: string;
  readonly policyName: string;
  readonly metricValue: number;
}

export interface ScalingHistory {
  readonly lastScaleOutAt?: Date;
  readonly lastScaleInAt?: Date;
}

/** ceil(current x metric / target), the capacity that brings the metric back to the target. */
export function proportionalCapacity(current: number, metricValue: number, targetValue: number): number {
  // Rounded first, so that 3 x 70 / 70 is 3 and not 3.0000000000000004 (then 4).
  return Math.ceil(Number(((current * metricValue) / targetValue).toFixed(6)));
}

/**
 * The scaling activity the alarms ask for now, or undefined. `current` is the service's
 * desired count; the result stays within [min, max] and changes it.
 */
export function decideScaling(
  signals: readonly PolicySignal[],
  current: number,
  bounds: { readonly minCapacity: number; readonly maxCapacity: number },
  history: ScalingHistory,
  now: Date,
): ScalingDecision | undefined {
  const since = (time: Date | undefined) => (time ? (now.getTime() - time.getTime()) / 1000 : Infinity);
  const clamp = (count: number) => Math.min(bounds.maxCapacity, Math.max(bounds.minCapacity, count));

  const outs = signals
    .filter(({ highInAlarm, metricValue }) => highInAlarm && metricValue !== undefined)
    .filter(({ alarms }) => since(history.lastScaleOutAt) >= alarms.policy.scaleOutCooldownSeconds)
    .map((signal) => ({
      signal,
      count: clamp(
        Math.max(
          current + 1,
          proportionalCapacity(current, signal.metricValue as number, signal.alarms.policy.targetValue),
        ),
      ),
    }))
    .filter(({ count }) => count > current);
  if (outs.length > 0) {
    const { signal, count } = outs.reduce((a, b) => (b.count > a.count ? b : a));
    return decision(signal, count, 'out');
  }

  const mayScaleIn = signals.filter(({ alarms }) => !alarms.policy.disableScaleIn);
  if (
    mayScaleIn.length === 0 ||
    !mayScaleIn.every(({ lowInAlarm, metricValue }) => lowInAlarm && metricValue !== undefined)
  ) {
    return undefined;
  }
  if (mayScaleIn.some(({ alarms }) => since(history.lastScaleInAt) < alarms.policy.scaleInCooldownSeconds)) {
    return undefined;
  }
  const ins = mayScaleIn.map((signal) => ({
    signal,
    count: clamp(
      proportionalCapacity(current, signal.metricValue as number, signal.alarms.policy.targetValue),
    ),
  }));
  const { signal, count } = ins.reduce((a, b) => (b.count > a.count ? b : a));
  return count < current ? decision(signal, count, 'in') : undefined;
}

function decision(signal: PolicySignal, desiredCount: number, direction: 'out' | 'in'): ScalingDecision {
  return {
    desiredCount,
    direction,
    alarmName: direction === 'out' ? signal.alarms.high.AlarmName : signal.alarms.low.AlarmName,
    policyName: signal.alarms.policy.policyName,
    metricValue: signal.metricValue as number,
  };
}
