/**
 * `make api-key`, inside the monitor container: prints the demo API key of the running platform,
 * read from the emulator's Secrets Manager through the api container's `API_KEYS` secret
 * reference, as the ECS agent reads it. Environment: AWS_ENDPOINT_URL, CLOUD_ASSEMBLY_DIR.
 */
import { requiredEnv, runMain } from '../cli';
import { containerSecrets, resolveSecrets } from '../ecs/task-secrets';
import { emulatorClientConfig, emulatorClients } from '../emulator-clients';

const DEMO_KEY_NAME = 'api_key_demo';

async function main(): Promise<void> {
  const setBy = 'run it as `make api-key` does, in the monitor service';
  const { secretsManager } = emulatorClients(emulatorClientConfig(process.env, setBy));
  const apiKeys = containerSecrets(requiredEnv('CLOUD_ASSEMBLY_DIR', process.env, setBy), 'api').filter(
    (secret) => secret.name === 'API_KEYS',
  );
  const { API_KEYS } = await resolveSecrets(secretsManager, apiKeys);
  const keys = JSON.parse(API_KEYS ?? '{}') as Record<string, string>;
  const key = keys[DEMO_KEY_NAME];
  if (!key)
    throw new Error(`the api-keys secret has no ${DEMO_KEY_NAME} (it has: ${Object.keys(keys).join(', ')})`);
  console.log(key);
}

runMain('api-key', main);
