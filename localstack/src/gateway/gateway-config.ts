/**
 * What the gateway's one-shot services share: settings from the environment, the keys read
 * from Secrets Manager, the rendered file written where Kong reads it.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { writeWhole } from '../files';
import type { DeckFile } from './deck-file';
import {
  apiKeysSecretId,
  consumersFromSecret,
  gatewayConfigYaml,
  readGatewayTemplate,
  renderGatewayConfig,
} from './render';

export interface RenderedGatewayConfig {
  readonly config: DeckFile;
  readonly yaml: string;
  readonly secretId: string;
}

/** Renders the template with the keys the api tasks' secret holds now and writes it to `configFile`. */
export async function writeGatewayConfig(
  secretsManager: SecretsManagerClient,
  { cloudAssemblyDir, configFile }: { cloudAssemblyDir: string; configFile: string },
): Promise<RenderedGatewayConfig> {
  const secretId = apiKeysSecretId(cloudAssemblyDir);
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined) throw new Error(`secret ${secretId} has no string value`);
  const config = renderGatewayConfig(readGatewayTemplate(), {
    consumers: consumersFromSecret(SecretString, secretId),
    upstreamUrl: process.env.GATEWAY_UPSTREAM_URL?.trim() || undefined,
  });
  const yaml = gatewayConfigYaml(config, secretId);
  writeWhole(configFile, yaml);
  return { config, yaml, secretId };
}
