/**
 * What the alarm and faults suites compare: the alarm state changes the monitor made (its
 * diagnostic log says which) against the notifications SNS delivered to the alerts inbox.
 */
import { execFileSync } from 'node:child_process';
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmState } from '@zama/localstack';

export interface StateChange {
  /** When the monitor logged the change, ISO 8601. */
  readonly time: string;
  readonly alarm: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
}

/** The `alarm-state-changed` events of the monitor's diagnostic log (its stderr). */
export function monitorStateChanges(monitorId: string): StateChange[] {
  return execFileSync('sh', ['-c', 'docker logs "$0" 2>&1', monitorId], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
    .split('\n')
    .filter((line) => line.includes('"event":"alarm-state-changed"'))
    .map((line) => JSON.parse(line) as StateChange);
}

/**
 * Whether an alarm notifies anyone on entering a state: whether that state's actions include an
 * SNS topic. Target tracking's alarms act on their scaling policy only, which notifies nobody.
 */
export async function notifiesOn(
  cloudWatch: CloudWatchClient,
): Promise<(alarm: string, state: AlarmState) => boolean> {
  const { MetricAlarms = [] } = await cloudWatch.send(new DescribeAlarmsCommand({}));
  const notifies = (actions: string[] = []) => actions.some((arn) => arn.startsWith('arn:aws:sns:'));
  const byAlarm = new Map(
    MetricAlarms.map((alarm) => [
      alarm.AlarmName,
      {
        ALARM: notifies(alarm.AlarmActions),
        OK: notifies(alarm.OKActions),
        INSUFFICIENT_DATA: notifies(alarm.InsufficientDataActions),
      },
    ]),
  );
  return (alarm, state) => byAlarm.get(alarm)?.[state] ?? false;
}

/** AWS writes `2026-11-25T10:00:30.123+0000`; Date.parse wants the offset with a colon. */
export const stateChangeMillis = (awsTimestamp: string): number =>
  Date.parse(awsTimestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
