import request from 'supertest';
import { expectError } from './support/http';
import { buildTestApp, DEMO_KEY } from './support/test-app';

const FAULT = '/_local/fault';
const SUM = '/api/v1/sum';

function faultApp(overrides: Parameters<typeof buildTestApp>[0] = {}) {
  const built = buildTestApp({ faultInjectionEnabled: true, ...overrides });
  const server = built.app.callback();
  return {
    ...built,
    server,
    setFault: (body: unknown) =>
      request(server)
        .put(FAULT)
        .set('X-API-Key', DEMO_KEY)
        .send(body as object),
    getFault: () => request(server).get(FAULT).set('X-API-Key', DEMO_KEY),
    postSum: () =>
      request(server)
        .post(SUM)
        .set('X-API-Key', DEMO_KEY)
        .send({ numbers: [1, 2] }),
  };
}

describe('fault injection switched off (the default, and every profile but local)', () => {
  it.each([
    ['GET', FAULT],
    ['PUT', FAULT],
    ['GET', '/_local/fault/'],
  ])('%s %s is 404 NOT_FOUND like any unknown path, with or without a key', async (method, path) => {
    const { app } = buildTestApp();
    const server = app.callback();
    const verb = method.toLowerCase() as 'get' | 'put';
    expectError(await request(server)[verb](path), 404, 'NOT_FOUND', path);
    const withKey = await request(server)[verb](path).set('X-API-Key', DEMO_KEY).send({ mode: 'http-500' });
    expectError(withKey, 404, 'NOT_FOUND', path);
    expect(
      (
        await request(server)
          .post(SUM)
          .set('X-API-Key', DEMO_KEY)
          .send({ numbers: [1, 2] })
      ).status,
    ).toBe(200);
  });

  it('adds no health check and lists no fault endpoint', async () => {
    const { app } = buildTestApp();
    const health = await request(app.callback()).get('/healthz');
    expect(Object.keys(health.body.checks)).toEqual(['event_loop', 'heap']);
    const root = await request(app.callback()).get('/');
    expect(Object.keys(root.body.endpoints).filter((endpoint) => endpoint.includes(FAULT))).toEqual([]);
  });
});

describe('the fault endpoint', () => {
  it('starts in mode none and lists itself at GET /', async () => {
    const { getFault, server } = faultApp();
    const response = await getFault();
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ mode: 'none' });
    const root = await request(server).get('/');
    expect(root.body.endpoints).toMatchObject({
      [`GET ${FAULT}`]: expect.any(String),
      [`PUT ${FAULT}`]: expect.any(String),
    });
  });

  it.each([
    [{ mode: 'http-500' }, { mode: 'http-500' }],
    [{ mode: 'slow' }, { mode: 'slow', delayMs: 3000 }],
    [
      { mode: 'slow', delayMs: 0 },
      { mode: 'slow', delayMs: 0 },
    ],
    [
      { mode: 'slow', delayMs: 30000 },
      { mode: 'slow', delayMs: 30000 },
    ],
    [{ mode: 'unhealthy' }, { mode: 'unhealthy' }],
    [{ mode: 'error-logs' }, { mode: 'error-logs' }],
    [{ mode: 'none' }, { mode: 'none' }],
  ])('PUT %j sets %j, which GET then reads', async (body, expected) => {
    const { setFault, getFault } = faultApp();
    const set = await setFault(body);
    expect(set.status).toBe(200);
    expect(set.body).toEqual(expected);
    expect((await getFault()).body).toEqual(expected);
  });

  it.each([
    ['GET', undefined],
    ['PUT', undefined],
    ['GET', 'not-the-key'],
    ['PUT', 'not-the-key'],
  ])('%s needs the API key (key: %s)', async (method, key) => {
    const { server, getFault } = faultApp();
    const pending = method === 'GET' ? request(server).get(FAULT) : request(server).put(FAULT);
    const response = await (key === undefined ? pending : pending.set('X-API-Key', key)).send({
      mode: 'http-500',
    });
    expectError(response, 401, 'UNAUTHORIZED', FAULT);
    expect((await getFault()).body).toEqual({ mode: 'none' });
  });

  it('is open like /api/* when AUTH_DISABLED=true', async () => {
    const { server } = faultApp({ authDisabled: true, apiKeys: new Map() });
    const response = await request(server).put(FAULT).send({ mode: 'unhealthy' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ mode: 'unhealthy' });
  });

  it.each([
    ['no mode', {}, 'mode is required'],
    [
      'an unknown mode',
      { mode: 'broken' },
      'mode must be one of none, http-500, slow, unhealthy, error-logs, cpu',
    ],
    [
      'a mode that is not a string',
      { mode: 500 },
      'mode must be one of none, http-500, slow, unhealthy, error-logs, cpu',
    ],
    ['a delay over 30 s', { mode: 'slow', delayMs: 30001 }, 'delayMs must be an integer from 0 to 30000'],
    ['a negative delay', { mode: 'slow', delayMs: -1 }, 'delayMs must be an integer from 0 to 30000'],
    ['a fractional delay', { mode: 'slow', delayMs: 1.5 }, 'delayMs must be an integer from 0 to 30000'],
    ['a delay as a string', { mode: 'slow', delayMs: '3000' }, 'delayMs must be an integer from 0 to 30000'],
    ['a delay for another mode', { mode: 'http-500', delayMs: 100 }, 'delayMs applies only to mode "slow"'],
    [
      'an unknown field',
      { mode: 'none', delay: 100 },
      'request body has unknown fields (delay); it accepts mode, delayMs and percent',
    ],
    ['a CPU share over 100 %', { mode: 'cpu', percent: 101 }, 'percent must be an integer from 1 to 100'],
    ['a CPU share of 0', { mode: 'cpu', percent: 0 }, 'percent must be an integer from 1 to 100'],
    ['a CPU share for another mode', { mode: 'slow', percent: 50 }, 'percent applies only to mode "cpu"'],
    ['an array', ['slow'], 'request body must be a JSON object such as {"mode":"slow","delayMs":3000}'],
  ])('400 VALIDATION_ERROR for %s, leaving the mode as it was', async (_case, body, message) => {
    const { setFault, getFault } = faultApp();
    const response = await setFault(body);
    expectError(response, 400, 'VALIDATION_ERROR', FAULT);
    expect(response.body.error.message).toBe(message);
    expect((await getFault()).body).toEqual({ mode: 'none' });
  });

  it.each([
    ['malformed JSON', 'application/json', '{"mode":', 400],
    ['a body that is not JSON', 'text/plain', 'mode=slow', 415],
  ])('refuses %s with INVALID_REQUEST_BODY', async (_case, contentType, body, status) => {
    const { server } = faultApp();
    const response = await request(server)
      .put(FAULT)
      .set('X-API-Key', DEMO_KEY)
      .set('Content-Type', contentType)
      .send(body);
    expectError(response, status, 'INVALID_REQUEST_BODY', FAULT);
  });

  it('405 for a method it does not serve', async () => {
    const { server } = faultApp();
    const response = await request(server).post(FAULT).set('X-API-Key', DEMO_KEY).send({ mode: 'none' });
    expectError(response, 405, 'METHOD_NOT_ALLOWED', FAULT);
    expect(response.headers.allow).toBe('HEAD, GET, PUT');
  });

  it('logs every change at warn with the previous mode and the request id', async () => {
    const { setFault, log } = faultApp();
    await setFault({ mode: 'slow', delayMs: 250 }).set('X-Request-ID', 'fault-1');
    await setFault({ mode: 'none' }).set('X-Request-ID', 'fault-2');
    const changes = log.entries.filter((entry) => 'fault_mode' in entry);
    expect(changes).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'fault injection mode set to slow',
        request_id: 'fault-1',
        fault_mode: 'slow',
        delay_ms: 250,
        previous_fault_mode: 'none',
      }),
      expect.objectContaining({
        level: 'warn',
        msg: 'fault injection mode set to none',
        request_id: 'fault-2',
        fault_mode: 'none',
        previous_fault_mode: 'slow',
      }),
    ]);
    expect(changes[1]).not.toHaveProperty('delay_ms');
  });
});

describe('the fault modes', () => {
  it('http-500: every /api request answers 500 INTERNAL_ERROR, logged at error like any unexpected error', async () => {
    const { setFault, postSum, server, log } = faultApp();
    await setFault({ mode: 'http-500' });

    const post = await postSum().set('X-Request-ID', 'fail-1');
    expectError(post, 500, 'INTERNAL_ERROR', SUM);
    expect(post.text).not.toContain('injected');
    expectError(await request(server).get(SUM).set('X-API-Key', DEMO_KEY), 500, 'INTERNAL_ERROR', SUM);
    expectError(
      await request(server).get('/api/v2/nothing').set('X-API-Key', DEMO_KEY),
      500,
      'INTERNAL_ERROR',
      '/api/v2/nothing',
    );
    const line = log.requestLine('fail-1');
    expect(line).toMatchObject({ level: 'error', status: 500, route: SUM, error_code: 'INTERNAL_ERROR' });
    expect(line.err).toMatchObject({
      type: 'InjectedFault',
      message: expect.stringContaining('injected fault'),
    });

    expectError(
      await request(server)
        .post(SUM)
        .send({ numbers: [1, 2] }),
      401,
      'UNAUTHORIZED',
      SUM,
    );
    expect((await request(server).get('/healthz')).status).toBe(200);
    await setFault({ mode: 'none' });
    expect((await postSum()).status).toBe(200);
  });

  it('slow: every /api request is served normally after delayMs; health is not delayed', async () => {
    const { setFault, postSum, server } = faultApp();
    await setFault({ mode: 'slow', delayMs: 300 });

    const started = Date.now();
    const response = await postSum();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.status).toBe(200);
    expect(response.body.sum).toBe(3);

    const healthStarted = Date.now();
    expect((await request(server).get('/healthz/live')).status).toBe(200);
    expect(Date.now() - healthStarted).toBeLessThan(290);

    await setFault({ mode: 'none' });
    const fastStarted = Date.now();
    expect((await postSum()).status).toBe(200);
    expect(Date.now() - fastStarted).toBeLessThan(290);
  });

  it('unhealthy: /healthz and /healthz/ready answer 503, liveness and /api stay 200', async () => {
    const { setFault, postSum, server, log } = faultApp();
    await setFault({ mode: 'unhealthy' });

    const health = await request(server).get('/healthz').set('X-Request-ID', 'sick-1');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'unhealthy',
      checks: { fault_injection: { healthy: false, mode: 'unhealthy' } },
    });
    const ready = await request(server).get('/healthz/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unhealthy' });
    expect((await request(server).get('/healthz/live')).status).toBe(200);
    expect((await postSum()).status).toBe(200);
    // A failing health check is no application error: it must not feed the error-line alarm.
    expect(log.requestLine('sick-1').level).toBe('warn');

    await setFault({ mode: 'none' });
    const healthy = await request(server).get('/healthz');
    expect(healthy.status).toBe(200);
    expect(healthy.body.checks.fault_injection).toEqual({ healthy: true, mode: 'none' });
    expect((await request(server).get('/healthz/ready')).body).toEqual({ status: 'ready' });
  });

  it('error-logs: every /api request is served normally and writes one error line', async () => {
    const { setFault, postSum, server, log } = faultApp();
    await setFault({ mode: 'error-logs' });

    const first = await postSum().set('X-Request-ID', 'noisy-1');
    const second = await request(server).get(SUM).set('X-API-Key', DEMO_KEY).set('X-Request-ID', 'noisy-2');
    await request(server).get('/healthz/live');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.sum).toBe(3);

    const errorLines = log.entries.filter((entry) => entry.level === 'error');
    expect(errorLines).toEqual([
      expect.objectContaining({
        msg: 'injected error log line',
        request_id: 'noisy-1',
        fault_mode: 'error-logs',
      }),
      expect.objectContaining({
        msg: 'injected error log line',
        request_id: 'noisy-2',
        fault_mode: 'error-logs',
      }),
    ]);
    expect(log.requestLine('noisy-1')).toMatchObject({ level: 'info', status: 200 });
  });
});
