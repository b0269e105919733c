import { Router } from '@koa/router';
import type { Config } from './config';
import { ApiError } from './errors';
import { type HealthCheck, runHealthChecks } from './health';
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

export function createRouter({
  config,
  metrics,
  readiness,
  healthChecks,
}: RouteDependencies): Router<AppState> {
  // Case-sensitive, so that /API/v1/sum cannot reach a handler by a path the auth prefix misses.
  const router = new Router<AppState>({ sensitive: true });
  const startedAt = Date.now();

  router.get('/', (ctx) => {
    ctx.body = {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      environment: config.nodeEnv,
      endpoints: ENDPOINTS,
    };
  });

  router.get('/healthz', async (ctx) => {
    const { healthy, results } = await runHealthChecks(healthChecks);
    ctx.status = healthy ? 200 : 503;
    ctx.body = {
      status: healthy ? 'healthy' : 'unhealthy',
      checks: results,
      version: SERVICE_VERSION,
      uptime_seconds: Math.floor((Date.now() - startedAt) / 1000),
      timestamp: new Date().toISOString(),
    };
  });

  router.get('/healthz/live', (ctx) => {
    ctx.body = { status: 'alive' };
  });

  router.get('/healthz/ready', (ctx) => {
    const ready = readiness.state === 'ready';
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: readiness.state };
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  router.get('/api/v1/sum', (ctx) => {
    ctx.body = {
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
    };
  });

  router.post('/api/v1/sum', async (ctx) => {
    const outcome = evaluateSumRequest(await readJsonBody(ctx, config.bodyLimitBytes));
    if (!outcome.ok) throw new ApiError(400, 'VALIDATION_ERROR', outcome.message);
    ctx.body = {
      sum: outcome.sum,
      count: outcome.numbers.length,
      numbers: outcome.numbers,
      timestamp: new Date().toISOString(),
      request_id: ctx.state.requestId,
    };
  });

  return router;
}

/** Methods the router serves at this path, in the order it declares them. */
export function allowedMethods(router: Router<AppState>, path: string): string[] {
  const methods = router.match(path, 'GET').path.flatMap((layer) => layer.methods);
  return [...new Set(methods)];
}

/** The route template (`/api/v1/sum`) that served or would serve this request, for low-cardinality labels. */
export function routeTemplate(
  router: Router<AppState>,
  ctx: { path: string; _matchedRoute?: unknown },
): string {
  // Set by the router when a route ran; requests refused before routing (401, 429) are matched here.
  if (typeof ctx._matchedRoute === 'string') return ctx._matchedRoute;
  const layer = router.match(ctx.path, 'GET').path.find((candidate) => candidate.methods.length > 0);
  return typeof layer?.path === 'string' ? layer.path : 'unmatched';
}
