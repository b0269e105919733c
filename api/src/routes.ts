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
import { RouteTable } from './route-table';
import { SERVICE_NAME, SERVICE_VERSION } from './service-info';
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
}: RouteDependencies): RouteTable {
  const router = new RouteTable();
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
