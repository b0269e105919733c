/**
 * The one-shot `deploy` service of compose.yaml: deploys the CDK app with the local profile
 * into the emulator (the same `deploy:local` users run by hand), then plays the ECS agent's
 * part for the api tasks by resolving their secrets from the emulator's Secrets Manager, and
 * records the deployed names the ALB and the monitor publish metrics and logs under.
 *
 * Environment: AWS_ENDPOINT_URL (the emulator), CLOUD_ASSEMBLY_DIR (where to synthesize),
 * TASK_SECRETS_FILE (where the api tasks read their secrets), DEPLOYED_NAMES_FILE (where the
 * resolved names go).
 */
import { requiredEnv, runMain } from '../cli';
import { readCloudAssembly } from '../cloud-assembly';
import { deployLocal } from '../deploy/deploy-local';
import { resolveDeployedNames } from '../deployed-names';
import { writeDeployedNames } from '../deployed-names-file';
import { containerSecrets, resolveSecrets } from '../ecs/task-secrets';
import { emulatorClientConfig, emulatorClients } from '../emulator-clients';
import { writeWhole } from '../files';

const API_CONTAINER = 'api';

async function main(): Promise<number> {
  const clients = emulatorClients(emulatorClientConfig());
  const cloudAssemblyDir = requiredEnv('CLOUD_ASSEMBLY_DIR');
  const secretsFile = requiredEnv('TASK_SECRETS_FILE');
  const namesFile = requiredEnv('DEPLOYED_NAMES_FILE');

  const deployed = await deployLocal(process.env);
  if (deployed !== 0)
    throw new Error(`the CDK deploy into ${clients.config.endpoint} failed (exit ${deployed})`);

  const secrets = await resolveSecrets(
    clients.secretsManager,
    containerSecrets(cloudAssemblyDir, API_CONTAINER),
  );
  writeWhole(secretsFile, JSON.stringify(secrets));
  console.log(`deploy: resolved ${Object.keys(secrets).join(', ')} for the ${API_CONTAINER} tasks`);

  const names = await resolveDeployedNames(readCloudAssembly(cloudAssemblyDir), clients);
  writeDeployedNames(namesFile, names);
  console.log(`deploy: recorded the platform's names (load balancer ${names.loadBalancerFullName})`);
  return 0;
}

runMain('deploy', main);
