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
  // Node's request and response are read directly, and what is used twice is read once: each of
  // Koa's delegated getters (ctx.get, ctx.status, ctx.state) is two or three more calls.
  return async (ctx) => {
    const started = performance.now();
    const { req, res, state } = ctx;
    const requestId = requestIdFor(String(req.headers['x-request-id'] ?? ''));
    state.requestId = requestId;
    // Straight to Node: Koa's ctx.set builds arrays and closures for every header it sets.
    res.setHeader('X-Request-ID', requestId);
    res.setHeader('X-Content-Type-Options', 'nosniff');
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
      const method = ctx.method;
      const status = res.statusCode;
      metrics.observe({ method, route, status }, durationMs / 1000);
      const fields = {
        request_id: requestId,
        method,
        route,
        path: ctx.path,
        status,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        api_key_name: state.apiKeyName,
        error_code: state.errorCode,
      };
      if (state.unexpectedError !== undefined) {
        logger.error({ ...fields, err: state.unexpectedError }, 'request failed with an unexpected error');
      } else if (status >= 400) {
        logger.warn(fields, 'request completed');
      } else {
        logger.info(fields, 'request completed');
      }
    }
  };
}
