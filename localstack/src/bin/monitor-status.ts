/**
 * Prints the monitor's backlog as `make local-status` shows it, from the status file the monitor
 * writes (scripts/local-status.sh reads it out of the container):
 *   docker exec <monitor> cat /tmp/monitor-status.json | node localstack/dist/bin/monitor-status.js
 */
import { readFileSync } from 'node:fs';
import { runMain } from '../cli';
import { formatMonitorStatus, type MonitorStatus } from '../monitor/status';

async function main(): Promise<void> {
  const text = readFileSync(0, 'utf8');
  let status: MonitorStatus;
  try {
    status = JSON.parse(text) as MonitorStatus;
  } catch {
    throw new Error('the monitor has not written its status yet: it may still be starting (see its log)');
  }
  process.stdout.write(`monitor backlog\n${formatMonitorStatus(status).join('\n')}\n`);
}

runMain('monitor-status', main);
