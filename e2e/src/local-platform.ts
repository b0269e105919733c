/**
 * The local platform for the e2e suites: the same compose.yaml `make local-up` runs, brought
 * up by testcontainers on free host ports so that it never clashes with a running platform.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Emulator, pinned } from '@zama/localstack';
import {
  DockerComposeEnvironment,
  type StartedDockerComposeEnvironment,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import { emulatorClientConfig } from './aws';
import { targetHealth } from './traffic';

const repoRoot = join(__dirname, '..', '..');

export const ALB_LISTENER_PORT = 8080;
export const ALB_ADMIN_PORT = 8081;
export const SCHEDULER_ADMIN_PORT = 8082;
export const CONSOLE_PORT = 8083;

/**
 * compose publishes the platform's ports on loopback only, so the suites connect there rather
 * than to testcontainers' host guess, which inside a container is the bridge gateway.
 */
const PUBLISH_ADDRESS = '127.0.0.1';

export interface LocalPlatform {
  /** The compose project name, unique to this platform. */
  readonly project: string;
  readonly albUrl: string;
  readonly adminUrl: string;
  /** The scheduler's endpoint: the ECS service, its tasks, its scaling activities. */
  readonly schedulerUrl: string;
  /** The console: the dashboard drawn from the emulator. */
  readonly consoleUrl: string;
  readonly emulatorEndpoint: string;
  /**
   * The ids of the running api task containers, oldest replica first: compose's first ones and
   * those the scheduler started since.
   */
  apiTasks(): string[];
  /** The scheduler container's id. */
  scheduler(): string;
  /** The ALB container's id: the one container that shares the tasks network with the tasks. */
  alb(): string;
  /** The monitor container: on the platform's main network, like everything but the tasks. */
  monitor(): StartedTestContainer;
  down(): Promise<void>;
}

/** The images compose.yaml runs besides the emulator's. */
export function platformImages(): { api: string; node: string } {
  return {
    api: pinned('API_IMAGE'),
    node: pinned('NODE_IMAGE'),
  };
}

/** The ALB admin token that compose.yaml hands to the ALB and the scheduler, written if absent. */
export function adminToken(): string {
  execFileSync(join(repoRoot, 'scripts', 'alb-admin-token.sh'));
  return readFileSync(join(repoRoot, '.local', 'alb-admin-token'), 'utf8').trim();
}

export async function startLocalPlatform(emulator: Emulator): Promise<LocalPlatform> {
  adminToken();
  const project = `zama-e2e-${randomBytes(4).toString('hex')}`;
  const environment = await new DockerComposeEnvironment(repoRoot, 'compose.yaml')
    .withProjectName(project)
    .withEnvironment({
      AWS_EMULATOR: emulator.name,
      EMULATOR_IMAGE: emulator.image,
      EMULATOR_PORT: String(emulator.port),
      EMULATOR_HEALTH_PATH: emulator.healthPath,
      NODE_IMAGE: platformImages().node,
      API_IMAGE: platformImages().api,
      // "<address>:" + ":<container port>" publishes on a free host port.
      EMULATOR_PUBLISH: `${PUBLISH_ADDRESS}:`,
      ALB_PUBLISH: `${PUBLISH_ADDRESS}:`,
      ALB_ADMIN_PUBLISH: `${PUBLISH_ADDRESS}:`,
      SCHEDULER_PUBLISH: `${PUBLISH_ADDRESS}:`,
      CONSOLE_PUBLISH: `${PUBLISH_ADDRESS}:`,
    })
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(240_000)
    .up();
  try {
    const container = (service: string, index: number) =>
      serviceContainer(environment, project, service, index);
    const alb = container('alb', 1);
    const emulatorContainer = container('emulator', 1);
    const scheduler = container('scheduler', 1);
    return {
      project,
      albUrl: `http://${PUBLISH_ADDRESS}:${alb.getMappedPort(ALB_LISTENER_PORT)}`,
      adminUrl: `http://${PUBLISH_ADDRESS}:${alb.getMappedPort(ALB_ADMIN_PORT)}`,
      schedulerUrl: `http://${PUBLISH_ADDRESS}:${scheduler.getMappedPort(SCHEDULER_ADMIN_PORT)}`,
      consoleUrl: `http://${PUBLISH_ADDRESS}:${container('console', 1).getMappedPort(CONSOLE_PORT)}`,
      emulatorEndpoint: `http://${PUBLISH_ADDRESS}:${emulatorContainer.getMappedPort(emulator.port)}`,
      apiTasks: () => runningTasks(project),
      scheduler: () => scheduler.getId(),
      alb: () => alb.getId(),
      monitor: () => container('monitor', 1),
      down: () => downWithVolumes(environment),
    };
  } catch (error) {
    await downWithVolumes(environment);
    throw error;
  }
}

async function downWithVolumes(environment: StartedDockerComposeEnvironment): Promise<void> {
  await environment.down({ removeVolumes: true, timeout: 10_000 });
}

/** A task's address on the tasks network, which the target group registers. */
export function taskIp(containerId: string): string {
  return execFileSync(
    'docker',
    ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', containerId],
    { encoding: 'utf8' },
  ).trim();
}

/**
 * Whether exactly `count` tasks run, each registered and healthy, and no other target is: what
 * the scheduler returns to after a replacement or a scaling activity.
 */
export async function hasHealthyTasks(platform: LocalPlatform, count: number): Promise<boolean> {
  let ips: string[];
  try {
    ips = platform.apiTasks().map(taskIp);
  } catch {
    // A task removed between the listing and its inspection: the count is changing.
    return false;
  }
  const healthy = (await targetHealth(platform.adminUrl)).filter((t) => t.TargetHealth.State === 'healthy');
  return ips.length === count && healthy.length === count && healthy.every((t) => ips.includes(t.Target.Id));
}

/** The id of the one running container of a compose service of the platform (empty when it is not running). */
export function composeContainer(project: string, service: string): string {
  return execFileSync(
    'docker',
    [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ],
    { encoding: 'utf8' },
  ).trim();
}

/** From compose's labels, which the scheduler's tasks carry too. */
function runningTasks(project: string): string[] {
  return execFileSync(
    'docker',
    [
      'ps',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      'label=com.docker.compose.service=api',
      '--format',
      '{{.ID}} {{.Label "com.docker.compose.container-number"}}',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .sort(([, a], [, b]) => Number(a) - Number(b))
    .map(([id]) => id as string);
}

/** compose v2 names a replica `<project>-api-1` (which testcontainers shortens to `api-1`), v1 `<project>_api_1`. */
function serviceContainer(
  environment: StartedDockerComposeEnvironment,
  project: string,
  service: string,
  index: number,
): StartedTestContainer {
  try {
    return environment.getContainer(`${service}-${index}`);
  } catch {
    return environment.getContainer(`${project}_${service}_${index}`);
  }
}

/** The demo key of the API keys secret, read from the emulator as a client of the platform would. */
export async function demoApiKey(platform: LocalPlatform, secretName: string): Promise<string> {
  const { SecretString } = await new SecretsManagerClient(
    emulatorClientConfig(platform.emulatorEndpoint),
  ).send(new GetSecretValueCommand({ SecretId: secretName }));
  const keys = JSON.parse(SecretString ?? '{}') as Record<string, string>;
  const key = Object.values(keys)[0];
  if (!key) throw new Error(`secret ${secretName} holds no API key`);
  return key;
}
