import type { Server } from 'node:http';
import type { Logger } from './logger';
import type { Readiness } from './readiness';

export interface ShutdownOptions {
  server: Server;
  readiness: Readiness;
  logger: Logger;
  graceMs: number;
}

export interface ShutdownTimings {
  /** Time the server keeps accepting connections after readiness turns 503. */
  drainMs: number;
  /** Time after the signal at which connections still open are cut. */
  deadlineMs: number;
}

/**
 * The drain lets the load balancer see the 503 and stop routing here before the listener goes;
 * the deadline leaves a tenth of the grace period for the process to exit before the
 * orchestrator's SIGKILL.
 */
export function shutdownTimings(graceMs: number): ShutdownTimings {
  return { drainMs: Math.min(5000, Math.floor(graceMs / 4)), deadlineMs: Math.floor(graceMs * 0.9) };
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, ms)).unref();
  });

/** Returns the shutdown procedure; calling it again (a second signal) joins the one under way. */
export function createShutdown({
  server,
  readiness,
  logger,
  graceMs,
}: ShutdownOptions): (signal: string) => Promise<void> {
  const { drainMs, deadlineMs } = shutdownTimings(graceMs);
  let underway: Promise<void> | undefined;

  async function shutDown(signal: string): Promise<void> {
    const started = Date.now();
    readiness.markDraining();
    logger.info(
      { signal, drain_ms: drainMs, deadline_ms: deadlineMs },
      'shutdown started: readiness reports 503',
    );
    await delay(drainMs);

    const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
    server.closeIdleConnections();
    logger.info('stopped accepting connections; waiting for requests in flight');
    const allFinished = await Promise.race([
      closed,
      delay(deadlineMs - (Date.now() - started)).then(() => false),
    ]);
    if (!allFinished) {
      server.closeAllConnections();
      logger.warn('shutdown deadline reached: closed the connections still open');
    }
    logger.info({ duration_ms: Date.now() - started }, 'shutdown complete');
  }

  return (signal) => {
    underway ??= shutDown(signal);
    return underway;
  };
}
