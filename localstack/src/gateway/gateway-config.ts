/**
 * What the gateway's one-shot services share: settings from the environment, the keys read
 * from Secrets Manager, the rendered file written where Kong reads it.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DeckFile } from './deck-file';
import {
  apiKeysSecretId,
  consumersFromSecret,
  gatewayConfigYaml,
  readGatewayTemplate,
  renderGatewayConfig,
} from './render';

export function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set (compose.yaml sets it for the gateway-config service)`);
  return value;
}

/** Secrets Manager of the emulator when AWS_ENDPOINT_URL is set, of the AWS account otherwise. */
export function secretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: process.env.AWS_ENDPOINT_URL?.trim() || undefined });
}

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
  writeAtomically(configFile, yaml);
  return { config, yaml, secretId };
}

/** Written whole, then renamed, so a reader never sees half a file. */
export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  // Readable by the gateway's own user; the volume is private to the compose project.
  writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}
