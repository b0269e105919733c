/**
 * `make api-key`, inside the monitor container: prints the demo API key of the running platform,
 * read from the emulator's Secrets Manager through the api container's `API_KEYS` secret
 * reference, as the ECS agent reads it. Environment: AWS_ENDPOINT_URL, CLOUD_ASSEMBLY_DIR.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { containerSecrets, resolveSecrets } from './ecs/task-secrets';

const DEMO_KEY_NAME = 'api_key_demo';

async function main(): Promise<void> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const cloudAssemblyDir = process.env.CLOUD_ASSEMBLY_DIR;
  if (!endpoint || !cloudAssemblyDir) throw new Error('AWS_ENDPOINT_URL and CLOUD_ASSEMBLY_DIR must be set');
  const secretsManager = new SecretsManagerClient({
    endpoint,
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const apiKeys = containerSecrets(cloudAssemblyDir, 'api').filter((secret) => secret.name === 'API_KEYS');
  const { API_KEYS } = await resolveSecrets(secretsManager, apiKeys);
  const keys = JSON.parse(API_KEYS ?? '{}') as Record<string, string>;
  const key = keys[DEMO_KEY_NAME];
  if (!key)
    throw new Error(`the api-keys secret has no ${DEMO_KEY_NAME} (it has: ${Object.keys(keys).join(', ')})`);
  console.log(key);
}

main().catch((error: Error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
