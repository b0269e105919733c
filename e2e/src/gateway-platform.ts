/**
 * The local platform with its API gateway: compose.yaml with the `gateway` profile, brought up
 * by testcontainers on free host ports, and the key reload step `make reload-keys` performs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_ROLLING_RESTART, type Emulator, pinned, rollingRestart } from '@zama/localstack';
import { DockerComposeEnvironment, type StartedDockerComposeEnvironment, Wait } from 'testcontainers';
import { checkImage, describeWithImages } from './docker';
import { ALB_LISTENER_PORT, adminToken, platformImages, SCHEDULER_ADMIN_PORT } from './local-platform';

const repoRoot = join(__dirname, '..', '..');
const COMPOSE_FILE = 'compose.yaml';
const GATEWAY_PROFILE = 'gateway';
const GATEWAY_PROXY_PORT = 8000;
/** Kong's admin API, inside the compose network only. */
const GATEWAY_ADMIN_URL = 'http://gateway:8001';
/** compose publishes on loopback only. */
const PUBLISH_ADDRESS = '127.0.0.1';

/** The Kong image compose.yaml runs. */
export function kongImage(): string {
  return pinned('KONG_IMAGE');
}

/**
 * `describe` for a suite that needs the gateway, reported skipped with the reason where the Kong
 * image cannot be had: unlike the platform's other images, `make images` cannot build it.
 */
export function describeWithGateway(otherImages: readonly string[]): jest.Describe {
  const kong = checkImage(kongImage());
  if (!kong.available) {
    const why = kong.reason.replace(/; run 'make images'.*$/, '');
    process.stderr.write(
      `\n*** SKIPPED: API gateway suite: ${why}. Kong is in no package registry and 'make images' does not ` +
        'build it: docker load a Kong Gateway 3.x image, or set KONG_IMAGE to one this machine has\n\n',
    );
    return describe.skip;
  }
  return describeWithImages(otherImages);
}

export interface GatewayPlatform {
  /** Kong's proxy. */
  readonly gatewayUrl: string;
  /** The simulated ALB's listener, which the seed's admin addresses reach directly. */
  readonly albUrl: string;
  readonly emulatorEndpoint: string;
  /** The documented rotation step: new keys into the gateway, then the api tasks replaced one by one. */
  reloadKeys(): Promise<void>;
  down(): Promise<void>;
}

export async function startGatewayPlatform(emulator: Emulator): Promise<GatewayPlatform> {
  const project = `zama-e2e-gw-${randomBytes(4).toString('hex')}`;
  const composeEnvironment = {
    EMULATOR_IMAGE: emulator.image,
    EMULATOR_PORT: String(emulator.port),
    EMULATOR_HEALTH_PATH: emulator.healthPath,
    NODE_IMAGE: platformImages().node,
    API_IMAGE: platformImages().api,
    KONG_IMAGE: kongImage(),
    // "<address>:" + ":<container port>" publishes on a free host port.
    EMULATOR_PUBLISH: `${PUBLISH_ADDRESS}:`,
    ALB_PUBLISH: `${PUBLISH_ADDRESS}:`,
    ALB_ADMIN_PUBLISH: `${PUBLISH_ADDRESS}:`,
    SCHEDULER_PUBLISH: `${PUBLISH_ADDRESS}:`,
    CONSOLE_PUBLISH: `${PUBLISH_ADDRESS}:`,
    GATEWAY_PUBLISH: `${PUBLISH_ADDRESS}:`,
  };
  adminToken();
  const environment = await new DockerComposeEnvironment(repoRoot, COMPOSE_FILE)
    .withProjectName(project)
    .withProfiles(GATEWAY_PROFILE)
    .withEnvironment(composeEnvironment)
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(300_000)
    .up();
  try {
    const port = (service: string, containerPort: number) =>
      serviceContainer(environment, project, service).getMappedPort(containerPort);
    const schedulerUrl = `http://${PUBLISH_ADDRESS}:${port('scheduler', SCHEDULER_ADMIN_PORT)}`;
    return {
      gatewayUrl: `http://${PUBLISH_ADDRESS}:${port('gateway', GATEWAY_PROXY_PORT)}`,
      albUrl: `http://${PUBLISH_ADDRESS}:${port('alb', ALB_LISTENER_PORT)}`,
      emulatorEndpoint: `http://${PUBLISH_ADDRESS}:${port('emulator', emulator.port)}`,
      reloadKeys: async () => {
        compose(project, composeEnvironment, [
          'run',
          '--rm',
          '--no-deps',
          '-T',
          '-e',
          `GATEWAY_ADMIN_URL=${GATEWAY_ADMIN_URL}`,
          'gateway-config',
          'node',
          'localstack/dist/bin/reload-keys.js',
        ]);
        await rollingRestart({
          ...DEFAULT_ROLLING_RESTART,
          schedulerUrl,
          log: (line) => process.stdout.write(`  [reload-keys] ${line}\n`),
        });
      },
      down: async () => {
        await environment.down({ removeVolumes: true, timeout: 10_000 });
      },
    };
  } catch (error) {
    await environment.down({ removeVolumes: true, timeout: 10_000 });
    throw error;
  }
}

/** compose v2 names a container `<project>-<service>-1` (testcontainers: `<service>-1`), v1 `<project>_<service>_1`. */
function serviceContainer(environment: StartedDockerComposeEnvironment, project: string, service: string) {
  try {
    return environment.getContainer(`${service}-1`);
  } catch {
    return environment.getContainer(`${project}_${service}_1`);
  }
}

/** Runs the compose CLI the user has (v2 plugin, else v1) on this project, as scripts/reload-keys.sh does. */
function compose(project: string, variables: Record<string, string>, args: string[]): void {
  const v2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
  const [command, ...prefix] = v2 ? ['docker', 'compose'] : ['docker-compose'];
  const result = spawnSync(
    command,
    [...prefix, '-p', project, '-f', join(repoRoot, COMPOSE_FILE), '--profile', GATEWAY_PROFILE, ...args],
    { env: { ...process.env, ...variables }, encoding: 'utf8', timeout: 180_000 },
  );
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) {
    throw new Error(
      `compose ${args.join(' ')} failed (exit ${result.status}): ${(result.stderr || result.error?.message || '').trim()}`,
    );
  }
}
