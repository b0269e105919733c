import { CloudAssemblyError } from '../cloud-assembly';
import { ListenError } from './listen';
import { loadAlbSettings } from './settings';
import { logDiagnostic, type SimulatedAlb, startSimulatedAlb } from './simulated-alb';

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
 * LISTEN_PORT to listen somewhere else than the listener port the CDK app defines.
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
  return startSimulatedAlb({
    settings:
      listenPort === undefined
        ? settings
        : { ...settings, listener: { ...settings.listener, port: listenPort } },
    targetHost: env.TARGET_HOST?.trim() || DEFAULT_TARGET_HOST,
    adminPort: portFrom(env, 'ADMIN_PORT') ?? DEFAULT_ADMIN_PORT,
  });
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

async function main(): Promise<void> {
  const alb = await startFromEnvironment(process.env);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means the caller does not want to wait for in-flight requests.
      process.exit(1);
    }
    stopping = true;
    logDiagnostic({ event: 'stopping', signal });
    alb.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logDiagnostic({ event: 'stop-failed', error: error.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: Error) => {
    const known =
      error instanceof EnvironmentError ||
      error instanceof CloudAssemblyError ||
      error instanceof ListenError;
    process.stderr.write(`simulated ALB cannot start: ${known ? error.message : error.stack}\n`);
    process.exit(1);
  });
}
