import { formatMonitorStatus, monitorStatus } from '../../src/monitor/status';

const NOW = 1_000_000_000;

describe('formatMonitorStatus', () => {
  it('shows what waits, how old the oldest is, when each last got through and what was dropped', () => {
    const status = monitorStatus(
      {
        events: 120,
        bytes: 9000,
        oldestTimestamp: NOW - 31_000,
        lastShippedAt: NOW - 30_000,
        dropped: { tooOld: 0, tooNew: 0, rejected: 2 },
      },
      {
        data: 14,
        oldestQueuedAt: NOW - 29_000,
        lastDeliveredAt: NOW - 30_000,
        dropped: { overflow: 0, tooOld: 0, rejected: 0 },
      },
      { waiting: 1, oldestChangedAt: NOW - 5_000, dropped: 0 },
      NOW,
    );
    expect(formatMonitorStatus(status, NOW)).toEqual([
      '  log lines      120 waiting (9000 bytes), oldest written 31 s ago; last delivered 30 s ago; dropped 2 rejected',
      '  datapoints     14 waiting, oldest queued 29 s ago; last delivered 30 s ago; none dropped',
      '  notifications  1 waiting, oldest 5 s ago; last delivered never; none dropped',
    ]);
  });

  it('says when the status is stale, and when the emulator sends the notifications itself', () => {
    const status = monitorStatus(
      { events: 0, bytes: 0, dropped: { tooOld: 0, tooNew: 0, rejected: 0 } },
      { data: 0, dropped: { overflow: 0, tooOld: 0, rejected: 0 } },
      undefined,
      NOW - 600_000,
    );
    expect(formatMonitorStatus(status, NOW).slice(2)).toEqual([
      '  notifications  sent by the emulator itself',
      '  (as of 10 min ago: the monitor is not updating its status)',
    ]);
  });
});
