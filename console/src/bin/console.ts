/**
 * The console service: listens on PORT (8083) and draws the emulator's dashboard, alarms and
 * logs, the simulated ALB's targets and the scheduler's service. Compose runs it; by hand,
 * AWS_ENDPOINT_URL points it at an emulator, ALB_ADMIN_URL and SCHEDULER_URL at the data plane,
 * ALARM_HISTORY_FILE at the monitor's record of alarm state changes.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  ALARM_HISTORY_FILE_NAME,
  AlarmHistoryFile,
  emulatorClientConfig,
  emulatorClients,
  selectEmulator,
} from '@zama/localstack';
import { createConsoleApp } from '../console-app';
import { dataPlaneReader } from '../data-plane-reader';
import { emulatorReader } from '../emulator-reader';
import { readWebAssets } from '../web-assets';

const DEFAULT_PORT = 8083;

function main(): void {
  const port = Number(process.env.PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a port number, not "${process.env.PORT}"`);
  }
  // One attempt, bounded: the page says at once that the emulator does not answer, and keeps its last data.
  const config = {
    ...emulatorClientConfig(),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  };
  const clients = emulatorClients(config);
  const reader = emulatorReader(clients.cloudWatch, clients.logs);
  const app = createConsoleApp({
    reader,
    dashboardName: process.env.DASHBOARD_NAME || undefined,
    assets: readWebAssets(),
    emulatorEndpoint: config.endpoint,
    dataPlane: dataPlaneReader({
      albAdminUrl: process.env.ALB_ADMIN_URL || 'http://alb:8081',
      schedulerUrl: process.env.SCHEDULER_URL || 'http://scheduler:8082',
    }),
    alarmHistory: selectEmulator().keepsAlarmHistory
      ? 'emulator'
      : new AlarmHistoryFile(
          process.env.ALARM_HISTORY_FILE || join('/platform/monitor', ALARM_HISTORY_FILE_NAME),
        ),
  });
  const server = createServer(app.callback());
  server.on('error', (error) => {
    process.stderr.write(`the console could not listen on port ${port}: ${error.message}\n`);
    process.exit(1);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
  server.listen(port, () => process.stderr.write(`${JSON.stringify({ event: 'listening', port })}\n`));
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
