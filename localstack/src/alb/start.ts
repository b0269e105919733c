import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { readAdminToken } from '../admin-token';
import { alarmPeriodsSeconds, readCloudAssembly } from '../cloud-assembly';
import { cloudWatchOutbox } from '../cloudwatch/metric-outbox';
import { readDeployedNames } from '../deployed-names-file';
import { type AlbMetricsOptions, metricsIntervalSeconds } from './metrics';
import { loadAlbSettings } from './settings';
import { logDiagnostic, type SimulatedAlb, startSimulatedAlb } from './simulated-alb';
import { findTasksNetwork, type TasksNetwork } from './tasks-network';

/** A missing or malformed environment variable. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

export const DEFAULT_TARGET_HOST = 'api';
export const DEFAULT_ADMIN_PORT = 8081;

/**
 * Starts the simulated ALB from its environment:
 * CLOUD_ASSEMBLY_DIR (required) the synthesized CDK app, e.g. infra/cdk.out;
 * TARGET_HOST the name that resolves to every target (default `api`);
 * ADMIN_PORT the admin endpoint's port (default 8081);
 * TASKS_NETWORK_ALIAS (required) the ALB's alias on the tasks network: targets must be in that
 * network's subnet, and the admin endpoint listens on every address but the one there;
 * ADMIN_TOKEN_FILE (required) a file holding the token that registering and deregistering
 * targets requires (`make local-up` writes .local/alb-admin-token);
 * LISTEN_PORT to listen somewhere else than the listener port the CDK app defines;
 * LOAD_BALANCER_FULL_NAME and TARGET_GROUP_FULL_NAME (`app/<name>/<id>`, `targetgroup/<name>/<id>`,
 * as the alarms' dimensions in the emulator), or else DEPLOYED_NAMES_FILE (the names the deploy
 * service resolved), to publish AWS/ApplicationELB metrics, to
 * METRICS_ENDPOINT_URL or else AWS_ENDPOINT_URL, every METRICS_INTERVAL_SECONDS (a divisor of the
 * templates' alarm periods; default half the shortest).
 */
export async function startFromEnvironment(env: NodeJS.ProcessEnv): Promise<SimulatedAlb> {
  const cloudAssemblyDir = env.CLOUD_ASSEMBLY_DIR?.trim();
  if (!cloudAssemblyDir) {
    throw new EnvironmentError(
      'CLOUD_ASSEMBLY_DIR is not set: point it at the synthesized CDK app (infra/cdk.out, made by `make synth`)',
    );
  }
  const settings = loadAlbSettings(cloudAssemblyDir);
  const listenPort = portFrom(env, 'LISTEN_PORT');
  const adminToken = adminTokenFrom(env);
  const tasksNetwork = await tasksNetworkFrom(env);
  return startSimulatedAlb({
    settings:
      listenPort === undefined
        ? settings
        : { ...settings, listener: { ...settings.listener, port: listenPort } },
    targetHost: env.TARGET_HOST?.trim() || DEFAULT_TARGET_HOST,
    adminPort: portFrom(env, 'ADMIN_PORT') ?? DEFAULT_ADMIN_PORT,
    adminHosts: tasksNetwork.adminHosts,
    targetSubnet: tasksNetwork.subnet,
    adminToken,
    metrics: metricsFrom(env, cloudAssemblyDir),
  });
}

function adminTokenFrom(env: NodeJS.ProcessEnv): string {
  try {
    return readAdminToken('ADMIN_TOKEN_FILE', env);
  } catch (error) {
    throw new EnvironmentError((error as Error).message);
  }
}

async function tasksNetworkFrom(env: NodeJS.ProcessEnv): Promise<TasksNetwork> {
  const alias = env.TASKS_NETWORK_ALIAS?.trim();
  if (!alias) {
    throw new EnvironmentError(
      "TASKS_NETWORK_ALIAS is not set: name the ALB's alias on the tasks network (compose.yaml gives it)",
    );
  }
  try {
    return await findTasksNetwork(alias);
  } catch (error) {
    throw new EnvironmentError(`TASKS_NETWORK_ALIAS=${alias}: ${(error as Error).message}`);
  }
}

/** Metrics are off unless both dimension values are given: without them no alarm would see the data. */
function metricsFrom(env: NodeJS.ProcessEnv, cloudAssemblyDir: string): AlbMetricsOptions | undefined {
  const namesFile = env.DEPLOYED_NAMES_FILE?.trim();
  const names = namesFile ? readDeployedNames(namesFile) : undefined;
  const loadBalancer = env.LOAD_BALANCER_FULL_NAME?.trim() || names?.loadBalancerFullName;
  const targetGroup = env.TARGET_GROUP_FULL_NAME?.trim() || names?.targetGroupFullName;
  if (!loadBalancer && !targetGroup) return undefined;
  if (!loadBalancer || !targetGroup) {
    throw new EnvironmentError(
      `${loadBalancer ? 'TARGET_GROUP_FULL_NAME' : 'LOAD_BALANCER_FULL_NAME'} is not set: metrics need both LOAD_BALANCER_FULL_NAME and TARGET_GROUP_FULL_NAME (unset both to publish no metrics)`,
    );
  }
  requireFullName(loadBalancer, 'LOAD_BALANCER_FULL_NAME', 'app', 'LoadBalancerFullName');
  requireFullName(targetGroup, 'TARGET_GROUP_FULL_NAME', 'targetgroup', 'TargetGroupFullName');
  // Never AWS's own endpoint by default: the simulated ALB must not publish into a real account.
  const endpoint = env.METRICS_ENDPOINT_URL?.trim() || env.AWS_ENDPOINT_URL?.trim();
  if (!endpoint) {
    throw new EnvironmentError(
      'Metrics need a CloudWatch endpoint: set METRICS_ENDPOINT_URL (or AWS_ENDPOINT_URL) to the emulator, e.g. http://emulator:4566',
    );
  }
  return {
    sink: cloudWatchOutbox(
      new CloudWatchClient({
        endpoint,
        region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
        maxAttempts: 1,
      }),
      logDiagnostic,
    ),
    dimensions: { loadBalancer, targetGroup },
    intervalSeconds: intervalFrom(env, cloudAssemblyDir),
  };
}

function requireFullName(value: string, name: string, prefix: string, attribute: string): void {
  if (!new RegExp(`^${prefix}/[^/]+/[^/]+$`).test(value)) {
    throw new EnvironmentError(
      `${name}=${value} is not a full name like ${prefix}/<name>/<id> (the ${attribute} attribute, not an ARN)`,
    );
  }
}

function intervalFrom(env: NodeJS.ProcessEnv, cloudAssemblyDir: string): number {
  const periods = alarmPeriodsSeconds(readCloudAssembly(cloudAssemblyDir));
  const value = env.METRICS_INTERVAL_SECONDS?.trim();
  try {
    return metricsIntervalSeconds(periods, value ? Number(value) : undefined);
  } catch (error) {
    throw new EnvironmentError(`METRICS_INTERVAL_SECONDS=${value}: ${(error as Error).message}`);
  }
}

function portFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EnvironmentError(`${name}=${value} is not a port number (0-65535)`);
  }
  return port;
}
