/**
 * Evaluates the emulator's metric alarms the way CloudWatch does and acts on each state change:
 * SetAlarmState with the reason and reason data, then the alarm notification to the topics of
 * the new state's actions.
 *
 * The current state is read back from the emulator on every round rather than remembered, so
 * a state set by anyone else (`aws cloudwatch set-alarm-state`, a deploy that puts the alarm
 * again) is where the next evaluation starts from, and a restarted monitor sends no
 * notification twice. An emulator whose SetAlarmState runs the alarm's actions itself
 * (LocalStack, like AWS) sends the notification; where it does not (moto), the runner hands it to
 * a NotificationOutbox, which publishes it until SNS has taken it. LocalStack's own alarm evaluation is switched off
 * by its start hook (localstack/emulator-init), which the monitor checks before starting.
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  type AlarmDefinition,
  AlarmEvaluator,
  type AlarmState,
  type AlarmTransition,
  alarmDatapoints,
  type MetricStatisticsDatapoint,
  metricStatisticsRequest,
  parseAlarmDefinition,
} from './alarm-evaluator';
import type { AlarmHistoryFile } from './alarm-history';
import { alarmNotification, alarmNotificationSubject, formatAlarmNotification } from './alarm-notification';
import type { NotificationOutbox, PendingNotification } from './notification-outbox';

export interface AlarmRunnerOptions {
  readonly cloudWatch: CloudWatchClient;
  /** Where the notifications of each state change go; none on emulators whose SetAlarmState runs the alarm's actions itself. */
  readonly notifications?: NotificationOutbox;
  /** Where each state change is recorded as DescribeAlarmHistory has it, for emulators that keep no history. */
  readonly history?: AlarmHistoryFile;
  /** One JSON diagnostic per event (transition, notification, failure). */
  readonly log: (event: Record<string, unknown>) => void;
}

const ACTIONS_OF_STATE: Record<
  AlarmState,
  keyof Pick<AlarmDefinition, 'AlarmActions' | 'OKActions' | 'InsufficientDataActions'>
> = {
  ALARM: 'AlarmActions',
  OK: 'OKActions',
  INSUFFICIENT_DATA: 'InsufficientDataActions',
};

export class AlarmRunner {
  constructor(private readonly options: AlarmRunnerOptions) {}

  /** One evaluation of every alarm; returns the transitions it made. */
  async evaluate(now: Date): Promise<AlarmTransition[]> {
    // What earlier rounds could not deliver goes first, in order.
    await this.options.notifications?.deliver();
    const transitions: AlarmTransition[] = [];
    for (const described of await this.describeAlarms()) {
      let alarm: AlarmDefinition;
      try {
        alarm = parseAlarmDefinition(described);
      } catch (error) {
        this.options.log({
          event: 'alarm-skipped',
          alarm: described.AlarmName,
          reason: (error as Error).message,
        });
        continue;
      }
      const transition = await this.evaluateAlarm(
        alarm,
        (described.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
        described.StateReason,
        now,
      );
      if (transition) transitions.push(transition);
    }
    await this.options.notifications?.deliver();
    return transitions;
  }

  private async evaluateAlarm(
    alarm: AlarmDefinition,
    state: AlarmState,
    reason: string | undefined,
    now: Date,
  ): Promise<AlarmTransition | undefined> {
    const { cloudWatch, log } = this.options;
    const transition = new AlarmEvaluator([[alarm.AlarmArn, state]]).evaluate(
      alarm,
      alarmDatapoints(alarm, await this.periodStatistics(alarm, now)),
      now,
    );
    if (!transition) return undefined;
    await cloudWatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarm.AlarmName,
        StateValue: transition.NewStateValue,
        StateReason: transition.NewStateReason,
        StateReasonData: transition.NewStateReasonData,
      }),
    );
    log({
      event: 'alarm-state-changed',
      alarm: alarm.AlarmName,
      from: transition.OldStateValue,
      to: transition.NewStateValue,
      reason: transition.NewStateReason,
    });
    this.options.history?.record({
      alarmName: alarm.AlarmName,
      oldState: transition.OldStateValue,
      oldReason: reason,
      newState: transition.NewStateValue,
      newReason: transition.NewStateReason,
      newReasonData: transition.NewStateReasonData,
      at: now,
    });
    this.options.notifications?.add(this.notificationsOf(transition, now));
    return transition;
  }

  /**
   * The alarm's statistics per period, through GetMetricData: moto's GetMetricStatistics
   * matches dimensions as a subset (a LoadBalancer-only query also sums the
   * LoadBalancer+TargetGroup datapoints) and starts its periods at the first datapoint instead
   * of StartTime, while its GetMetricData matches exactly and aligns periods as CloudWatch does.
   * LocalStack's GetMetricData matches as a subset too; no alarm of the templates reads a
   * dimension set that another datapoint extends except low_request_count, whose Sum < 1 is
   * decided the same either way (docs/emulators.md).
   */
  private async periodStatistics(alarm: AlarmDefinition, now: Date): Promise<MetricStatisticsDatapoint[]> {
    const request = metricStatisticsRequest(alarm, now);
    const metric = {
      Namespace: request.Namespace,
      MetricName: request.MetricName,
      Dimensions: request.Dimensions,
    };
    const { MetricDataResults = [] } = await this.options.cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: request.StartTime,
        EndTime: request.EndTime,
        MetricDataQueries: request.Statistics.map((statistic, index) => ({
          Id: `s${index}`,
          MetricStat: { Metric: metric, Period: request.Period, Stat: statistic },
          ReturnData: true,
        })),
      }),
    );
    const byPeriod = new Map<number, Record<string, number>>();
    for (const [index, statistic] of request.Statistics.entries()) {
      const result = MetricDataResults.find(({ Id }) => Id === `s${index}`);
      for (const [position, timestamp] of (result?.Timestamps ?? []).entries()) {
        const value = result?.Values?.[position];
        if (value === undefined) continue;
        const period = byPeriod.get(timestamp.getTime()) ?? {};
        period[statistic] = value;
        byPeriod.set(timestamp.getTime(), period);
      }
    }
    return [...byPeriod.entries()].map(([time, statistics]) => ({
      Timestamp: new Date(time),
      ...statistics,
    }));
  }

  private notificationsOf(transition: AlarmTransition, now: Date): PendingNotification[] {
    const notification = alarmNotification(transition);
    const message = formatAlarmNotification(notification);
    const subject = alarmNotificationSubject(notification);
    return transition.alarm[ACTIONS_OF_STATE[transition.NewStateValue]]
      .filter((topicArn) => topicArn.startsWith('arn:aws:sns:'))
      .map((topicArn) => ({
        alarmName: transition.alarm.AlarmName,
        newState: transition.NewStateValue,
        topicArn,
        subject,
        message,
        changedAt: now.getTime(),
      }));
  }

  private async describeAlarms(): Promise<MetricAlarm[]> {
    const alarms: MetricAlarm[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.options.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmTypes: ['MetricAlarm'],
          NextToken,
        }),
      );
      alarms.push(...(page.MetricAlarms ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return alarms;
  }
}
