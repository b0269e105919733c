/**
 * The one-shot `deploy` service of compose.yaml: deploys the CDK app with the local profile
 * into the emulator (the same `deploy:local` users run by hand), then plays the ECS agent's
 * part for the api tasks by resolving their secrets from the emulator's Secrets Manager, and
 * records the deployed names the ALB and the monitor publish metrics and logs under.
 *
 * Environment: AWS_ENDPOINT_URL (the emulator), CLOUD_ASSEMBLY_DIR (where to synthesize),
 * TASK_SECRETS_FILE (where the api tasks read their secrets), PLATFORM_NAMES_FILE (where the
 * resolved platform names go).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readCloudAssembly } from '../cloud-assembly';
import { emulatorClients } from '../deployed-values';
import { containerSecrets, resolveSecrets } from '../ecs/task-secrets';
import { resolvePlatformNames } from '../platform-names';

const INFRA_DIR = join(__dirname, '..', '..', '..', 'infra');
const API_CONTAINER = 'api';

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set (compose.yaml sets it for the deploy service)`);
  return value;
}

async function main(): Promise<void> {
  const endpoint = required('AWS_ENDPOINT_URL');
  const cloudAssemblyDir = required('CLOUD_ASSEMBLY_DIR');
  const secretsFile = required('TASK_SECRETS_FILE');
  const namesFile = required('PLATFORM_NAMES_FILE');

  const deploy = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy-local.ts'], {
    cwd: INFRA_DIR,
    stdio: 'inherit',
  });
  if (deploy.status !== 0) throw new Error(`the CDK deploy into ${endpoint} failed (exit ${deploy.status})`);

  const clientConfig = {
    endpoint,
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const secrets = await resolveSecrets(
    new SecretsManagerClient(clientConfig),
    containerSecrets(cloudAssemblyDir, API_CONTAINER),
  );
  writeWhole(secretsFile, JSON.stringify(secrets));
  console.log(`deploy: resolved ${Object.keys(secrets).join(', ')} for the ${API_CONTAINER} tasks`);

  const names = await resolvePlatformNames(
    readCloudAssembly(cloudAssemblyDir),
    emulatorClients(clientConfig),
  );
  writeWhole(namesFile, JSON.stringify(names, null, 2));
  console.log(`deploy: recorded the platform's names (load balancer ${names.loadBalancerFullName})`);
}

/** Written whole, then renamed, so that a reader never sees half a file. */
function writeWhole(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, content, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

main().catch((error: Error) => {
  console.error(`deploy: ${error.message}`);
  process.exit(1);
});
