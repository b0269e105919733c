import type { Middleware } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../errors';
import type { AppState } from '../state';

const WINDOW_SECONDS = 60;

/**
 * A fixed one-minute window per API key (one shared window when authentication is disabled),
 * announced with the IETF RateLimit-* headers on every response it lets through or refuses.
 */
export function rateLimit(requestsPerMinute: number): Middleware<AppState> {
  const limiter = new RateLimiterMemory({ points: requestsPerMinute, duration: WINDOW_SECONDS });
  return async (ctx, next) => {
    let outcome: RateLimiterRes;
    let allowed: boolean;
    try {
      outcome = await limiter.consume(ctx.state.apiKeyName ?? 'anonymous');
      allowed = true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      outcome = rejection;
      allowed = false;
    }
    const resetSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
    ctx.set({
      'RateLimit-Limit': String(requestsPerMinute),
      'RateLimit-Remaining': String(Math.max(0, outcome.remainingPoints)),
      'RateLimit-Reset': String(resetSeconds),
    });
    if (!allowed) {
      throw new ApiError(
        429,
        'RATE_LIMITED',
        `This API key is limited to ${requestsPerMinute} requests per minute; retry in ${resetSeconds} s`,
        { 'Retry-After': String(resetSeconds) },
      );
    }
    return next();
  };
}
