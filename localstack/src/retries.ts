/**
 * When a call to the emulator is worth making again: it did not answer (it is restarting, paused
 * or gone), it failed on its side (5xx), or it throttled. Anything else is an answer about the
 * request itself, which the same request cannot change.
 */

/** Retries start after this long and double up to {@link MAX_RETRY_DELAY_MS}. */
export const FIRST_RETRY_DELAY_MS = 250;
export const MAX_RETRY_DELAY_MS = 5000;

/** The error codes AWS uses for throttling, across the services the platform calls. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

export function retryable(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status >= 500 || status === 429 || THROTTLING.has(name ?? '');
}

/** The waits before each next attempt, without end: 250 ms, 500 ms, ... then 5 s each. */
export function* retryDelays(): Generator<number, never> {
  for (let delayMs = FIRST_RETRY_DELAY_MS; ; delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS)) {
    yield delayMs;
  }
}
