/**
 * A rolling restart of the api tasks the way an ECS deployment replaces them behind an ALB:
 * one task at a time, deregister it from the target group, wait out the deregistration
 * delay, stop it (SIGTERM, then SIGKILL after the stop timeout), start it, register it and
 * wait until the load balancer reports it healthy before touching the next one.
 *
 *   node localstack/dist/ecs/rolling-restart.js <compose project> <ALB admin URL>
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TargetHealthDescription } from '../alb/admin';

const run = promisify(execFile);

export interface RollingRestartOptions {
  /** The compose project the tasks belong to. */
  readonly project: string;
  /** The compose service of the tasks. */
  readonly service: string;
  /** The simulated ALB's admin endpoint, e.g. http://127.0.0.1:8081. */
  readonly adminUrl: string;
  /** Seconds between SIGTERM and SIGKILL, like the container's ECS stopTimeout. */
  readonly stopTimeoutSeconds: number;
  /** How long one task may take to drain, or to be healthy again, before the restart gives up. */
  readonly stepTimeoutMs: number;
  readonly log: (line: string) => void;
}

export const DEFAULT_ROLLING_RESTART: Omit<RollingRestartOptions, 'project' | 'adminUrl'> = {
  service: 'api',
  // ECS's default stopTimeout.
  stopTimeoutSeconds: 30,
  stepTimeoutMs: 120_000,
  log: (line) => process.stdout.write(`${line}\n`),
};

export class RollingRestartError extends Error {
  override readonly name = 'RollingRestartError';
}

/**
 * The docker CLI rather than the Docker API (as the monitor uses): this runs on the host, where
 * the CLI's context knows where the daemon is (Docker Desktop, rootless Docker).
 */
async function docker(...args: string[]): Promise<string> {
  try {
    return (await run('docker', args, { encoding: 'utf8' })).stdout.trim();
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new RollingRestartError(`docker ${args[0]} failed: ${(stderr || message).trim()}`);
  }
}

/** The service's task containers in replica order, from compose's labels (v1 and v2 set the same). */
export async function taskContainers(project: string, service: string): Promise<string[]> {
  const listing = await docker(
    'ps',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
    '--format',
    '{{.ID}} {{.Label "com.docker.compose.container-number"}}',
  );
  return listing
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .sort(([, a], [, b]) => Number(a) - Number(b))
    .map(([id]) => id);
}

async function containerIp(id: string): Promise<string> {
  return docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id);
}

async function targets(adminUrl: string): Promise<TargetHealthDescription[]> {
  const response = await fetch(new URL('/targets', adminUrl), { signal: AbortSignal.timeout(3000) });
  return ((await response.json()) as { TargetHealthDescriptions: TargetHealthDescription[] })
    .TargetHealthDescriptions;
}

async function changeRegistration(
  adminUrl: string,
  operation: 'register' | 'deregister',
  ip: string,
): Promise<void> {
  const response = await fetch(new URL(`/targets/${operation}`, adminUrl), {
    method: 'POST',
    body: JSON.stringify({ Targets: [{ Id: ip }] }),
    signal: AbortSignal.timeout(3000),
  });
  if (!response.ok) {
    throw new RollingRestartError(`the ALB refused to ${operation} ${ip}: ${await response.text()}`);
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline)
      throw new RollingRestartError(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Restarts every task of the service, one after the other, without dropping a request. */
export async function rollingRestart(options: RollingRestartOptions): Promise<void> {
  const { project, service, adminUrl, stopTimeoutSeconds, stepTimeoutMs, log } = options;
  const containers = await taskContainers(project, service);
  if (containers.length === 0) {
    throw new RollingRestartError(
      `no running ${service} tasks in compose project ${project}: is the platform up?`,
    );
  }
  for (const [index, id] of containers.entries()) {
    const task = `${service} task ${index + 1}/${containers.length}`;
    const ip = await containerIp(id);
    const started = Date.now();
    log(`${task} (${ip}): deregistering`);
    await changeRegistration(adminUrl, 'deregister', ip);
    await waitUntil(
      async () => !(await targets(adminUrl)).some((target) => target.Target.Id === ip),
      stepTimeoutMs,
      `${ip} to finish draining`,
    );
    log(`${task} (${ip}): drained, stopping`);
    await docker('stop', '-t', String(stopTimeoutSeconds), id);
    await docker('start', id);
    const restartedIp = await containerIp(id);
    // Like ECS once the new task runs; the address may well be the old one, which discovery
    // alone would keep out, since it never saw it leave.
    await changeRegistration(adminUrl, 'register', restartedIp);
    await waitUntil(
      async () =>
        (await targets(adminUrl)).some(
          (target) => target.Target.Id === restartedIp && target.TargetHealth.State === 'healthy',
        ),
      stepTimeoutMs,
      `${restartedIp} to be healthy again`,
    );
    log(`${task} (${restartedIp}): healthy again after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
