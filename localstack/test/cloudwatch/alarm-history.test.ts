import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALARM_HISTORY_KEPT, AlarmHistoryFile } from '../../src/cloudwatch/alarm-history';

describe('AlarmHistoryFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const update = (alarmName: string, oldState: string, newState: string, at: number) => ({
    alarmName,
    oldState,
    oldReason: 'Unchecked: Initial alarm creation',
    newState,
    newReason: `Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (10.0).`,
    newReasonData:
      '{"version":"1.0","statistic":"Sum","period":10,"recentDatapoints":[12.0],"threshold":10.0}',
    at: new Date(at),
  });

  test("records a state change in DescribeAlarmHistory's StateUpdate shape", () => {
    // GIVEN a history file
    const history = new AlarmHistoryFile(join(dir, 'monitor', 'alarm-history.json'));
    // WHEN an alarm goes from OK to ALARM
    history.record(update('high-error-rate', 'OK', 'ALARM', Date.parse('2026-12-07T10:00:00Z')));
    // THEN the item reads as the AWS CLI's example of describe-alarm-history does
    const [item] = history.read();
    expect(item).toMatchObject({
      AlarmName: 'high-error-rate',
      HistoryItemType: 'StateUpdate',
      HistorySummary: 'Alarm updated from OK to ALARM',
      Timestamp: new Date('2026-12-07T10:00:00Z'),
    });
    expect(JSON.parse(item.HistoryData as string)).toEqual({
      version: '1.0',
      oldState: { stateValue: 'OK', stateReason: 'Unchecked: Initial alarm creation' },
      newState: {
        stateValue: 'ALARM',
        stateReason: 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (10.0).',
        stateReasonData: {
          version: '1.0',
          statistic: 'Sum',
          period: 10,
          recentDatapoints: [12],
          threshold: 10,
        },
      },
    });
  });

  test('reads newest first, by alarm, and nothing before the first change', () => {
    const history = new AlarmHistoryFile(join(dir, 'alarm-history.json'));
    expect(history.read()).toEqual([]);
    history.record(update('a', 'INSUFFICIENT_DATA', 'OK', 1_000));
    history.record(update('b', 'INSUFFICIENT_DATA', 'OK', 2_000));
    history.record(update('a', 'OK', 'ALARM', 3_000));
    expect(history.read('a').map((item) => item.HistorySummary)).toEqual([
      'Alarm updated from OK to ALARM',
      'Alarm updated from INSUFFICIENT_DATA to OK',
    ]);
    expect(history.read().map((item) => item.AlarmName)).toEqual(['a', 'b', 'a']);
  });

  test('keeps the newest changes, as many as it is told', () => {
    const history = new AlarmHistoryFile(join(dir, 'alarm-history.json'), 5);
    for (let at = 0; at < 8; at++) history.record(update('a', 'OK', 'ALARM', at));
    const kept = history.read();
    expect(kept.map((item) => (item.Timestamp as Date).getTime())).toEqual([7, 6, 5, 4, 3]);
    expect(ALARM_HISTORY_KEPT).toBeGreaterThanOrEqual(1_000);
  });
});
