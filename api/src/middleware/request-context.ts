import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Middleware, ParameterizedContext } from 'koa';
import type { Logger } from '../logger';
import type { HttpMetrics } from '../metrics';
import type { Readiness } from '../readiness';
import type { AppState } from '../state';
import { respondWithError } from './error-responder';

// Anything else (spaces, control characters, several joined values, huge values) is replaced,
// so a caller cannot forge or break log lines through the header.
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The caller's X-Request-ID if it is sane, otherwise a new one. */
export const requestIdFor = (offered: string): string =>
  SANE_REQUEST_ID.test(offered) ? offered : randomUUID();

export interface RequestContextOptions {
  logger: Logger;
  metrics: HttpMetrics;
  readiness: Readiness;
  routeTemplate(ctx: ParameterizedContext<AppState>): string;
  /** Everything below the request context (guard, routes), called where Koa's next would be. */
  handle(ctx: ParameterizedContext<AppState>): unknown;
}

/**
 * The service's one Koa middleware: gives the request its id, runs `handle` (the guard and the
 * routes), turns every error thrown there into the one error body, then writes the request's one
 * log line and its metrics. One middleware rather than several: each layer of Koa's chain costs a
 * promise, a bound function and a turn of the microtask queue on every request.
 */
export function requestContext({
  logger,
  metrics,
  readiness,
  routeTemplate,
  handle,
}: RequestContextOptions): Middleware<AppState> {
  return async (ctx) => {
    const started = performance.now();
    ctx.state.requestId = requestIdFor(ctx.get('X-Request-ID'));
    // Straight to Node: Koa's ctx.set builds arrays and closures for every header it sets.
    ctx.res.setHeader('X-Request-ID', ctx.state.requestId);
    ctx.res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      await handle(ctx);
    } catch (error) {
      respondWithError(ctx, error);
    } finally {
      // While draining, every response closes its connection so that keep-alive clients reconnect
      // to an instance that is staying.
      if (readiness.state === 'draining') ctx.set('Connection', 'close');
      const durationMs = performance.now() - started;
      const route = routeTemplate(ctx);
      metrics.observe({ method: ctx.method, route, status: ctx.status }, durationMs / 1000);
      const fields = {
        request_id: ctx.state.requestId,
        method: ctx.method,
        route,
        path: ctx.path,
        status: ctx.status,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        api_key_name: ctx.state.apiKeyName,
        error_code: ctx.state.errorCode,
      };
      if (ctx.state.unexpectedError !== undefined) {
        logger.error(
          { ...fields, err: ctx.state.unexpectedError },
          'request failed with an unexpected error',
        );
      } else if (ctx.status >= 400) {
        logger.warn(fields, 'request completed');
      } else {
        logger.info(fields, 'request completed');
      }
    }
  };
}
