import { hash, timingSafeEqual } from 'node:crypto';
import type { ParameterizedContext } from 'koa';
import { ApiError } from '../errors';
import type { AppState } from '../state';

const sha256 = (value: string) => hash('sha256', value, 'buffer');

/**
 * Returns the name of the key whose value was presented, or undefined. Digests make every
 * comparison the same length, and every key is compared, so the time taken reveals neither
 * how much of a key matched nor which key it was.
 */
export function createApiKeyVerifier(
  keys: ReadonlyMap<string, string>,
): (presented: string) => string | undefined {
  const known = [...keys].map(([name, value]) => ({ name, digest: sha256(value) }));
  return (presented) => {
    const candidate = sha256(presented);
    let matchedName: string | undefined;
    for (const { name, digest } of known) {
      if (timingSafeEqual(candidate, digest) && matchedName === undefined) matchedName = name;
    }
    return matchedName;
  };
}

const unauthorized = (message: string) =>
  new ApiError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': 'ApiKey header="X-API-Key"' });

/** Returns a check that records the name of the request's key, or throws 401. */
export function apiKeyCheck(
  keys: ReadonlyMap<string, string>,
): (ctx: ParameterizedContext<AppState>) => void {
  const verify = createApiKeyVerifier(keys);
  return (ctx) => {
    const presented = ctx.get('X-API-Key');
    if (!presented) throw unauthorized('The X-API-Key header is required');
    const keyName = verify(presented);
    if (keyName === undefined) throw unauthorized('The API key is not valid');
    ctx.state.apiKeyName = keyName;
  };
}
