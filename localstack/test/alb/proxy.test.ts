import { request } from 'node:http';
import type { CompletedRequest } from '../../src/alb/observer';
import { AlbProxy } from '../../src/alb/proxy';
import { TargetRegistry } from '../../src/alb/targets';
import {
  httpRequest,
  type RunningServer,
  startRawServer,
  startServer,
  startTargets,
  waitFor,
} from './helpers';

const LISTENER_PORT = 80;

interface Harness {
  readonly port: number;
  readonly registry: TargetRegistry;
  readonly events: CompletedRequest[];
}

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((resource) => resource.close()));
});

/** A proxy in front of targets on `targetPort`; `healthy` targets pass their checks at once. */
async function startProxy(
  targetPort: number,
  targets: { healthy?: string[]; unhealthy?: string[]; initial?: string[] },
  idleTimeoutSeconds = 5,
): Promise<Harness> {
  const registry = new TargetRegistry({
    port: targetPort,
    healthyThresholdCount: 1,
    unhealthyThresholdCount: 1,
    deregistrationDelaySeconds: 1,
  });
  for (const id of targets.healthy ?? []) {
    registry.register(id);
    registry.recordHealthCheck(id, { passed: true });
  }
  for (const id of targets.unhealthy ?? []) {
    registry.register(id);
    registry.recordHealthCheck(id, {
      passed: false,
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });
  }
  for (const id of targets.initial ?? []) registry.register(id);
  const events: CompletedRequest[] = [];
  const proxy = new AlbProxy({
    listenerPort: LISTENER_PORT,
    idleTimeoutSeconds,
    targets: registry,
    observers: [{ requestCompleted: (event) => events.push(event) }],
  });
  const { port } = await proxy.listen(0, '127.0.0.1');
  running.push({ close: () => proxy.close() }, { close: async () => registry.close() });
  return { port, registry, events };
}

async function replyingWithTheirAddress(count: number) {
  const targets = await startTargets(count, (ip) => (_req, res) => res.end(ip));
  running.push(targets);
  return targets;
}

async function bodies(port: number, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i += 1) answers.push((await httpRequest(port)).body);
  return answers;
}

describe('routing', () => {
  it('sends requests round robin to the healthy targets', async () => {
    const targets = await replyingWithTheirAddress(3);
    const { port } = await startProxy(targets.port, { healthy: targets.ips });

    const answers = await bodies(port, 6);
    expect(new Set(answers.slice(0, 3))).toEqual(new Set(targets.ips));
    expect(answers.slice(3)).toEqual(answers.slice(0, 3));
  });

  it('leaves out targets that are not healthy while any target is healthy', async () => {
    const targets = await replyingWithTheirAddress(3);
    const { port } = await startProxy(targets.port, {
      healthy: ['127.0.0.1'],
      unhealthy: ['127.0.0.2'],
      initial: ['127.0.0.3'],
    });
    expect(await bodies(port, 4)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  it('fails open to every registered target when none is healthy', async () => {
    const targets = await replyingWithTheirAddress(3);
    const { port } = await startProxy(targets.port, {
      unhealthy: ['127.0.0.1', '127.0.0.2'],
      initial: ['127.0.0.3'],
    });
    expect(new Set(await bodies(port, 3))).toEqual(new Set(targets.ips));
  });

  it('keeps connections to a target alive across requests', async () => {
    let connections = 0;
    const target = await startServer((_req, res) => res.end('ok'));
    target.server.on('connection', () => {
      connections += 1;
    });
    running.push(target);
    const { port } = await startProxy(target.port, { healthy: ['127.0.0.1'] });
    await bodies(port, 3);
    expect(connections).toBe(1);
  });
});

describe('errors the load balancer answers itself', () => {
  it('answers 503 with an ALB error page when no target is registered', async () => {
    const { port, events } = await startProxy(8080, {});
    const response = await httpRequest(port);

    expect(response.status).toBe(503);
    expect(response.statusMessage).toBe('Service Temporarily Unavailable');
    expect(response.headers).toMatchObject({ server: 'awselb/2.0', 'content-type': 'text/html' });
    expect(response.body).toBe(
      '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
        '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n',
    );
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ elbStatusCode: 503, targetConnectionError: false });
    expect(events[0].target).toBeUndefined();
    expect(events[0].targetStatusCode).toBeUndefined();
  });

  it('answers 502 and counts a connection error when the target refuses the connection', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const { port, events } = await startProxy(closed.port, { healthy: ['127.0.0.1'] });

    const response = await httpRequest(port);
    expect(response.status).toBe(502);
    expect(response.statusMessage).toBe('Bad Gateway');
    expect(response.body).toContain('<center><h1>502 Bad Gateway</h1></center>');
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({
      elbStatusCode: 502,
      target: { id: '127.0.0.1', port: closed.port },
      targetConnectionError: true,
    });
    expect(events[0].targetStatusCode).toBeUndefined();
    expect(events[0].targetResponseTimeSeconds).toBeUndefined();
  });

  it('answers 502 when the target resets the connection before responding', async () => {
    const target = await startServer((req) => req.socket.destroy());
    running.push(target);
    const { port, events } = await startProxy(target.port, { healthy: ['127.0.0.1'] });

    expect((await httpRequest(port)).status).toBe(502);
    await waitFor(() => events.length === 1);
    // the connection was established, so it is not a connection error
    expect(events[0]).toMatchObject({ elbStatusCode: 502, targetConnectionError: false });
  });

  it('answers 502 when the target sends a malformed response', async () => {
    const garbage = await startRawServer('HTTP/1.1 abc\r\n\r\n');
    running.push(garbage);
    const { port } = await startProxy(garbage.port, { healthy: ['127.0.0.1'] });

    expect((await httpRequest(port)).status).toBe(502);
  });

  it('answers 502 to a response Node parses but cannot relay, and keeps serving', async () => {
    const odd = await startRawServer('HTTP/1.1 200 OK\x01\r\nContent-Length: 2\r\n\r\nok');
    running.push(odd);
    const { port, events } = await startProxy(odd.port, { healthy: ['127.0.0.1'] });

    expect((await httpRequest(port)).status).toBe(502);
    expect((await httpRequest(port)).status).toBe(502);
    await waitFor(() => events.length === 2);
    expect(events[0].targetStatusCode).toBeUndefined();
  });

  it('answers 504 when the target does not respond within the idle timeout', async () => {
    const target = await startServer(() => undefined);
    running.push(target);
    const { port, events } = await startProxy(target.port, { healthy: ['127.0.0.1'] }, 0.3);

    const started = Date.now();
    const response = await httpRequest(port);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(504);
    expect(response.statusMessage).toBe('Gateway Time-out');
    expect(response.body).toContain('<title>504 Gateway Time-out</title>');
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2000);
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ elbStatusCode: 504, targetConnectionError: false });
  });

  it('cuts the client off when the target dies in the middle of the body', async () => {
    const target = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 50);
    });
    running.push(target);
    const { port, events } = await startProxy(target.port, { healthy: ['127.0.0.1'] });

    await expect(httpRequest(port)).rejects.toThrow();
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ elbStatusCode: 200, targetStatusCode: 200 });
  });

  it('records 460 when the client closes the connection before the response', async () => {
    const target = await startServer((_req, res) => setTimeout(() => res.end('late'), 300));
    running.push(target);
    const { port, events } = await startProxy(target.port, { healthy: ['127.0.0.1'] });

    const req = request({ host: '127.0.0.1', port, agent: false });
    req.on('error', () => undefined);
    req.end();
    setTimeout(() => req.destroy(), 50);
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ elbStatusCode: 460, target: { id: '127.0.0.1' } });
  });
});

describe('what the target receives and the client gets back', () => {
  let target: RunningServer;
  let received: {
    headers: Record<string, string | string[] | undefined>;
    rawHeaders: string[];
    body: string;
  };

  beforeEach(async () => {
    target = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received = {
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks).toString(),
        };
        res.writeHead(201, 'Brewed', ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-Target', 'yes']);
        res.end(received.body);
      });
    });
    running.push(target);
  });

  it('adds X-Forwarded-For/-Proto/-Port and a new trace id, keeping Host and end-to-end headers', async () => {
    const { port, events } = await startProxy(target.port, { healthy: ['127.0.0.1'] });
    const before = Math.floor(Date.now() / 1000);
    await httpRequest(port, {
      path: '/v1/items?limit=2',
      headers: {
        Host: 'api.example.com',
        'X-Forwarded-For': '203.0.113.7',
        'X-Forwarded-Proto': 'https',
        'X-Custom': 'kept',
        Connection: 'keep-alive, X-Per-Hop',
        'X-Per-Hop': 'dropped',
      },
    });

    expect(received.headers).toMatchObject({
      host: 'api.example.com',
      'x-forwarded-for': '203.0.113.7, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': '80',
      'x-custom': 'kept',
    });
    expect(received.headers['x-per-hop']).toBeUndefined();
    const trace = String(received.headers['x-amzn-trace-id']);
    const match = /^Root=1-([0-9a-f]{8})-[0-9a-f]{24}$/.exec(trace);
    expect(match).not.toBeNull();
    expect(Math.abs(Number.parseInt(match?.[1] ?? '0', 16) - before)).toBeLessThanOrEqual(2);
    await waitFor(() => events.length === 1);
    expect(events[0].traceId).toBe(trace);
    expect(events[0].url).toBe('http://api.example.com:80/v1/items?limit=2');
  });

  it("keeps the client's trace Root and fields and inserts a Self field, like ALB", async () => {
    const { port } = await startProxy(target.port, { healthy: ['127.0.0.1'] });
    await httpRequest(port, {
      headers: { 'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678;CalledFrom=app' },
    });
    expect(received.headers['x-amzn-trace-id']).toMatch(
      /^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-67891233-abcdef012345678912345678;CalledFrom=app$/,
    );
  });

  it('streams request and response bodies and relays the status line and repeated headers', async () => {
    const { port, events } = await startProxy(target.port, { healthy: ['127.0.0.1'] });
    const body = 'x'.repeat(1024 * 1024);
    const response = await httpRequest(port, { method: 'POST', body });

    expect(response.status).toBe(201);
    expect(response.statusMessage).toBe('Brewed');
    expect(response.body).toBe(body);
    expect(received.body).toBe(body);
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['x-target']).toBe('yes');
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({
      elbStatusCode: 201,
      targetStatusCode: 201,
      targetConnectionError: false,
      method: 'POST',
    });
    expect(events[0].receivedBytes).toBeGreaterThan(body.length);
    expect(events[0].sentBytes).toBeGreaterThan(body.length);
    expect(events[0].targetResponseTimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('relays a chunked request body', async () => {
    const { port } = await startProxy(target.port, { healthy: ['127.0.0.1'] });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('first,');
      setTimeout(() => req.end('second'), 20);
    });
    expect(answer).toBe('first,second');
    expect(received.headers['transfer-encoding']).toBe('chunked');
  });
});
