/**
 * The one-shot `gateway-config` service of compose.yaml: renders the file the gateway loads at
 * start-up from localstack/gateway/kong.yaml and the API keys secret in the emulator.
 *
 * Environment: CLOUD_ASSEMBLY_DIR (the deployed cloud assembly, which names the secret),
 * GATEWAY_CONFIG_FILE (where Kong reads its declarative configuration), AWS_ENDPOINT_URL (the
 * emulator; unset, the AWS account of the credentials), GATEWAY_UPSTREAM_URL (optional: the
 * load balancer's URL when rendering for Kong Konnect).
 */
import { requiredEnv, runMain } from '../cli';
import { emulatorClients } from '../emulator-clients';
import { writeGatewayConfig } from '../gateway/gateway-config';

async function main(): Promise<void> {
  const configFile = requiredEnv('GATEWAY_CONFIG_FILE');
  const { config, secretId } = await writeGatewayConfig(emulatorClients().secretsManager, {
    cloudAssemblyDir: requiredEnv('CLOUD_ASSEMBLY_DIR'),
    configFile,
  });
  const consumers = (config.consumers ?? []).map((consumer) => consumer.username);
  console.log(
    `gateway-config: wrote ${configFile} with the consumers of ${secretId}: ${consumers.join(', ')}`,
  );
}

runMain('gateway-config', main);
