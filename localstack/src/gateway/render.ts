/**
 * Renders the file Kong loads: the policy of localstack/gateway/kong.yaml plus one consumer per
 * key of the API keys secret, the same secret the api tasks read, so both layers accept the
 * same keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'yaml';
import { containerSecrets } from '../ecs/task-secrets';
import {
  checkDeckFile,
  type DeckConsumer,
  type DeckFile,
  DeckFileError,
  parseDeckFile,
  routePlugin,
} from './deck-file';

/** The gateway's policy, committed without consumers. */
export const GATEWAY_TEMPLATE = join(__dirname, '..', '..', 'gateway', 'kong.yaml');

/** The container whose `API_KEYS` secret holds the keys the gateway accepts. */
const API_CONTAINER = 'api';
const API_KEYS_VARIABLE = 'API_KEYS';
/** The route the key, rate and size checks guard. */
const API_ROUTE = 'api';

export function readGatewayTemplate(path = GATEWAY_TEMPLATE): DeckFile {
  const template = parseDeckFile(readFileSync(path, 'utf8'), path);
  if (template.consumers !== undefined) {
    throw new DeckFileError(
      `${path} declares consumers: API keys belong in the API keys secret, never in the repository`,
    );
  }
  return template;
}

/** The Secrets Manager secret the task definition injects into the api container as `API_KEYS`. */
export function apiKeysSecretId(cloudAssemblyDir: string): string {
  const secret = containerSecrets(cloudAssemblyDir, API_CONTAINER).find(
    (entry) => entry.name === API_KEYS_VARIABLE,
  );
  if (!secret || secret.jsonKey) {
    throw new DeckFileError(
      `the ${API_CONTAINER} container of ${cloudAssemblyDir} gets no whole secret as ${API_KEYS_VARIABLE}: ` +
        'the gateway reads its keys from that secret; run make synth',
    );
  }
  return secret.secretId;
}

/**
 * One consumer per key of the secret's JSON object (`{"<name>": "<key>"}`), named after the key.
 * Messages name the secret and the entries, never a value.
 */
export function consumersFromSecret(secretString: string, secretId: string): DeckConsumer[] {
  const shape = `secret ${secretId} must be a JSON object of key names to non-empty keys, e.g. {"api_key_demo":"..."}`;
  let keys: unknown;
  try {
    keys = JSON.parse(secretString);
  } catch {
    throw new DeckFileError(`${shape}; it is not JSON`);
  }
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new DeckFileError(shape);
  const entries = Object.entries(keys);
  if (entries.length === 0)
    throw new DeckFileError(`${shape}; it holds no key, so no client could call the API`);
  const invalid = entries
    .filter(([, key]) => typeof key !== 'string' || key === '')
    .map(([keyName]) => keyName);
  if (invalid.length > 0) throw new DeckFileError(`${shape}; not a non-empty string: ${invalid.join(', ')}`);
  return entries.map(([username, key]) => ({ username, keyauth_credentials: [{ key: key as string }] }));
}

export interface RenderOptions {
  readonly consumers: readonly DeckConsumer[];
  /** Where the gateway forwards to; the template's service URL when not given. */
  readonly upstreamUrl?: string;
}

/** The template with its consumers (and upstream), checked as Kong would need it. */
export function renderGatewayConfig(template: DeckFile, { consumers, upstreamUrl }: RenderOptions): DeckFile {
  const services = template.services.map((service) => ({ ...service, url: upstreamUrl ?? service.url }));
  return checkDeckFile(
    { ...template, services, consumers: [...consumers] },
    `the gateway configuration rendered with ${consumers.length} consumer(s)`,
  );
}

/** YAML for Kong and decK, headed by a warning that it holds keys. */
export function gatewayConfigYaml(config: DeckFile, secretId: string): string {
  const document = new Document(config);
  document.commentBefore =
    ` Rendered from localstack/gateway/kong.yaml and the secret ${secretId}.\n` +
    ' It holds API keys: keep it out of the repository.';
  return document.toString();
}

/** The limits the gateway enforces on the API route. */
export interface GatewayLimits {
  readonly requestsPerMinute: number;
  readonly bodyBytes: number;
  /** The header that carries the API key. */
  readonly keyHeader: string;
}

export function gatewayLimits(config: DeckFile): GatewayLimits {
  const route = config.services
    .flatMap((service) => service.routes)
    .find((entry) => entry.name === API_ROUTE);
  const keyAuth = route && routePlugin(route, 'key-auth');
  const rateLimiting = route && routePlugin(route, 'rate-limiting');
  const sizeLimiting = route && routePlugin(route, 'request-size-limiting');
  if (!keyAuth || !rateLimiting || !sizeLimiting) {
    throw new DeckFileError(
      `route ${API_ROUTE} must enable key-auth, rate-limiting and request-size-limiting (see localstack/gateway/kong.yaml)`,
    );
  }
  const bytesPerUnit = { bytes: 1, kilobytes: 1024, megabytes: 1024 * 1024 }[sizeLimiting.config.size_unit];
  return {
    requestsPerMinute: rateLimiting.config.minute,
    bodyBytes: sizeLimiting.config.allowed_payload_size * bytesPerUnit,
    keyHeader: keyAuth.config.key_names[0],
  };
}
