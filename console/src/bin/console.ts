/**
 * The console service: listens on PORT (8083) and draws the emulator's dashboard. Compose
 * runs it; by hand, AWS_ENDPOINT_URL points it at an emulator.
 */
import { createServer } from 'node:http';
import { emulatorClientConfig, emulatorClients } from '@zama/localstack';
import { createConsoleApp } from '../console-app';
import { emulatorReader } from '../dashboard/emulator-reader';
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
