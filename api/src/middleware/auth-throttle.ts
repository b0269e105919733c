import type { ParameterizedContext } from 'koa';
import { ApiError } from '../errors';
import type { Logger } from '../logger';
import type { AppState } from '../state';
import { FixedWindowCounter } from './rate-limit';

const WINDOW_MS = 60_000;
/** Enough for every client of a small platform; past it the oldest windows go first. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Failed authentications per client address in fixed one-minute windows that start with an
 * address's first failure. Once an address reaches the limit, every request from it is refused
 * until its window ends, whatever key it presents: answering a right key with 200 and wrong ones
 * with 429 would let guessing go on at full speed. At most MAX_TRACKED_ADDRESSES windows are kept.
 */
export class AuthFailureThrottle {
  readonly #failures = new FixedWindowCounter(WINDOW_MS, MAX_TRACKED_ADDRESSES);

  constructor(readonly failuresPerMinute: number) {}

  /** The seconds until the address may try again, or undefined while it is not throttled. */
  retryAfterSeconds(address: string, now: number): number | undefined {
    const window = this.#failures.peek(address, now);
    if (window === undefined || window.count < this.failuresPerMinute) return undefined;
    return Math.max(1, Math.ceil((window.resetsAt - now) / 1000));
  }

  /** Counts a failure; true when it is the one that starts the address's throttling. */
  recordFailure(address: string, now: number): boolean {
    return this.#failures.count(address, now).count === this.failuresPerMinute;
  }
}

/**
 * The client's address as the ALB saw it: the last entry of X-Forwarded-For, the one the ALB
 * appends. Entries before it came from the client and are not trusted. Without the header (a
 * request that did not come through the ALB) it is the connection's peer.
 */
export function clientAddress(ctx: ParameterizedContext<AppState>): string {
  const forwardedFor = ctx.get('X-Forwarded-For');
  if (forwardedFor === '') return ctx.req.socket.remoteAddress ?? 'unknown';
  return forwardedFor.slice(forwardedFor.lastIndexOf(',') + 1).trim();
}

/**
 * Wraps an authentication check so that failures are counted per client address and an address
 * past the limit gets 429 with Retry-After. The start of each throttling is logged with the
 * address, never with the key that was presented.
 */
export function throttledAuthentication(
  authenticate: (ctx: ParameterizedContext<AppState>) => void,
  failuresPerMinute: number,
  logger: Logger,
): (ctx: ParameterizedContext<AppState>) => void {
  const throttle = new AuthFailureThrottle(failuresPerMinute);
  return (ctx) => {
    const now = Date.now();
    const address = clientAddress(ctx);
    const retryAfter = throttle.retryAfterSeconds(address, now);
    if (retryAfter !== undefined) {
      throw new ApiError(
        429,
        'RATE_LIMITED',
        `Too many failed authentications from this address; retry in ${retryAfter} s`,
        { 'Retry-After': String(retryAfter) },
      );
    }
    try {
      authenticate(ctx);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && throttle.recordFailure(address, now)) {
        logger.warn(
          { client: address, failures: failuresPerMinute, window_s: WINDOW_MS / 1000 },
          'failed authentications throttled for this client address',
        );
      }
      throw error;
    }
  };
}
