import Router, { type RouterContext, type RouterMiddleware } from '@koa/router';
import { isoNow } from './clock';
import type { Config } from './config';
import { ApiError } from './errors';
import {
  FAULT_MODES,
  FAULT_PATH,
  type FaultSwitch,
  MAX_SLOW_DELAY_MS,
  parseFaultSetting,
} from './fault-injection';
import { type HealthCheck, runHealthChecks } from './health';
import { sendJson } from './json-response';
import type { HttpMetrics } from './metrics';
import { readJsonBody } from './middleware/json-body';
import type { Readiness } from './readiness';
import { SERVICE_NAME, SERVICE_VERSION } from './service-info';
import type { AppState } from './state';
import { evaluateSumRequest, MAX_NUMBERS, MIN_NUMBERS } from './sum';

export interface RouteDependencies {
  config: Config;
  metrics: HttpMetrics;
  readiness: Readiness;
  healthChecks: readonly HealthCheck[];
  /** Present only when FAULT_INJECTION_ENABLED=true: adds GET and PUT /_local/fault. */
  faults?: FaultSwitch;
}

const ENDPOINTS = {
  'GET /': 'This document',
  'GET /healthz': 'Health with the result of each check: 200 healthy, 503 unhealthy',
  'GET /healthz/live': 'Liveness: 200 while the event loop answers',
  'GET /healthz/ready': 'Readiness: 200 when serving, 503 while starting or draining',
  'GET /metrics': 'Prometheus metrics',
  'GET /api/v1/sum': 'How to call the sum operation (X-API-Key required)',
  'POST /api/v1/sum': `Sum ${MIN_NUMBERS} to ${MAX_NUMBERS} numbers (X-API-Key required)`,
};

const FAULT_ENDPOINTS = {
  [`GET ${FAULT_PATH}`]: 'The fault this task fakes (X-API-Key required; local profile only)',
  [`PUT ${FAULT_PATH}`]: `Fake a fault: {"mode":"${FAULT_MODES.join('|')}","delayMs"?:0-${MAX_SLOW_DELAY_MS}} (X-API-Key required; local profile only)`,
};

export function createRouter({
  config,
  metrics,
  readiness,
  healthChecks,
  faults,
}: RouteDependencies): Router<AppState> {
  // Case-sensitive, so /API/v1/sum cannot reach a handler by a spelling the authentication guard
  // might miss; one trailing slash is optional (strict: false), as it always was.
  const router = new Router<AppState>({ sensitive: true, strict: false });
  const startedAt = Date.now();

  router.get('/', (ctx) => {
    sendJson(ctx, {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      environment: config.nodeEnv,
      endpoints: faults ? { ...ENDPOINTS, ...FAULT_ENDPOINTS } : ENDPOINTS,
    });
  });

  router.get('/healthz', async (ctx) => {
    const { healthy, results } = await runHealthChecks(healthChecks);
    ctx.status = healthy ? 200 : 503;
    sendJson(ctx, {
      status: healthy ? 'healthy' : 'unhealthy',
      checks: results,
      version: SERVICE_VERSION,
      uptime_seconds: Math.floor((Date.now() - startedAt) / 1000),
      timestamp: isoNow(),
    });
  });

  router.get('/healthz/live', (ctx) => {
    sendJson(ctx, { status: 'alive' });
  });

  router.get('/healthz/ready', (ctx) => {
    const status = faults?.setting.mode === 'unhealthy' ? 'unhealthy' : readiness.state;
    ctx.status = status === 'ready' ? 200 : 503;
    sendJson(ctx, { status });
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  router.get('/api/v1/sum', (ctx) => {
    sendJson(ctx, {
      description: `Adds ${MIN_NUMBERS} to ${MAX_NUMBERS} finite numbers`,
      method: 'POST',
      path: '/api/v1/sum',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': '<your API key>' },
      body: { numbers: [1.5, 2.5, 3] },
      response: {
        sum: 7,
        count: 3,
        numbers: [1.5, 2.5, 3],
        timestamp: '<ISO 8601>',
        request_id: '<X-Request-ID>',
      },
      limits: { min_numbers: MIN_NUMBERS, max_numbers: MAX_NUMBERS, body_bytes: config.bodyLimitBytes },
    });
  });

  router.post('/api/v1/sum', async (ctx) => {
    const outcome = evaluateSumRequest(await readJsonBody(ctx, config.bodyLimitBytes));
    if (!outcome.ok) throw new ApiError(400, 'VALIDATION_ERROR', outcome.message);
    sendJson(ctx, {
      sum: outcome.sum,
      count: outcome.numbers.length,
      numbers: outcome.numbers,
      timestamp: isoNow(),
      request_id: ctx.state.requestId,
    });
  });

  if (faults) {
    router.get(FAULT_PATH, (ctx) => {
      sendJson(ctx, faults.setting);
    });
    router.put(FAULT_PATH, async (ctx) => {
      const outcome = parseFaultSetting(await readJsonBody(ctx, config.bodyLimitBytes));
      if (!outcome.ok) throw new ApiError(400, 'VALIDATION_ERROR', outcome.message);
      faults.set(outcome.setting, ctx.state.requestId);
      sendJson(ctx, outcome.setting);
    });
  }

  return router;
}

/**
 * The router's `routes()` middleware without what it assembles on every request. For each request
 * `routes()` matches the path, then builds a chain of the matched layers' handlers, each behind a
 * new closure that sets the route's captures and params, and composes that chain with
 * koa-compose. Here the router matches the request (`router.match()`, which `routes()` calls) and,
 * when that is one route with one handler and no parameters (every route of this service), sets
 * what `routes()` sets on the context and calls the handler. Everything else (no route, several
 * matching layers or handlers, parameters, a context another router has seen) goes to `routes()`
 * itself, so nothing is routed differently.
 */
export function dispatchRoutes(router: Router<AppState>): RouterMiddleware<AppState> {
  const routes = router.routes();
  return (ctx, next) => {
    if (ctx.matched !== undefined) return routes(ctx, next);
    const { path, pathAndMethod, route } = router.match(ctx.path, ctx.method);
    const layer = pathAndMethod[0];
    if (!route || pathAndMethod.length !== 1 || layer.stack.length !== 1 || layer.paramNames.length > 0) {
      return routes(ctx, next);
    }
    ctx.matched = path;
    ctx.router = router;
    ctx.routeMatched = true;
    ctx.captures = [];
    ctx.params = ctx.request.params = {};
    ctx.routerPath = String(layer.path);
    ctx.routerName = layer.name;
    ctx._matchedRoute = layer.path;
    if (layer.name) ctx._matchedRouteName = layer.name;
    // As koa-compose runs it: a promise, also when the handler throws.
    try {
      return Promise.resolve((layer.stack[0] as RouterMiddleware<AppState>)(ctx, next));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** What the router leaves on the context of a request it has seen. */
type Routed = Pick<RouterContext<AppState>, 'path' | 'method'> &
  Partial<Pick<RouterContext<AppState>, 'matched'>>;

/**
 * The registered path that serves the request's path (for some method), or `unmatched`: the
 * low-cardinality `route` label of metrics and log lines. A request the guard refused never
 * reached the router, so its path is matched here, off the hot path.
 */
export function routeTemplate(router: Router<AppState>, ctx: Routed): string {
  const template = (ctx.matched ?? router.match(ctx.path, ctx.method).path)[0]?.path;
  return template === undefined ? 'unmatched' : String(template);
}

// The methods served at the path, in the order they were registered (`HEAD, GET, POST`).
const allowedAt = (ctx: Routed): string =>
  [...new Set(ctx.matched?.flatMap((layer) => layer.methods))].join(', ');

/** What the router's allowedMethods throws; it is given no request, so the 405 is built below. */
class MethodNotAllowed extends Error {
  override readonly name = 'MethodNotAllowed';
}

/**
 * Answers what no route took, mounted after `router.routes()`: 404 NOT_FOUND where nothing is
 * served; where something is, 204 with `Allow` to OPTIONS, and 405 METHOD_NOT_ALLOWED with
 * `Allow` to any other method, as the router's allowedMethods decides. A request a route took
 * never gets here.
 */
export function unroutedRequests(router: Router<AppState>): RouterMiddleware<AppState> {
  const allowedMethods = router.allowedMethods({
    throw: true,
    methodNotAllowed: () => new MethodNotAllowed(),
    // A method the router has no verb for (TRACE, PROPFIND…) is one more method not allowed at a
    // path that exists: 405 with Allow, as the service has always answered, rather than 501.
    notImplemented: () => new MethodNotAllowed(),
  });
  // allowedMethods runs this first and only then looks at the response: a 404 thrown here or a
  // 204 set here leaves it nothing to decide.
  const notFoundOrOptions = async (ctx: RouterContext<AppState>) => {
    if (!ctx.matched?.length) throw new ApiError(404, 'NOT_FOUND', `Nothing is served at ${ctx.path}`);
    if (ctx.method === 'OPTIONS') {
      // Not the router's 200 with an empty body: there is no content, and clients have had 204.
      ctx.set('Allow', allowedAt(ctx));
      ctx.status = 204;
    }
  };
  return async (ctx) => {
    try {
      await allowedMethods(ctx, () => notFoundOrOptions(ctx));
    } catch (error) {
      if (!(error instanceof MethodNotAllowed)) throw error;
      const allow = allowedAt(ctx);
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here; use ${allow}`, {
        Allow: allow,
      });
    }
  };
}
