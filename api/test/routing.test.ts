import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import request, { type Response } from 'supertest';
import { FaultSwitch } from '../src/fault-injection';
import { createLogger } from '../src/logger';
import { createHttpMetrics } from '../src/metrics';
import { Readiness } from '../src/readiness';
import { createRouter, dispatchRoutes } from '../src/routes';
import type { AppState } from '../src/state';
import { expectError } from './support/http';
import { MemoryLog } from './support/memory-log';
import { buildTestApp, DEMO_KEY, testConfig } from './support/test-app';

// Fault injection on, so that /_local/fault (GET and PUT) is routed too.
const routedApp = () => buildTestApp({ faultInjectionEnabled: true });

/** Which of the service's handlers wrote the response, told apart by the body each one sends. */
function answeredBy(response: Response): string {
  if (response.status === 404) return 'not found';
  if (response.status === 405) return 'method not allowed';
  const body = response.body as Record<string, unknown>;
  if (body.service === 'zama-api') return 'root';
  if (body.status === 'healthy') return 'health';
  if (body.method === 'POST' && body.path === '/api/v1/sum') return 'describe';
  if (typeof body.sum === 'number') return 'sum';
  if (body.mode === 'none') return 'fault';
  if (response.status === 200 && !response.text && Number(response.headers['content-length']) > 0) {
    return 'headers only';
  }
  return `unknown ${response.status}`;
}

function send(method: string, path: string): request.Test {
  const { app } = routedApp();
  const pending = request(app.callback())
    [method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'delete'](path)
    .set('X-API-Key', DEMO_KEY);
  if (method === 'POST') return pending.send({ numbers: [1, 2] });
  if (method === 'PUT') return pending.send({ mode: 'none' });
  return pending;
}

/** Sends a request target supertest cannot (`*`, absolute-form) to a listening copy of the app. */
async function sendTarget(method: string, target: string): Promise<{ status: number; body: string }> {
  const { app } = routedApp();
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const outgoing = httpRequest({ port, host: '127.0.0.1', method, path: target }, (incoming) => {
        let body = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk) => {
          body += chunk;
        });
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('routing', () => {
  it.each([
    ['GET', '/', 'root'],
    ['GET', '/healthz', 'health'],
    ['HEAD', '/healthz', 'headers only'],
    ['GET', '/healthz/', 'health'],
    ['GET', '//', 'root'],
    ['POST', '/api/v1/sum', 'sum'],
    ['POST', '/api/v1/sum/', 'sum'],
    ['GET', '/api/v1/sum', 'describe'],
    ['PUT', '/_local/fault', 'fault'],
    ['DELETE', '/api/v1/sum', 'method not allowed'],
    ['GET', '/healthz//', 'not found'],
    ['GET', '/HEALTHZ', 'not found'],
    ['GET', '/api/v1//sum', 'not found'],
    ['GET', '/%68ealthz', 'not found'],
  ])('%s %j -> %s', async (method, path, expected) => {
    expect(answeredBy(await send(method, path))).toBe(expected);
  });

  it('answers the request targets that are not a path: * is not found, absolute-form by its path', async () => {
    expect((await sendTarget('GET', '*')).status).toBe(404);
    expect(JSON.parse((await sendTarget('GET', '*')).body).error.code).toBe('NOT_FOUND');
    const absolute = await sendTarget('GET', 'http://example.com');
    expect(absolute.status).toBe(200);
    expect(JSON.parse(absolute.body).service).toBe('zama-api');
    expect((await sendTarget('TRACE', 'http://example.com/healthz')).status).toBe(405);
  });

  it.each([
    ['POST', '/api/v1/sum', '/api/v1/sum'],
    ['POST', '/api/v1/sum/', '/api/v1/sum'],
    ['GET', '/', '/'],
    ['GET', '/nope', 'unmatched'],
    ['POST', '/Api/v1/sum', 'unmatched'],
    ['DELETE', '/api/v1/sum', '/api/v1/sum'],
  ])('labels %s %j with the route template %j', async (method, path, template) => {
    const { app, log } = routedApp();
    const response = await request(app.callback())
      [method.toLowerCase() as 'get' | 'post' | 'delete'](path)
      .set('X-API-Key', DEMO_KEY)
      .send({ numbers: [1, 2] });
    expect(log.requestLine(response.headers['x-request-id']).route).toBe(template);
  });

  it('labels a request the API key check refused, before any routing, with its route template too', async () => {
    const { app, log } = routedApp();
    const refused = await request(app.callback()).post('/api/v1/sum/').set('X-Request-ID', 'refused-1');
    expect(refused.status).toBe(401);
    expect(log.requestLine('refused-1').route).toBe('/api/v1/sum');
    const unknown = await request(app.callback()).post('/api/v2/sum').set('X-Request-ID', 'refused-2');
    expect(unknown.status).toBe(401);
    expect(log.requestLine('refused-2').route).toBe('unmatched');
  });

  it.each([
    ['/api/v1/sum', 'HEAD, GET, POST'],
    ['/healthz/', 'HEAD, GET'],
    ['/_local/fault', 'HEAD, GET, PUT'],
  ])('lists the methods allowed at %j in the order they were added', async (path, methods) => {
    const { app } = routedApp();
    const response = await request(app.callback()).options(path).set('X-API-Key', DEMO_KEY);
    expect(response.status).toBe(204);
    expect(response.headers.allow).toBe(methods);
    expect(response.text).toBe('');
  });

  it('answers OPTIONS where nothing is served with 404 and no Allow', async () => {
    const { app } = routedApp();
    const response = await request(app.callback()).options('/nope');
    expectError(response, 404, 'NOT_FOUND', '/nope');
    expect(response.headers.allow).toBeUndefined();
  });

  it.each([
    ['TRACE', '/healthz', 'HEAD, GET'],
    ['PROPFIND', '/api/v1/sum', 'HEAD, GET, POST'],
  ])(
    'answers %s, a method the router has no verb for, like any method not allowed at %s',
    async (method, path, allow) => {
      const { app } = routedApp();
      const response = await request(app.callback())
        [method.toLowerCase() as 'trace'](path)
        .set('X-API-Key', DEMO_KEY);
      expectError(response, 405, 'METHOD_NOT_ALLOWED', path);
      expect(response.headers.allow).toBe(allow);
      expect(response.body.error.message).toBe(`${method} is not allowed here; use ${allow}`);
    },
  );

  it('answers a method the router has no verb for with 404 where nothing is served', async () => {
    const { app } = routedApp();
    expectError(await request(app.callback()).trace('/nope'), 404, 'NOT_FOUND', '/nope');
  });

  it.each([
    [false, 7],
    [true, 9],
  ])('registers each method at each path once (fault injection %s)', (faultInjectionEnabled, count) => {
    const config = testConfig({ faultInjectionEnabled });
    const logger = createLogger(config, new MemoryLog());
    const router = createRouter({
      config,
      metrics: createHttpMetrics(),
      readiness: new Readiness(),
      healthChecks: [],
      faults: faultInjectionEnabled ? new FaultSwitch(logger) : undefined,
    });
    const registered = router.stack.flatMap((layer) =>
      layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${String(layer.path)}`),
    );
    expect(registered).toHaveLength(count);
    expect(new Set(registered).size).toBe(registered.length);
  });
});

describe('dispatchRoutes', () => {
  /** What @koa/router leaves on the context of a request it routed. */
  const ROUTER_FIELDS = [
    'matched',
    'routeMatched',
    'router',
    'captures',
    'params',
    'routerPath',
    'routerName',
    '_matchedRoute',
    '_matchedRouteName',
  ] as const;

  const routerOfService = () => {
    const config = testConfig({ faultInjectionEnabled: true });
    return createRouter({
      config,
      metrics: createHttpMetrics(),
      readiness: new Readiness(),
      healthChecks: [],
      faults: new FaultSwitch(createLogger(config, new MemoryLog())),
    });
  };

  /** Sends the request through `middleware` alone and returns what the router left on the context. */
  async function leftOnContext(
    middleware: (router: ReturnType<typeof createRouter>) => Koa.Middleware<AppState>,
    method: string,
    path: string,
  ) {
    const router = routerOfService();
    const app = new Koa<AppState>();
    let fields: Record<string, unknown> = {};
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch {
        // The handler's own answer does not matter here, only the routing.
      } finally {
        const routed = ctx as unknown as Record<string, unknown>;
        fields = Object.fromEntries(
          ROUTER_FIELDS.map((field) => {
            if (field === 'router') return [field, routed.router === router];
            // Each run builds its own router: its layers are told apart by methods and path.
            if (field === 'matched')
              return [
                field,
                (routed.matched as Array<{ methods: string[]; path: string }> | undefined)?.map(
                  ({ methods, path }) => `${methods.join(',')} ${path}`,
                ),
              ];
            return [field, routed[field]];
          }),
        );
        fields.requestParams = (ctx.request as unknown as Record<string, unknown>).params;
      }
    });
    app.use(middleware(router) as Koa.Middleware<AppState>);
    const pending = request(app.callback())[method.toLowerCase() as 'get' | 'post' | 'put'](path);
    await (method === 'GET' ? pending : pending.send({}));
    return fields;
  }

  // Upgrading @koa/router must not make the service route differently: its own routes() is the reference.
  it.each([
    ['GET', '/'],
    ['GET', '/healthz'],
    ['GET', '/readyz'],
    ['GET', '/metrics'],
    ['POST', '/api/v1/sum'],
    ['GET', '/api/v1/sum'],
    ['GET', '/_local/fault'],
    ['PUT', '/_local/fault'],
    ['GET', '/healthz/'],
    ['GET', '/nowhere'],
  ])("leaves on the context of %s %s what the router's routes() leaves", async (method, path) => {
    const expected = await leftOnContext(
      (router) => router.routes() as Koa.Middleware<AppState>,
      method,
      path,
    );
    const actual = await leftOnContext(
      (router) => dispatchRoutes(router) as Koa.Middleware<AppState>,
      method,
      path,
    );
    expect(actual).toEqual(expected);
  });
});
