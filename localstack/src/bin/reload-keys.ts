/**
 * The key rotation step of the local platform (`make reload-keys`), run in the gateway-config
 * service after the API keys secret changed: it resolves the api tasks' secrets again (their
 * restart, which the make target does next, is ECS's new deployment) and renders the gateway's
 * configuration again, loading it into the running gateway when GATEWAY_ADMIN_URL is set
 * (`deck gateway sync` is the same step for Kong Konnect).
 *
 * Environment: that of main.ts, plus TASK_SECRETS_FILE (where the api tasks read their
 * secrets) and GATEWAY_ADMIN_URL (optional: Kong's admin API inside the compose network).
 */
import { requiredEnv, runMain } from '../cli';
import { containerSecrets, resolveSecrets } from '../ecs/task-secrets';
import { emulatorClients } from '../emulator-clients';
import { writeWhole } from '../files';
import { loadIntoGateway } from '../gateway/admin';
import { writeGatewayConfig } from '../gateway/gateway-config';

const API_CONTAINER = 'api';

async function main(): Promise<void> {
  const cloudAssemblyDir = requiredEnv('CLOUD_ASSEMBLY_DIR');
  const configFile = requiredEnv('GATEWAY_CONFIG_FILE');
  const secretsFile = requiredEnv('TASK_SECRETS_FILE');
  const adminUrl = process.env.GATEWAY_ADMIN_URL?.trim();
  const { secretsManager } = emulatorClients();

  const secrets = await resolveSecrets(secretsManager, containerSecrets(cloudAssemblyDir, API_CONTAINER));
  writeWhole(secretsFile, JSON.stringify(secrets));
  console.log(
    `reload-keys: resolved ${Object.keys(secrets).join(', ')} for the ${API_CONTAINER} tasks again`,
  );

  const { config, yaml, secretId } = await writeGatewayConfig(secretsManager, {
    cloudAssemblyDir,
    configFile,
  });
  const consumers = (config.consumers ?? []).map((consumer) => consumer.username).join(', ');
  if (!adminUrl) {
    console.log(
      `reload-keys: wrote ${configFile} (consumers of ${secretId}: ${consumers}); no gateway to load it into`,
    );
    return;
  }
  await loadIntoGateway(adminUrl, config, yaml);
  console.log(`reload-keys: the gateway now accepts the consumers of ${secretId}: ${consumers}`);
}

runMain('reload-keys', main);
