/**
 * Replaces a running DB-less Kong's configuration through its admin API (`POST /config`), the
 * one way to change what DB-less Kong enforces without restarting it.
 */
import type { DeckFile } from './deck-file';

export class GatewayAdminError extends Error {
  override readonly name = 'GatewayAdminError';
}

const TIMEOUT_MS = 10_000;
/** Enough of Kong's error body to see which entity it refused. */
const ERROR_EXCERPT_CHARS = 600;

export async function loadIntoGateway(adminUrl: string, config: DeckFile, configYaml: string): Promise<void> {
  const endpoint = new URL('/config', adminUrl);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: configYaml }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new GatewayAdminError(
      `no gateway admin API answers at ${endpoint} (${(error as Error).message}): is the gateway running (compose profile "gateway")?`,
    );
  }
  if (response.status === 201 || response.status === 200) return;
  const body = redactKeys(await response.text(), config).slice(0, ERROR_EXCERPT_CHARS);
  throw new GatewayAdminError(
    `the gateway at ${endpoint} refused the configuration (HTTP ${response.status}): ${body}; ` +
      'it keeps enforcing the previous one',
  );
}

/** Kong may quote a credential in an error; the message must not carry it further. */
function redactKeys(text: string, config: DeckFile): string {
  const keys = (config.consumers ?? []).flatMap((consumer) =>
    consumer.keyauth_credentials.map(({ key }) => key),
  );
  return keys.reduce((redacted, key) => redacted.split(key).join('<redacted>'), text);
}
