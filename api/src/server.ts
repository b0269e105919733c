import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { Readiness } from './readiness';
import { SERVICE_VERSION } from './service-info';
import { createShutdown } from './shutdown';

// Longer than the ALB's 60 s idle timeout, so the ALB always closes an idle connection before
// the server does and never sends a request down a socket the server has just closed.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
// Node must not time out a keep-alive connection's next request headers before keepAliveTimeout.
const HEADERS_TIMEOUT_MS = 66_000;

function loadConfigOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

function main(): void {
  const config = loadConfigOrExit();
  const logger = createLogger(config);

  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection: exiting');
    process.exit(1);
  });

  const readiness = new Readiness();
  const server = createServer(createApp(config, { logger, readiness }).callback());
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;

  const shutdown = createShutdown({ server, readiness, logger, graceMs: config.shutdownGraceMs });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void shutdown(signal).then(() => process.exit(0));
    });
  }

  server.on('error', (error) => {
    logger.fatal({ err: error, port: config.port }, 'the server could not listen');
    process.exit(1);
  });
  server.listen(config.port, () => {
    readiness.markReady();
    const { port } = server.address() as AddressInfo;
    logger.info(
      { port, environment: config.nodeEnv, version: SERVICE_VERSION, api_keys: config.apiKeys.size },
      'listening',
    );
    if (config.authDisabled) logger.warn('AUTH_DISABLED=true: /api/* accepts requests without an API key');
    if (config.faultInjectionEnabled) {
      logger.warn('FAULT_INJECTION_ENABLED=true: PUT /_local/fault can make this task fail on purpose');
    }
  });
}

main();
