import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Registry } from 'prom-client';
import request from 'supertest';
import { createHttpMetrics } from '../src/metrics';
import { Readiness } from '../src/readiness';
import { SERVICE_VERSION } from '../src/service-info';
import { expectError, ISO_TIMESTAMP, UUID } from './support/http';
import { buildTestApp, DEMO_KEY, OTHER_KEY } from './support/test-app';

const SUM = '/api/v1/sum';

function postSum(app: ReturnType<typeof buildTestApp>['app'], body: unknown, key = DEMO_KEY) {
  return request(app.callback())
    .post(SUM)
    .set('X-API-Key', key)
    .send(body as object);
}

describe('GET /', () => {
  it('describes the service, its environment and its endpoints without a key', async () => {
    const { app } = buildTestApp({ nodeEnv: 'staging' });
    const response = await request(app.callback()).get('/');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      service: 'zama-api',
      version: SERVICE_VERSION,
      environment: 'staging',
      endpoints: expect.objectContaining({
        'GET /': expect.any(String),
        'GET /healthz': expect.any(String),
        'GET /healthz/live': expect.any(String),
        'GET /healthz/ready': expect.any(String),
        'GET /metrics': expect.any(String),
        'GET /api/v1/sum': expect.any(String),
        'POST /api/v1/sum': expect.any(String),
      }),
    });
    expect(SERVICE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('health endpoints', () => {
  it('GET /healthz is 200 healthy with the result of each check', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback()).get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'healthy',
      checks: {
        event_loop: expect.objectContaining({ healthy: true }),
        heap: expect.objectContaining({ healthy: true }),
      },
      version: SERVICE_VERSION,
      uptime_seconds: expect.any(Number),
      timestamp: expect.stringMatching(ISO_TIMESTAMP),
    });
  });

  it('GET /healthz is 503 unhealthy when a check fails', async () => {
    const { app } = buildTestApp(
      {},
      {
        healthChecks: [
          { name: 'ok', run: () => ({ healthy: true }) },
          { name: 'disk', run: () => ({ healthy: false, free_bytes: 0 }) },
        ],
      },
    );
    const response = await request(app.callback()).get('/healthz');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      status: 'unhealthy',
      checks: { ok: { healthy: true }, disk: { healthy: false, free_bytes: 0 } },
    });
  });

  it('answers HEAD /healthz for probes that only read the status', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback()).head('/healthz');
    expect(response.status).toBe(200);
  });

  it('GET /healthz/live is 200', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback()).get('/healthz/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'alive' });
  });

  it('GET /healthz/ready follows starting -> ready -> draining', async () => {
    const readiness = new Readiness();
    const { app } = buildTestApp({}, { readiness });
    const server = app.callback();

    const starting = await request(server).get('/healthz/ready');
    expect(starting.status).toBe(503);
    expect(starting.body).toEqual({ status: 'starting' });

    readiness.markReady();
    const ready = await request(server).get('/healthz/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });

    readiness.markDraining();
    const draining = await request(server).get('/healthz/ready');
    expect(draining.status).toBe(503);
    expect(draining.body).toEqual({ status: 'draining' });
    readiness.markReady();
    expect((await request(server).get('/healthz/ready')).status).toBe(503);
  });

  it('closes each connection after its response while draining, and only then', async () => {
    const { app, readiness } = buildTestApp();
    const server = app.callback();
    const live = () => request(server).get('/healthz/live').set('Connection', 'keep-alive');
    expect((await live()).headers.connection).toBe('keep-alive');
    readiness.markDraining();
    expect((await live()).headers.connection).toBe('close');
    expect((await postSum(app, { numbers: [1, 2] }).set('Connection', 'keep-alive')).headers.connection).toBe(
      'close',
    );
  });
});

describe('GET /metrics', () => {
  it('exposes request counts and durations by method, route template and status, plus process metrics', async () => {
    const { app } = buildTestApp();
    const server = app.callback();
    await postSum(app, { numbers: [1, 2] });
    await postSum(app, { numbers: [1] });
    await request(server)
      .post(SUM)
      .send({ numbers: [1, 2] });
    await request(server).get('/no/such/page');
    await request(server).get('/healthz');

    const response = await request(server).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/sum",status="200"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/sum",status="400"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/sum",status="401"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v1\/sum",status="200"\} \d/,
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/api/v1/sum",status="200"} 1',
    );
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
  });

  it('keeps raw paths out of the labels', async () => {
    const { app } = buildTestApp();
    const server = app.callback();
    await request(server).get('/users/12345');
    await request(server).get('/healthz/');
    const text = (await request(server).get('/metrics')).text;
    expect(text).not.toContain('12345');
    expect(text).toContain('http_requests_total{method="GET",route="/healthz",status="200"} 1');
  });
});

describe('GET /api/v1/sum', () => {
  it('tells how to call the operation', async () => {
    const { app } = buildTestApp({ bodyLimitBytes: 2048 });
    const response = await request(app.callback()).get(SUM).set('X-API-Key', DEMO_KEY);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      method: 'POST',
      path: '/api/v1/sum',
      body: { numbers: [1.5, 2.5, 3] },
      limits: { min_numbers: 2, max_numbers: 100, body_bytes: 2048 },
    });
  });

  it('requires the key like every /api route', async () => {
    const { app } = buildTestApp();
    expectError(await request(app.callback()).get(SUM), 401, 'UNAUTHORIZED', SUM);
  });
});

describe('POST /api/v1/sum', () => {
  it('returns the sum, the count, the numbers, a timestamp and the request id', async () => {
    const { app } = buildTestApp();
    const before = Date.now();
    const response = await postSum(app, { numbers: [1.5, 2.5, 3] });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      sum: 7,
      count: 3,
      numbers: [1.5, 2.5, 3],
      timestamp: expect.stringMatching(ISO_TIMESTAMP),
      request_id: response.headers['x-request-id'],
    });
    expect(Date.parse(response.body.timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(response.body.timestamp)).toBeLessThanOrEqual(Date.now());
  });

  it('accepts a charset parameter, Content-Encoding: identity and surrounding whitespace', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback())
      .post(SUM)
      .set('X-API-Key', DEMO_KEY)
      .set('Content-Type', 'Application/JSON; charset=utf-8')
      .set('Content-Encoding', 'identity')
      .send(' {"numbers":[2,3]}\n');
    expect(response.status).toBe(200);
    expect(response.body.sum).toBe(5);
  });

  describe('rejects a body it cannot read with INVALID_REQUEST_BODY', () => {
    const send = (
      contentType: string | undefined,
      body: string | Buffer,
      extraHeaders: Record<string, string> = {},
    ) => {
      const { app } = buildTestApp();
      const pending = request(app.callback()).post(SUM).set('X-API-Key', DEMO_KEY).set(extraHeaders);
      const typed = contentType === undefined ? pending : pending.set('Content-Type', contentType);
      // As given: superagent would otherwise JSON-encode a Buffer under a JSON Content-Type.
      return typed.send(body).serialize((raw) => raw as string);
    };

    it.each([
      ['malformed JSON', '{"numbers":[1,2'],
      ['a trailing comma', '{"numbers":[1,2],}'],
      ['NaN, which JSON does not have', '{"numbers":[NaN,1]}'],
      ['a byte-order mark, which JSON forbids', '\uFEFF{"numbers":[1,2]}'],
    ])('400 for %s', async (_case, body) => {
      expectError(await send('application/json', body), 400, 'INVALID_REQUEST_BODY', SUM);
    });

    it.each([
      ['a Latin-1 byte', Buffer.from('{"numbers":[1,2],"note":"caf\xe9"}', 'latin1')],
      [
        'a lone continuation byte',
        Buffer.concat([Buffer.from('{"numbers":[1,2],"n":"'), Buffer.from([0x80]), Buffer.from('"}')]),
      ],
      [
        'an overlong encoding of "/"',
        Buffer.concat([Buffer.from('{"numbers":[1,2],"n":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
      ],
      [
        'a UTF-16 surrogate encoded as UTF-8',
        Buffer.concat([
          Buffer.from('{"numbers":[1,2],"n":"'),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
      ],
    ])('400 for a body that is not valid UTF-8: %s', async (_case, body) => {
      const response = await send('application/json', body);
      expectError(response, 400, 'INVALID_REQUEST_BODY', SUM);
      expect(response.body.error.message).toBe('The request body is not valid UTF-8');
    });

    it('accepts UTF-8 beyond ASCII', async () => {
      const response = await send(
        'application/json',
        Buffer.from('{"numbers":[1,2],"note":"café ✓ 𝄞"}', 'utf8'),
      );
      expect(response.status).toBe(200);
      expect(response.body.sum).toBe(3);
    });

    it('treats a __proto__ key as plain data that pollutes nothing', async () => {
      const response = await send('application/json', '{"numbers":[1,2],"__proto__":{"polluted":true}}');
      expect(response.status).toBe(200);
      expect(response.body.sum).toBe(3);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['a JSON-like type', 'application/jsonx'],
    ])('415 for a Content-Type of %s', async (_case, contentType) => {
      const response = await send(contentType, '{"numbers":[1,2]}');
      expectError(response, 415, 'INVALID_REQUEST_BODY', SUM);
      expect(response.body.error.message).toBe('Content-Type must be application/json');
    });

    it('415 without a Content-Type', async () => {
      const { app } = buildTestApp();
      const response = await request(app.callback()).post(SUM).set('X-API-Key', DEMO_KEY);
      expectError(response, 415, 'INVALID_REQUEST_BODY', SUM);
    });

    it.each(['gzip', 'br', 'deflate', 'compress'])('415 for Content-Encoding: %s', async (encoding) => {
      const response = await send('application/json', gzipSync('{"numbers":[1,2]}'), {
        'Content-Encoding': encoding,
      });
      expectError(response, 415, 'INVALID_REQUEST_BODY', SUM);
      expect(response.body.error.message).toMatch(/^Content-Encoding must be identity/);
    });
  });

  describe('rejects a body that breaks the rules with VALIDATION_ERROR', () => {
    it.each([
      ['an empty body', ''],
      ['a top-level array', '[1,2,3]'],
      ['a JSON number', '42'],
      ['a JSON string', '"numbers"'],
      ['JSON null', 'null'],
      ['a missing numbers field', '{"values":[1,2]}'],
      ['numbers that is not an array', '{"numbers":"1,2"}'],
      ['fewer than 2 numbers', '{"numbers":[1]}'],
      ['more than 100 numbers', JSON.stringify({ numbers: Array(101).fill(1) })],
      ['a string element', '{"numbers":[1,"2"]}'],
      ['a null element', '{"numbers":[1,null]}'],
      ['a non-finite element', '{"numbers":[1,1e999]}'],
      ['a sum that overflows', '{"numbers":[1.7e308,1.7e308]}'],
    ])('400 for %s', async (_case, body) => {
      const { app } = buildTestApp();
      const response = await request(app.callback())
        .post(SUM)
        .set('X-API-Key', DEMO_KEY)
        .set('Content-Type', 'application/json')
        .send(body);
      expectError(response, 400, 'VALIDATION_ERROR', SUM);
    });

    it('says which element is wrong', async () => {
      const { app } = buildTestApp();
      const response = await postSum(app, { numbers: [1, 2, 'three'] });
      expect(response.body.error.message).toBe('numbers[2] must be a finite number');
    });
  });

  describe('refuses a body over BODY_LIMIT_BYTES with PAYLOAD_TOO_LARGE', () => {
    const body = JSON.stringify({ numbers: Array.from({ length: 100 }, () => 123456.789) });

    it('413 when Content-Length announces it', async () => {
      const { app } = buildTestApp({ bodyLimitBytes: 256 });
      expect(Buffer.byteLength(body)).toBeGreaterThan(256);
      const response = await request(app.callback())
        .post(SUM)
        .set('X-API-Key', DEMO_KEY)
        .set('Content-Type', 'application/json')
        .send(body);
      expectError(response, 413, 'PAYLOAD_TOO_LARGE', SUM);
      expect(response.body.error.message).toBe('The request body is larger than 256 bytes');
    });

    /** Posts body in two chunks (so without Content-Length) to a listening copy of the app. */
    async function postInChunks(
      port: number,
      agent: Agent,
      chunks: readonly string[],
    ): Promise<{ status: number; body: string; reusedSocket: boolean }> {
      return new Promise((resolve, reject) => {
        const outgoing = httpRequest(
          { port, host: '127.0.0.1', method: 'POST', path: SUM, agent },
          (incoming) => {
            let text = '';
            incoming.setEncoding('utf8');
            incoming.on('data', (chunk) => {
              text += chunk;
            });
            incoming.on('end', () =>
              resolve({ status: incoming.statusCode ?? 0, body: text, reusedSocket: outgoing.reusedSocket }),
            );
          },
        );
        outgoing.on('error', reject);
        outgoing.setHeader('Content-Type', 'application/json');
        outgoing.setHeader('X-API-Key', DEMO_KEY);
        for (const chunk of chunks.slice(0, -1)) outgoing.write(chunk);
        outgoing.end(chunks.at(-1));
      });
    }

    async function withListeningApp(run: (port: number, agent: Agent) => Promise<void>): Promise<void> {
      const { app } = buildTestApp({ bodyLimitBytes: 256 });
      const server = createServer(app.callback());
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await run((server.address() as AddressInfo).port, agent);
      } finally {
        agent.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    }

    it('413 for a chunked body without Content-Length once it passes the limit', async () => {
      await withListeningApp(async (port, agent) => {
        const response = await postInChunks(port, agent, [body.slice(0, 200), body.slice(200)]);
        expect(response.status).toBe(413);
        expect(JSON.parse(response.body).error.code).toBe('PAYLOAD_TOO_LARGE');
      });
    });

    it('keeps the connection usable after refusing a chunked body', async () => {
      await withListeningApp(async (port, agent) => {
        // Far more than the socket buffers hold, all of it after the refusal.
        const rest = Array.from({ length: 64 }, () => ' '.repeat(16_384));
        expect((await postInChunks(port, agent, [body, ...rest])).status).toBe(413);
        const next = await postInChunks(port, agent, ['{"numbers":', '[1,2]}']);
        expect(next).toMatchObject({ status: 200, reusedSocket: true });
        expect(JSON.parse(next.body).sum).toBe(3);
      });
    });

    it('accepts a body of exactly the limit', async () => {
      const exact = JSON.stringify({ numbers: [1, 2] });
      const { app } = buildTestApp({ bodyLimitBytes: Buffer.byteLength(exact) });
      const response = await request(app.callback())
        .post(SUM)
        .set('X-API-Key', DEMO_KEY)
        .set('Content-Type', 'application/json')
        .send(exact);
      expect(response.status).toBe(200);
    });
  });
});

describe('API key authentication', () => {
  it('401 without X-API-Key, with a WWW-Authenticate challenge', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback())
      .post(SUM)
      .send({ numbers: [1, 2] });
    expectError(response, 401, 'UNAUTHORIZED', SUM);
    expect(response.headers['www-authenticate']).toBe('ApiKey header="X-API-Key"');
  });

  it.each([
    ['a wrong key', 'not-the-key'],
    ['a key name instead of its value', 'api_key_demo'],
    ['a key with a different case', DEMO_KEY.toUpperCase()],
  ])('401 with %s', async (_case, key) => {
    const { app } = buildTestApp();
    expectError(await postSum(app, { numbers: [1, 2] }, key), 401, 'UNAUTHORIZED', SUM);
  });

  it('accepts every configured key and logs its name', async () => {
    const { app, log } = buildTestApp();
    const demo = await postSum(app, { numbers: [1, 2] }, DEMO_KEY);
    const other = await postSum(app, { numbers: [1, 2] }, OTHER_KEY);
    expect([demo.status, other.status]).toEqual([200, 200]);
    expect(log.requestLine(demo.headers['x-request-id']).api_key_name).toBe('api_key_demo');
    expect(log.requestLine(other.headers['x-request-id']).api_key_name).toBe('api_key_other');
  });

  it('guards every /api path, whatever its case, before revealing whether it exists', async () => {
    const { app } = buildTestApp();
    const server = app.callback();
    for (const path of ['/api', '/api/', '/api/v2/anything', '/API/v1/sum', '/Api/V1/Sum']) {
      expectError(
        await request(server)
          .post(path)
          .send({ numbers: [1, 2] }),
        401,
        'UNAUTHORIZED',
        path,
      );
    }
    expectError(await request(server).delete(SUM), 401, 'UNAUTHORIZED', SUM);
    const upperCase = await request(server)
      .post('/API/v1/sum')
      .set('X-API-Key', DEMO_KEY)
      .send({ numbers: [1, 2] });
    expectError(upperCase, 404, 'NOT_FOUND', '/API/v1/sum');
  });

  it('leaves health, metrics and the root open', async () => {
    const { app } = buildTestApp();
    const server = app.callback();
    for (const path of ['/', '/healthz', '/healthz/live', '/healthz/ready', '/metrics', '/apis']) {
      expect((await request(server).get(path)).status).not.toBe(401);
    }
  });

  it('never writes a key value, right or wrong, into a response or a log line', async () => {
    const { app, log } = buildTestApp();
    const wrongKey = 'wrong-key-value-5c6d7e';
    const responses = [
      await postSum(app, { numbers: [1, 2] }),
      await postSum(app, { numbers: [1] }),
      await postSum(app, { numbers: [1, 2] }, wrongKey),
      await request(app.callback()).get('/metrics'),
    ];
    for (const response of responses) {
      expect(response.text).not.toContain(DEMO_KEY);
      expect(response.text).not.toContain(wrongKey);
    }
    expect(log.lines.length).toBeGreaterThanOrEqual(4);
    expect(log.text).not.toContain(DEMO_KEY);
    expect(log.text).not.toContain(wrongKey);
  });

  it('accepts requests without a key when AUTH_DISABLED=true', async () => {
    const { app } = buildTestApp({ authDisabled: true, apiKeys: new Map() });
    const response = await request(app.callback())
      .post(SUM)
      .send({ numbers: [1, 2] });
    expect(response.status).toBe(200);
    expect(response.headers['ratelimit-limit']).toBe('600');
  });
});

describe('rate limiting per API key', () => {
  it('announces the budget, then answers 429 with Retry-After once it is spent', async () => {
    const { app } = buildTestApp({ rateLimitPerMinute: 3 });
    const remaining: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await postSum(app, { numbers: [1, 2] });
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe('3');
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const limited = await postSum(app, { numbers: [1, 2] });
    expectError(limited, 429, 'RATE_LIMITED', SUM);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['ratelimit-reset']).toBe(String(retryAfter));
  });

  it('counts each key separately and every /api route against it', async () => {
    const { app } = buildTestApp({ rateLimitPerMinute: 2 });
    await request(app.callback()).get(SUM).set('X-API-Key', DEMO_KEY);
    await postSum(app, { numbers: [1, 2] });
    expect((await postSum(app, { numbers: [1, 2] })).status).toBe(429);
    expect((await postSum(app, { numbers: [1, 2] }, OTHER_KEY)).status).toBe(200);
  });

  it('does not limit health checks or metrics', async () => {
    const { app } = buildTestApp({ rateLimitPerMinute: 1 });
    const server = app.callback();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await request(server).get('/healthz/live');
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('unknown routes and methods', () => {
  it('404 NOT_FOUND for a path nothing serves', async () => {
    const { app } = buildTestApp();
    expectError(await request(app.callback()).get('/nope'), 404, 'NOT_FOUND', '/nope');
    expectError(
      await request(app.callback()).post('/healthz/deep/nope'),
      404,
      'NOT_FOUND',
      '/healthz/deep/nope',
    );
  });

  it('404 for an unknown /api path once authenticated', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback()).get('/api/v2/sum').set('X-API-Key', DEMO_KEY);
    expectError(response, 404, 'NOT_FOUND', '/api/v2/sum');
  });

  it.each([
    ['POST', '/healthz', 'HEAD, GET'],
    ['DELETE', '/metrics', 'HEAD, GET'],
    ['PUT', SUM, 'HEAD, GET, POST'],
    ['PATCH', SUM, 'HEAD, GET, POST'],
  ])('405 METHOD_NOT_ALLOWED with Allow for %s %s', async (method, path, allow) => {
    const { app } = buildTestApp();
    const response = await request(app.callback())
      [method.toLowerCase() as 'post' | 'delete' | 'put' | 'patch'](path)
      .set('X-API-Key', DEMO_KEY);
    expectError(response, 405, 'METHOD_NOT_ALLOWED', path);
    expect(response.headers.allow).toBe(allow);
  });

  it('answers OPTIONS with the allowed methods', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback()).options('/healthz');
    expect(response.status).toBe(204);
    expect(response.headers.allow).toBe('HEAD, GET');
  });
});

describe('unexpected errors', () => {
  function appWithBrokenMetrics() {
    const metrics = createHttpMetrics();
    const brokenRegistry = {
      contentType: metrics.registry.contentType,
      metrics: () => Promise.reject(new Error('collector exploded at /secret/internal/path')),
    } as unknown as Registry;
    return buildTestApp({}, { metrics: { ...metrics, registry: brokenRegistry } });
  }

  it('500 INTERNAL_ERROR with a generic message and no stack trace', async () => {
    const { app } = appWithBrokenMetrics();
    const response = await request(app.callback()).get('/metrics');
    expectError(response, 500, 'INTERNAL_ERROR', '/metrics');
    expect(response.text).not.toContain('collector exploded');
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('logs it at error level with the request id and the stack', async () => {
    const { app, log } = appWithBrokenMetrics();
    const response = await request(app.callback()).get('/metrics');
    const line = log.requestLine(response.headers['x-request-id']);
    expect(line).toMatchObject({
      level: 'error',
      status: 500,
      route: '/metrics',
      method: 'GET',
      error_code: 'INTERNAL_ERROR',
    });
    expect(line.err).toMatchObject({ message: 'collector exploded at /secret/internal/path' });
    expect((line.err as { stack: string }).stack).toContain('Error: collector exploded');
  });
});

describe('X-Request-ID', () => {
  it('propagates a sane id sent by the caller to the response, the body and the log line', async () => {
    const { app, log } = buildTestApp();
    const withEquals = 'Root=1-67891233-abcdef012345678912345678';
    const sane = 'trace-1234.abc:42_Z';
    for (const offered of [sane, 'a', '0f3c2b9e-7d1a-4c5b-9e8f-123456789abc']) {
      const response = await postSum(app, { numbers: [1, 2] }).set('X-Request-ID', offered);
      expect(response.headers['x-request-id']).toBe(offered);
      expect(response.body.request_id).toBe(offered);
      expect(log.requestLine(offered).request_id).toBe(offered);
    }
    const replaced = await postSum(app, { numbers: [1, 2] }).set('X-Request-ID', withEquals);
    expect(replaced.headers['x-request-id']).toMatch(UUID);
  });

  it('generates a UUID when the caller sent none', async () => {
    const { app } = buildTestApp();
    const first = await request(app.callback()).get('/healthz/live');
    const second = await request(app.callback()).get('/healthz/live');
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'two words'],
    ['with a quote', 'id"injected'],
    ['with a newline escape', 'id\\nlevel=error'],
    ['starting with punctuation', '-id'],
    ['non-ASCII', 'idé'],
  ])('replaces an id that is %s', async (_case, offered) => {
    const { app } = buildTestApp();
    const response = await request(app.callback())
      .get('/healthz/live')
      .set('X-Request-ID', encodeURI(offered));
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('accepts an id of exactly 128 characters', async () => {
    const { app } = buildTestApp();
    const offered = 'a'.repeat(128);
    const response = await request(app.callback()).get('/healthz/live').set('X-Request-ID', offered);
    expect(response.headers['x-request-id']).toBe(offered);
  });

  it('is on error responses too', async () => {
    const { app } = buildTestApp();
    const response = await request(app.callback()).get('/nope').set('X-Request-ID', 'err-1');
    expect(response.headers['x-request-id']).toBe('err-1');
    expect(response.body.request_id).toBe('err-1');
  });
});

describe('request log lines', () => {
  it('writes one JSON line per request with level, time, msg, request id, method, route, status, duration', async () => {
    const { app, log } = buildTestApp();
    const response = await postSum(app, { numbers: [1, 2] }).set('X-Request-ID', 'log-1');
    expect(response.status).toBe(200);
    expect(log.lines).toHaveLength(1);
    expect(log.entries[0]).toEqual({
      level: 'info',
      time: expect.stringMatching(ISO_TIMESTAMP),
      service: 'zama-api',
      msg: 'request completed',
      request_id: 'log-1',
      method: 'POST',
      route: '/api/v1/sum',
      path: '/api/v1/sum',
      status: 200,
      duration_ms: expect.any(Number),
      api_key_name: 'api_key_demo',
    });
    expect(log.entries[0].duration_ms as number).toBeGreaterThan(0);
  });

  it('writes client errors at warn, so the error-line filter does not count them', async () => {
    const { app, log } = buildTestApp();
    const server = app.callback();
    const statuses = [
      (await request(server).post(SUM).set('X-Request-ID', 'c-401')).status,
      (await postSum(app, { numbers: [] }).set('X-Request-ID', 'c-400')).status,
      (await request(server).get('/nope').set('X-Request-ID', 'c-404')).status,
    ];
    expect(statuses).toEqual([401, 400, 404]);
    expect(log.requestLine('c-401')).toMatchObject({
      level: 'warn',
      status: 401,
      error_code: 'UNAUTHORIZED',
    });
    expect(log.requestLine('c-400')).toMatchObject({
      level: 'warn',
      status: 400,
      error_code: 'VALIDATION_ERROR',
    });
    expect(log.requestLine('c-404')).toMatchObject({ level: 'warn', status: 404, error_code: 'NOT_FOUND' });
  });

  it('omits the request lines below LOG_LEVEL', async () => {
    const { app, log } = buildTestApp({ logLevel: 'warn' });
    await postSum(app, { numbers: [1, 2] });
    await postSum(app, { numbers: [1] });
    expect(log.entries.map((entry) => entry.status)).toEqual([400]);
  });
});

describe('response headers', () => {
  it('sets X-Content-Type-Options: nosniff on every response', async () => {
    const { app } = buildTestApp();
    for (const path of ['/', '/nope', '/metrics']) {
      expect((await request(app.callback()).get(path)).headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
