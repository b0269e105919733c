/**
 * The alarm state changes the monitor made, as DescribeAlarmHistory's `StateUpdate` items, kept
 * in a file of the platform's volume. CloudWatch keeps this history for every alarm; of the
 * emulators, LocalStack records it on SetAlarmState and moto does not implement
 * DescribeAlarmHistory at all, so the console reads this file where the emulator has no history.
 *
 * The item's shape is CloudWatch's (DescribeAlarmHistory in the CloudWatch API reference, and the
 * AWS CLI's example of its output): `HistorySummary` "Alarm updated from OK to ALARM", and
 * `HistoryData` a JSON string with `oldState` and `newState`, each with `stateValue` and
 * `stateReason`, the new one with `stateReasonData` too.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AlarmHistoryItem } from '@aws-sdk/client-cloudwatch';
import { writeWhole } from '../files';

/** The file's name in the monitor's state directory (MONITOR_STATE_DIR). */
export const ALARM_HISTORY_FILE_NAME = 'alarm-history.json';

/** The newest items kept; CloudWatch keeps 30 days, a laptop's platform lives far shorter. */
export const ALARM_HISTORY_KEPT = 2_000;

export interface AlarmStateUpdate {
  readonly alarmName: string;
  readonly oldState: string;
  readonly oldReason?: string;
  readonly newState: string;
  readonly newReason: string;
  /** SetAlarmState's StateReasonData, a JSON string. */
  readonly newReasonData?: string;
  readonly at: Date;
}

export function stateUpdateItem(update: AlarmStateUpdate): AlarmHistoryItem {
  const newState: Record<string, unknown> = { stateValue: update.newState, stateReason: update.newReason };
  if (update.newReasonData) newState.stateReasonData = JSON.parse(update.newReasonData);
  return {
    AlarmName: update.alarmName,
    AlarmType: 'MetricAlarm',
    Timestamp: update.at,
    HistoryItemType: 'StateUpdate',
    HistorySummary: `Alarm updated from ${update.oldState} to ${update.newState}`,
    HistoryData: JSON.stringify({
      version: '1.0',
      oldState: { stateValue: update.oldState, stateReason: update.oldReason ?? '' },
      newState,
    }),
  };
}

export class AlarmHistoryFile {
  constructor(
    readonly path: string,
    private readonly kept = ALARM_HISTORY_KEPT,
  ) {}

  /** Adds one state change; past the number kept, the oldest go. */
  record(update: AlarmStateUpdate): void {
    const items = [stateUpdateItem(update), ...this.read()].slice(0, this.kept);
    writeWhole(this.path, `${JSON.stringify({ AlarmHistoryItems: items })}\n`);
  }

  /** Newest first, as DescribeAlarmHistory answers by default; none before the first change. */
  read(alarmName?: string): AlarmHistoryItem[] {
    if (!existsSync(this.path)) return [];
    const { AlarmHistoryItems = [] } = JSON.parse(readFileSync(this.path, 'utf8')) as {
      AlarmHistoryItems?: Array<AlarmHistoryItem & { Timestamp: string }>;
    };
    return AlarmHistoryItems.filter((item) => alarmName === undefined || item.AlarmName === alarmName).map(
      (item) => ({ ...item, Timestamp: new Date(item.Timestamp) }),
    );
  }
}
