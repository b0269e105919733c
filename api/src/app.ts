import type { RouterContext } from '@koa/router';
import Koa, { type ParameterizedContext } from 'koa';
import type { Config } from './config';
import { FaultSwitch, faultHealthCheck, injectFaults } from './fault-injection';
import { defaultHealthChecks, type HealthCheck } from './health';
import type { Logger } from './logger';
import { createHttpMetrics, type HttpMetrics } from './metrics';
import { apiKeyCheck } from './middleware/api-key-auth';
import { throttledAuthentication } from './middleware/auth-throttle';
import { rateLimitCheck } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import type { Readiness } from './readiness';
import { createRouter, dispatchRoutes, routeTemplate, unroutedRequests } from './routes';
import type { AppState } from './state';

export interface AppDependencies {
  logger: Logger;
  readiness: Readiness;
  metrics?: HttpMetrics;
  healthChecks?: readonly HealthCheck[];
}

// Case-insensitive on purpose: the guards must cover every spelling a router might ever accept.
const API_PATH = /^\/api(?:\/|$)/i;
const FAULT_PATH_PREFIX = /^\/_local(?:\/|$)/i;

export function createApp(config: Config, dependencies: AppDependencies): Koa<AppState> {
  const { logger, readiness } = dependencies;
  const metrics = dependencies.metrics ?? createHttpMetrics();
  // Only the environment can create the switch, so nothing can turn fault injection on at run time.
  const faults = config.faultInjectionEnabled ? new FaultSwitch(logger) : undefined;
  const healthChecks = [
    ...(dependencies.healthChecks ?? defaultHealthChecks()),
    ...(faults ? [faultHealthCheck(faults)] : []),
  ];
  const router = createRouter({ config, metrics, readiness, healthChecks, faults });

  const app = new Koa<AppState>();
  // requestContext answers every error a handler throws, so what still reaches Koa is a failure
  // of the client's connection (reset, aborted upload): worth a warning, not an error alarm, and
  // never Koa's default multi-line stderr dump.
  app.on('error', (error: unknown, ctx?: { state?: Partial<AppState> }) => {
    logger.warn({ err: error, request_id: ctx?.state?.requestId }, 'client connection failed');
  });
  const authenticate = config.authDisabled
    ? undefined
    : throttledAuthentication(apiKeyCheck(config.apiKeys), config.authFailuresPerMinute, logger);
  const limitRate = rateLimitCheck(config.rateLimitPerMinute);
  const faultsOnApi = faults && injectFaults(faults, logger);
  const routes = dispatchRoutes(router);
  const answerUnrouted = unroutedRequests(router);
  const nothingAfter = () => Promise.resolve();
  // The router's middleware, then what no route took: what app.use(router.routes()) and
  // app.use(unroutedRequests(router)) did, without two more layers of Koa's chain.
  const route = (ctx: ParameterizedContext<AppState>) =>
    routes(ctx as RouterContext<AppState>, () =>
      answerUnrouted(ctx as RouterContext<AppState>, nothingAfter),
    );
  // The key check and the rate limit are synchronous checks in one guard, not middleware of their own.
  const guardThenRoute = (ctx: ParameterizedContext<AppState>) => {
    const path = ctx.path;
    if (API_PATH.test(path)) {
      authenticate?.(ctx);
      limitRate(ctx);
      return faultsOnApi ? faultsOnApi(ctx, () => route(ctx)) : route(ctx);
    }
    if (faults && FAULT_PATH_PREFIX.test(path)) authenticate?.(ctx);
    return route(ctx);
  };
  // One Koa middleware: each layer of Koa's chain costs a promise, a bound function and a turn of
  // the microtask queue on every request.
  app.use(
    requestContext({
      logger,
      metrics,
      readiness,
      routeTemplate: (ctx) => routeTemplate(router, ctx),
      handle: guardThenRoute,
    }),
  );
  return app;
}
