import type { ServerResponse } from 'node:http';
import type { ParameterizedContext } from 'koa';
import { ApiError } from '../errors';
import type { AppState } from '../state';

const WINDOW_MS = 60_000;

interface Window {
  count: number;
  resetsAt: number;
}

/**
 * Counts per key in fixed windows that start with a key's first count. Counting is synchronous
 * and allocates only when a window opens: this runs on every /api request. At most `maxKeys`
 * windows are kept; past that, the window opened longest ago goes first (the per-key rate limit
 * counts a fixed set of key names, so it never gets there; the throttle of failed
 * authentication counts client addresses).
 */
export class FixedWindowCounter {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = Number.POSITIVE_INFINITY,
  ) {}

  /** Counts one for the key at time now (ms) and returns its window: the count so far and when it resets. */
  count(key: string, now: number): Readonly<Window> {
    let window = this.#windows.get(key);
    if (window === undefined || window.resetsAt <= now) {
      // Re-inserted, so that the map's order stays the order in which windows opened.
      if (window !== undefined) this.#windows.delete(key);
      else if (this.#windows.size >= this.maxKeys) this.#evict(now);
      window = window ?? { count: 0, resetsAt: 0 };
      window.count = 0;
      window.resetsAt = now + this.windowMs;
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window;
  }

  /** The key's open window at time now, without counting; undefined when it has none. */
  peek(key: string, now: number): Readonly<Window> | undefined {
    if (this.#windows.size === 0) return undefined;
    const window = this.#windows.get(key);
    return window !== undefined && window.resetsAt > now ? window : undefined;
  }

  #evict(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetsAt > now && this.#windows.size < this.maxKeys) break;
      this.#windows.delete(key);
    }
  }
}

/**
 * Returns a counter of requests per key in fixed one-minute windows that announces each count with
 * the IETF RateLimit-* headers on the response. It returns the seconds until the window resets when
 * the request is over the limit, and undefined otherwise.
 */
export function rateLimitCounter(
  requestsPerMinute: number,
): (key: string, response: ServerResponse) => string | undefined {
  const counter = new FixedWindowCounter(WINDOW_MS);
  const limit = String(requestsPerMinute);
  return (key, response) => {
    const now = Date.now();
    const window = counter.count(key, now);
    const resetSeconds = String(Math.max(1, Math.ceil((window.resetsAt - now) / 1000)));
    // Straight to Node: Koa's ctx.set builds arrays and closures for every header it sets.
    response.setHeader('RateLimit-Limit', limit);
    response.setHeader('RateLimit-Remaining', String(Math.max(0, requestsPerMinute - window.count)));
    response.setHeader('RateLimit-Reset', resetSeconds);
    return window.count > requestsPerMinute ? resetSeconds : undefined;
  };
}

/**
 * Returns a check that counts the request per API key (one shared window when authentication is
 * disabled) and throws 429 over the limit.
 */
export function rateLimitCheck(requestsPerMinute: number): (ctx: ParameterizedContext<AppState>) => void {
  const countRequest = rateLimitCounter(requestsPerMinute);
  return (ctx) => {
    const retryAfterSeconds = countRequest(ctx.state.apiKeyName ?? 'anonymous', ctx.res);
    if (retryAfterSeconds !== undefined) {
      throw new ApiError(
        429,
        'RATE_LIMITED',
        `This API key is limited to ${requestsPerMinute} requests per minute; retry in ${retryAfterSeconds} s`,
        { 'Retry-After': retryAfterSeconds },
      );
    }
  };
}
