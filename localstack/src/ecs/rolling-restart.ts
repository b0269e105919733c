/**
 * A rolling restart of the api tasks (`make local-restart`, `make reload-keys`): a new
 * deployment of the service, run by the scheduler under the service's minimum and maximum
 * healthy percent (ecs/service-scheduler.ts), followed here through its events until the
 * service reaches a steady state again.
 */
import type { Deployment, ServiceEvent } from './service-scheduler';

export interface RollingRestartOptions {
  /** The scheduler's admin endpoint, e.g. http://127.0.0.1:8082. */
  readonly schedulerUrl: string;
  /** How long the deployment may take before the restart gives up. */
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_ROLLING_RESTART: Omit<RollingRestartOptions, 'schedulerUrl'> = {
  timeoutMs: 300_000,
  log: (line) => process.stdout.write(`${line}\n`),
};

export class RollingRestartError extends Error {
  override readonly name = 'RollingRestartError';
}

interface DescribedService {
  readonly deployments: Deployment[];
  readonly events: ServiceEvent[];
}

async function schedulerRequest<T>(schedulerUrl: string, path: string, method = 'GET'): Promise<T> {
  let response: Response;
  try {
    response = await fetch(new URL(path, schedulerUrl), { method, signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new RollingRestartError(
      `the scheduler at ${schedulerUrl} does not answer (${(error as Error).message}): is the platform up? (make local-up)`,
    );
  }
  if (!response.ok) {
    throw new RollingRestartError(
      `the scheduler answered ${method} ${path} with ${response.status}: ${await response.text()}`,
    );
  }
  return (await response.json()) as T;
}

/** Starts a new deployment and resolves once it has replaced every task. */
export async function rollingRestart({ schedulerUrl, timeoutMs, log }: RollingRestartOptions): Promise<void> {
  const started = Date.now();
  const { deployment } = await schedulerRequest<{ deployment: Deployment }>(
    schedulerUrl,
    '/deployments',
    'POST',
  );
  log(`deployment ${deployment.id} started`);
  const seen = new Set<string>();
  for (;;) {
    const {
      services: [service],
    } = await schedulerRequest<{ services: DescribedService[] }>(schedulerUrl, '/services');
    const events = (service?.events ?? []).filter(
      ({ id, createdAt }) =>
        !seen.has(id) && new Date(createdAt).getTime() >= new Date(deployment.createdAt).getTime(),
    );
    for (const event of events.reverse()) {
      seen.add(event.id);
      log(`  ${event.message}`);
    }
    const deployments = service?.deployments ?? [];
    const primary = deployments.find(({ id }) => id === deployment.id);
    if (primary?.status !== 'PRIMARY') {
      throw new RollingRestartError(
        `deployment ${deployment.id} was replaced by a newer one before it completed`,
      );
    }
    if (primary.rolloutState === 'COMPLETED' && deployments.length === 1) {
      log(`deployment ${deployment.id} completed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return;
    }
    if (Date.now() - started > timeoutMs) {
      throw new RollingRestartError(
        `deployment ${deployment.id} did not complete within ${timeoutMs / 1000} s: see make local-status for its events`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
