import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:net';
import { shutdownTimings } from '../src/shutdown';
import { buildServer, SERVER_JS, ServerProcess } from './support/server-process';

const API_KEY = 'process-test-key-3e8f';
const BASE_ENV = { PORT: '0', API_KEYS: JSON.stringify({ api_key_process: API_KEY }) };
const BODY = JSON.stringify({ numbers: [1.5, 2.5, 3] });

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function collect(resolve: (reply: Reply) => void, reject: (error: Error) => void) {
  return (incoming: IncomingMessage) => {
    let body = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk) => {
      body += chunk;
    });
    incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
    incoming.on('error', reject);
  };
}

function get(port: number, path: string, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, agent }, collect(resolve, reject)).on('error', reject).end();
  });
}

function postSum(port: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/sum',
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': API_KEY },
      },
      collect(resolve, reject),
    )
      .on('error', reject)
      .end(BODY);
  });
}

/** A POST whose body is sent in two halves, so the request is in flight between them. */
function startSlowSum(port: number) {
  let finish: () => void = () => undefined;
  const reply = new Promise<Reply>((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/sum',
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-API-Key': API_KEY,
          'Content-Length': Buffer.byteLength(BODY),
        },
      },
      collect(resolve, reject),
    );
    outgoing.on('error', reject);
    outgoing.write(BODY.slice(0, 10));
    finish = () => outgoing.end(BODY.slice(10));
  });
  return { reply, finish: () => finish() };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the built server process', () => {
  const running: ServerProcess[] = [];
  const start = (environment: NodeJS.ProcessEnv, args?: string[]) => {
    const server = new ServerProcess(environment, args);
    running.push(server);
    return server;
  };

  beforeAll(() => buildServer(), 60_000);
  afterEach(() => {
    for (const server of running.splice(0)) server.kill();
  });

  describe('configuration', () => {
    it('exits 1 with one stderr line naming an invalid variable and what is allowed', async () => {
      const server = start({ ...BASE_ENV, LOG_LEVEL: 'verbose' });
      expect(await server.exited).toEqual({ code: 1, signal: null });
      expect(server.stderr).toBe(
        'invalid configuration: LOG_LEVEL must be one of debug, info, warn, error\n',
      );
      expect(server.entries).toEqual([]);
    });

    it('refuses to start without API_KEYS, without echoing a malformed value', async () => {
      const missing = start({ PORT: '0' });
      expect((await missing.exited).code).toBe(1);
      expect(missing.stderr).toMatch(
        /^invalid configuration: API_KEYS is required .*AUTH_DISABLED=true.*\n$/,
      );

      const malformed = start({ PORT: '0', API_KEYS: 'api_key_process=hunter2' });
      expect((await malformed.exited).code).toBe(1);
      expect(malformed.stderr).toMatch(/^invalid configuration: API_KEYS must be a JSON object/);
      expect(malformed.stderr).not.toContain('hunter2');
    });

    it('starts without API_KEYS when AUTH_DISABLED=true, and warns about it', async () => {
      const server = start({ PORT: '0', AUTH_DISABLED: 'true' });
      const port = await server.port();
      await server.waitFor((entry) => entry.level === 'warn' && String(entry.msg).includes('AUTH_DISABLED'));
      expect((await postSum(port)).status).toBe(200);
    });

    it('exits 1 with a fatal log line when the port is taken', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as { port: number };
      try {
        const server = start({ ...BASE_ENV, PORT: String(port) });
        expect((await server.exited).code).toBe(1);
        expect(server.entries).toContainEqual(
          expect.objectContaining({ level: 'fatal', msg: 'the server could not listen', port }),
        );
      } finally {
        blocker.close();
      }
    });
  });

  it('serves with keep-alive held longer than the ALB idle timeout (60 s)', async () => {
    const server = start(BASE_ENV);
    const port = await server.port();
    const agent = new Agent({ keepAlive: true });
    try {
      const reply = await get(port, '/healthz', agent);
      expect(reply.status).toBe(200);
      expect(reply.headers['keep-alive']).toBe('timeout=65');
    } finally {
      agent.destroy();
    }
  });

  it('logs an uncaught exception as a fatal JSON line with its stack, then exits 1', async () => {
    const script = `require(${JSON.stringify(SERVER_JS)}); setTimeout(() => { throw new Error('boom from a timer'); }, 300);`;
    const server = start(BASE_ENV, ['-e', script]);
    expect((await server.exited).code).toBe(1);
    const fatal = server.entries.find((entry) => entry.level === 'fatal');
    expect(fatal).toMatchObject({
      msg: 'uncaught exception: exiting',
      err: {
        message: 'boom from a timer',
        stack: expect.stringContaining('Error: boom from a timer\n    at '),
      },
    });
  });

  describe('graceful shutdown', () => {
    it('on SIGTERM: ready turns 503 at once, requests in flight and during the drain all succeed, new connections are then refused, exit 0 within the grace period', async () => {
      const graceMs = 4000;
      const server = start({ ...BASE_ENV, SHUTDOWN_GRACE_MS: String(graceMs) });
      const port = await server.port();
      expect((await get(port, '/healthz/ready')).status).toBe(200);

      const inFlight = Array.from({ length: 20 }, () => startSlowSum(port));
      await pause(100);

      const signalledAt = Date.now();
      server.signal('SIGTERM');
      await server.waitFor((entry) => entry.msg === 'shutdown started: readiness reports 503');

      const ready = await get(port, '/healthz/ready');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ status: 'draining' });
      expect(ready.headers.connection).toBe('close');

      // New requests keep arriving while the load balancer catches up: none may fail. The loop
      // stops well before the drain ends, since a connection made after the listener has closed
      // is refused by design.
      const sendUntil = signalledAt + shutdownTimings(graceMs).drainMs - 400;
      const duringDrain: Promise<Reply>[] = [];
      while (Date.now() < sendUntil) {
        duringDrain.push(postSum(port));
        await pause(25);
      }
      expect(duringDrain.length).toBeGreaterThan(5);
      for (const reply of await Promise.all(duringDrain)) {
        expect(reply.status).toBe(200);
        expect(reply.headers.connection).toBe('close');
      }

      await server.waitFor((entry) => String(entry.msg).startsWith('stopped accepting connections'));
      await expect(get(port, '/healthz/live')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(server.entries.some((entry) => entry.msg === 'shutdown complete')).toBe(false);

      for (const request of inFlight) request.finish();
      const replies = await Promise.all(inFlight.map((request) => request.reply));
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(JSON.parse(reply.body)).toMatchObject({ sum: 7, count: 3 });
        expect(reply.headers.connection).toBe('close');
      }

      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(graceMs);
      expect(server.entries.map((entry) => entry.level)).not.toContain('error');
      expect(server.entries).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'shutdown complete' }),
      );
      expect(server.stderr).toBe('');
    }, 20_000);

    it('on SIGINT: the same shutdown, exit 0', async () => {
      const server = start({ ...BASE_ENV, SHUTDOWN_GRACE_MS: '400' });
      const port = await server.port();
      expect((await postSum(port)).status).toBe(200);
      server.signal('SIGINT');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.entries).toContainEqual(
        expect.objectContaining({ signal: 'SIGINT', msg: expect.stringMatching(/^shutdown started/) }),
      );
    });

    it('writes every log line before it exits: stdout is batched per event-loop turn, then flushed on exit', async () => {
      const server = start({ ...BASE_ENV, SHUTDOWN_GRACE_MS: '400' });
      const port = await server.port();
      const replies = await Promise.all(Array.from({ length: 50 }, () => postSum(port)));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      server.signal('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.entries.filter((entry) => entry.msg === 'request completed')).toHaveLength(50);
      // Logged in the same turn as process.exit, so only the flush on exit can have written it.
      expect(server.entries.at(-1)).toMatchObject({ msg: 'shutdown complete' });
    });

    it('cuts a request that outlives the grace period and still exits 0 before it ends', async () => {
      const graceMs = 1500;
      const server = start({ ...BASE_ENV, SHUTDOWN_GRACE_MS: String(graceMs) });
      const port = await server.port();
      const stuck = startSlowSum(port);
      await pause(100);
      const signalledAt = Date.now();
      server.signal('SIGTERM');
      await expect(stuck.reply).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(graceMs);
      expect(server.entries).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'shutdown deadline reached: closed the connections still open',
        }),
      );
    });
  });
});
