/**
 * The monitor's backlog as `make local-status` shows it: what waits for the emulator (log lines,
 * metric datapoints, alarm notifications), the oldest waiting item, when each last got through,
 * and what was dropped and why. The monitor writes it every second to a file in its container,
 * whether the emulator answers or not.
 */
import type { MetricBacklog } from '../cloudwatch/metric-outbox';
import type { NotificationBacklog } from '../cloudwatch/notification-outbox';
import type { LogShippingBacklog } from '../logs/log-shipper';

export const MONITOR_STATUS_FILE = '/tmp/monitor-status.json';

export interface MonitorStatus {
  readonly writtenAt: number;
  readonly logs: LogShippingBacklog;
  readonly metrics: MetricBacklog;
  /** Absent where the emulator sends alarm notifications itself (LocalStack). */
  readonly notifications?: NotificationBacklog;
}

export function monitorStatus(
  logs: LogShippingBacklog,
  metrics: MetricBacklog,
  notifications: NotificationBacklog | undefined,
  now = Date.now(),
): MonitorStatus {
  return { writtenAt: now, logs, metrics, ...(notifications && { notifications }) };
}

function ago(time: number | undefined, now: number): string {
  if (time === undefined) return 'never';
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

function droppedOf(counts: Readonly<Record<string, number>>): string {
  const named = Object.entries(counts).filter(([, count]) => count > 0);
  return named.length === 0
    ? 'none dropped'
    : `dropped ${named.map(([why, count]) => `${count} ${why}`).join(', ')}`;
}

/** The lines `make local-status` prints under "monitor backlog". */
export function formatMonitorStatus(status: MonitorStatus, now = Date.now()): string[] {
  const { logs, metrics, notifications } = status;
  const lines = [
    `  log lines      ${logs.events} waiting (${logs.bytes} bytes), oldest written ${ago(logs.oldestTimestamp, now)}; last delivered ${ago(logs.lastShippedAt, now)}; ${droppedOf(logs.dropped)}`,
    `  datapoints     ${metrics.data} waiting, oldest queued ${ago(metrics.oldestQueuedAt, now)}; last delivered ${ago(metrics.lastDeliveredAt, now)}; ${droppedOf(metrics.dropped)}`,
    notifications
      ? `  notifications  ${notifications.waiting} waiting, oldest ${ago(notifications.oldestChangedAt, now)}; last delivered ${ago(notifications.lastDeliveredAt, now)}; ${droppedOf({ refused: notifications.dropped })}`
      : '  notifications  sent by the emulator itself',
  ];
  if (now - status.writtenAt > 5000) {
    lines.push(`  (as of ${ago(status.writtenAt, now)}: the monitor is not updating its status)`);
  }
  return lines;
}
