/**
 * Application Auto Scaling for the local service: it puts each target-tracking policy's
 * AlarmHigh and AlarmLow into the emulator (the monitor evaluates them like every alarm),
 * reads their states every round, and sets the scheduler's desired count as
 * {@link decideScaling} says, recording each change as DescribeScalingActivities shows it.
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import type { ServiceDefinition } from './service-definition';
import {
  decideScaling,
  type PolicyAlarms,
  type PolicySignal,
  type ScalableService,
  type ScalingHistory,
  targetTrackingAlarms,
} from './target-tracking';

/** One entry of DescribeScalingActivities' `ScalingActivities`. */
export interface ScalingActivity {
  readonly ActivityId: string;
  readonly ServiceNamespace: 'ecs';
  readonly ResourceId: string;
  readonly ScalableDimension: 'ecs:service:DesiredCount';
  readonly Description: string;
  readonly Cause: string;
  readonly StartTime: Date;
  readonly EndTime: Date;
  readonly StatusCode: 'Successful';
  readonly StatusMessage: string;
}

export interface ServiceAutoScalingOptions {
  readonly cloudWatch: CloudWatchClient;
  readonly definition: ServiceDefinition;
  readonly service: ScalableService;
  /** The service's desired count, read and set. */
  readonly desiredCount: () => number;
  readonly setDesiredCount: (count: number, cause: string) => void;
  readonly log: (event: Record<string, unknown>) => void;
}

/** Application Auto Scaling keeps six weeks of activities; this keeps the last 100. */
const MAX_ACTIVITIES = 100;

export class ServiceAutoScaling {
  private readonly alarms: PolicyAlarms[];
  private readonly activities: ScalingActivity[] = [];
  private history: ScalingHistory = {};

  constructor(private readonly options: ServiceAutoScalingOptions) {
    this.alarms = options.definition.policies.map((policy) => targetTrackingAlarms(options.service, policy));
  }

  get alarmNames(): string[] {
    return this.alarms.flatMap(({ high, low }) => [high.AlarmName, low.AlarmName]);
  }

  /** Creates (or puts again, unchanged) the two alarms of every policy. */
  async putAlarms(): Promise<void> {
    for (const { high, low } of this.alarms) {
      await this.options.cloudWatch.send(new PutMetricAlarmCommand(high));
      await this.options.cloudWatch.send(new PutMetricAlarmCommand(low));
    }
  }

  /** One round: reads the alarms and, when they ask for it, changes the desired count. */
  async evaluate(now: Date): Promise<void> {
    if (this.alarms.length === 0) return;
    const signals = await this.signals(now);
    const current = this.options.desiredCount();
    const { minCapacity, maxCapacity } = this.options.definition;
    const decision = decideScaling(signals, current, { minCapacity, maxCapacity }, this.history, now);
    if (!decision) return;
    const cause = `monitor alarm ${decision.alarmName} in state ALARM triggered policy ${decision.policyName}`;
    this.options.setDesiredCount(decision.desiredCount, cause);
    this.history =
      decision.direction === 'out'
        ? { ...this.history, lastScaleOutAt: now }
        : { ...this.history, lastScaleInAt: now };
    const { clusterName, serviceName } = this.options.service;
    this.activities.unshift({
      ActivityId: crypto.randomUUID(),
      ServiceNamespace: 'ecs',
      ResourceId: `service/${clusterName}/${serviceName}`,
      ScalableDimension: 'ecs:service:DesiredCount',
      Description: `Setting desired count to ${decision.desiredCount}.`,
      Cause: `at ${now.toISOString()} ${cause}`,
      StartTime: now,
      EndTime: now,
      StatusCode: 'Successful',
      StatusMessage: `Successfully set desired count to ${decision.desiredCount}. Change successfully fulfilled by ecs.`,
    });
    this.activities.splice(MAX_ACTIVITIES);
    this.options.log({
      event: 'scaling-activity',
      from: current,
      to: decision.desiredCount,
      metricValue: decision.metricValue,
      cause,
    });
  }

  describeScalingActivities(): { ScalingActivities: ScalingActivity[] } {
    return { ScalingActivities: [...this.activities] };
  }

  private async signals(now: Date): Promise<PolicySignal[]> {
    const { MetricAlarms = [] } = await this.options.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: this.alarmNames }),
    );
    const state = new Map(MetricAlarms.map(({ AlarmName, StateValue }) => [AlarmName, StateValue]));
    const missing = this.alarmNames.filter((name) => !state.has(name));
    if (missing.length > 0) {
      // Deleted by someone (or a redeploy): put back, as Application Auto Scaling keeps them.
      this.options.log({ event: 'scaling-alarms-missing', alarms: missing });
      await this.putAlarms();
    }
    return Promise.all(
      this.alarms.map(async (alarms) => {
        const highInAlarm = state.get(alarms.high.AlarmName) === 'ALARM';
        const lowInAlarm = state.get(alarms.low.AlarmName) === 'ALARM';
        return {
          alarms,
          highInAlarm,
          lowInAlarm,
          metricValue: highInAlarm || lowInAlarm ? await this.newestValue(alarms, now) : undefined,
        };
      }),
    );
  }

  /** The metric's newest period average, which the proportional capacity is computed from. */
  private async newestValue({ high }: PolicyAlarms, now: Date): Promise<number | undefined> {
    const period = high.Period as number;
    const { MetricDataResults = [] } = await this.options.cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 3 * period * 1000),
        EndTime: now,
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'm',
            MetricStat: {
              Metric: { Namespace: high.Namespace, MetricName: high.MetricName, Dimensions: high.Dimensions },
              Period: period,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    const [result] = MetricDataResults;
    const newest = (result?.Timestamps ?? [])
      .map((timestamp, index) => ({ time: timestamp.getTime(), value: result?.Values?.[index] }))
      .filter((point): point is { time: number; value: number } => point.value !== undefined)
      .sort((a, b) => b.time - a.time)[0];
    return newest?.value;
  }
}
