/**
 * The listener at ALB's edges, driven with raw bytes: what it refuses, forwards or normalises,
 * by the rules of AWS's http_desync_guardian (the classifier behind ALB's desync mitigation),
 * ALB's troubleshooting guide (its own 400, 408, 501, 505 answers and header limits) and RFC 9112
 * where ALB documents nothing.
 */
import { createServer as nodeHttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import type { CompletedRequest } from '../../src/alb/observer';
import { AlbProxy, type AlbProxyOptions } from '../../src/alb/proxy';
import { TargetRegistry } from '../../src/alb/targets';
import { waitFor } from './helpers';

/** A target that records the raw bytes of each request and answers 200 once the request is complete. */
class RecordingTarget {
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly answer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok') {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      let buffer = '';
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('latin1');
        for (;;) {
          const length = completeRequestLength(buffer);
          if (length === undefined) return;
          this.requests.push(buffer.slice(0, length));
          buffer = buffer.slice(length);
          socket.write(this.answer);
        }
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function completeRequestLength(buffer: string): number | undefined {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buffer.slice(0, headEnd + 4);
  if (/\r\ntransfer-encoding: chunked\r\n/i.test(head)) {
    const end = buffer.indexOf('\r\n0\r\n\r\n', headEnd);
    const empty = buffer.startsWith('0\r\n\r\n', headEnd + 4) ? headEnd + 9 : -1;
    if (empty > 0) return empty;
    return end < 0 ? undefined : end + 7;
  }
  const length = Number(/\r\ncontent-length: (\d+)\r\n/i.exec(head)?.[1] ?? 0);
  return buffer.length >= head.length + length ? head.length + length : undefined;
}

/** Writes `request` on a new connection; resolves with everything received until the ALB closes it or `quietMs` pass in silence. */
function exchange(
  port: number,
  request: string | Buffer,
  quietMs = 300,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
    };
    const quiet = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(false), quietMs);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      quiet();
    });
    socket.on('end', () => done(true));
    socket.on('error', () => done(true));
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
    quiet();
  });
}

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((resource) => resource.close()));
});

async function setUp(options: Partial<AlbProxyOptions> = {}, target = new RecordingTarget()) {
  await target.start();
  const registry = new TargetRegistry({
    port: target.port,
    healthyThresholdCount: 1,
    unhealthyThresholdCount: 1,
    deregistrationDelaySeconds: 1,
  });
  registry.register('127.0.0.1');
  registry.recordHealthCheck('127.0.0.1', { passed: true });
  const events: CompletedRequest[] = [];
  const proxy = new AlbProxy({
    listenerPort: 80,
    idleTimeoutSeconds: 5,
    targets: registry,
    observers: [{ requestCompleted: (event) => events.push(event) }],
    dropInvalidHeaderFields: true,
    ...options,
  });
  const { port } = await proxy.listen(0, '127.0.0.1');
  running.push(target, { close: () => proxy.close() }, { close: async () => registry.close() });
  return { port, target, events };
}

const statusOf = (text: string) => /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];

describe("ALB's own answers", () => {
  it.each([
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', '400'],
    ['no Host header in HTTP/1.1', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', '400'],
    ['an empty Host header', 'GET / HTTP/1.1\r\nHost: \r\n\r\n', '400'],
    ['HTTP/0.9, without a version', 'GET /\r\n\r\n', '400'],
    ['HTTP/2 on an HTTP/1 connection', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', '505'],
    [
      'a transfer coding ALB does not support',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      '501',
    ],
    [
      'chunked twice (Severe)',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n',
      '400',
    ],
    [
      'two different Content-Length headers (Severe)',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      '400',
    ],
    ['NUL in a header (Severe)', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n', '400'],
    ['a malformed method (Severe)', 'G{T / HTTP/1.1\r\nHost: a\r\n\r\n', '400'],
    [
      'a header of 16 KiB and more',
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(16 * 1024)}\r\n\r\n`,
      '400',
    ],
    ['a request line of 16 KiB and more', `GET /${'x'.repeat(16 * 1024)} HTTP/1.1\r\nHost: a\r\n\r\n`, '400'],
    [
      'a head of 64 KiB and more',
      `GET / HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 5 }, (_, i) => `X-${i}: ${'x'.repeat(15_000)}\r\n`).join('')}\r\n`,
      '400',
    ],
  ])(
    "%s: %s, with ALB's page, and the connection closed; the target sees nothing",
    async (_case, request, status) => {
      const { port, target, events } = await setUp();
      const { text, closed } = await exchange(port, request);
      expect(statusOf(text)).toBe(status);
      expect(text).toMatch(/\r\nServer: awselb\/2\.0\r\n/);
      expect(text).toMatch(/\r\nContent-Type: text\/html\r\n/);
      expect(text).toMatch(/\r\nConnection: close\r\n/);
      expect(text).toContain(`<center><h1>${status} `);
      expect(closed).toBe(true);
      expect(target.requests).toEqual([]);
      await waitFor(() => events.length === 1);
      expect(events[0]).toMatchObject({ elbStatusCode: Number(status), targetConnectionError: false });
      expect(events[0].target).toBeUndefined();
    },
  );

  it('answers 408 to a request still incomplete at the idle timeout, and closes', async () => {
    const { port, events } = await setUp({ idleTimeoutSeconds: 0.3 });
    const started = Date.now();
    const { text, closed } = await exchange(
      port,
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc',
      2000,
    );
    expect(statusOf(text)).toBe('408');
    expect(text).toContain('<title>408 Request Time-out</title>');
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    await waitFor(() => events.length === 1);
    expect(events[0].elbStatusCode).toBe(408);
  });

  it('passes a header just under 16 KiB', async () => {
    const { port, target } = await setUp();
    const { text } = await exchange(
      port,
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(16_000)}\r\n\r\n`,
    );
    expect(statusOf(text)).toBe('200');
    expect(target.requests[0]).toContain(`X-Big: ${'x'.repeat(16_000)}\r\n`);
  });
});

describe('requests ALB forwards that a strict parser refuses', () => {
  it.each([
    [
      'UTF-8 in the path',
      'GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /caf\xc3\xa9 HTTP/1.1\r\n',
      undefined,
    ],
    [
      'a chunk extension on the coding',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;ext=1\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'Transfer-Encoding: chunked\r\n',
      undefined,
    ],
    [
      'a control character in a header value',
      'GET / HTTP/1.1\r\nHost: a\r\nX-Note: a\x01b\r\n\r\n',
      'X-Note: a\x01b\r\n',
      'Acceptable',
    ],
    [
      'a non-ASCII header value',
      'GET / HTTP/1.1\r\nHost: a\r\nX-Note: caf\xe9\r\n\r\n',
      'X-Note: caf\xe9\r\n',
      undefined,
    ],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', 'GET / HTTP/1.1\r\n', 'Acceptable'],
    ['a space after the version', 'GET / HTTP/1.1 \r\nHost: a\r\n\r\n', 'GET / HTTP/1.1\r\n', 'Acceptable'],
    [
      'identity before chunked',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n',
      'Transfer-Encoding: chunked\r\n',
      undefined,
    ],
  ])('%s is forwarded', async (_case, request, forwarded, classification) => {
    const { port, target, events } = await setUp();
    const { text } = await exchange(port, request);
    expect(statusOf(text)).toBe('200');
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]).toContain(forwarded);
    await waitFor(() => events.length === 1);
    expect(events[0].classification).toBe(classification);
  });

  it('normalises an absolute-form URI to origin form, its authority becoming the Host (RFC 9112 §3.2.2)', async () => {
    const { port, target } = await setUp();
    await exchange(
      port,
      'GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: api.example.com\r\n\r\n',
    );
    expect(target.requests[0]).toMatch(/^GET \/latest\/meta-data HTTP\/1\.1\r\n/);
    expect(target.requests[0]).toContain('\r\nHost: 169.254.169.254\r\n');
    expect(target.requests[0]).not.toContain('api.example.com');
  });
});

describe('desync mitigation, defensive mode', () => {
  it.each([
    [
      'Transfer-Encoding with Content-Length',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'BothTeClPresent',
    ],
    [
      'two identical Content-Length headers',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab',
      'DuplicateContentLength',
    ],
    [
      'a space before the colon of Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\nab',
      'SuspiciousHeader',
    ],
    [
      'a GET with a body',
      'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab',
      'UndefinedContentLengthSemantics',
    ],
  ])(
    'forwards an Ambiguous request (%s), then closes the client connection',
    async (_case, request, reason) => {
      const { port, target, events } = await setUp();
      const pipelined = `${request}GET /second HTTP/1.1\r\nHost: a\r\n\r\n`;
      const { text, closed } = await exchange(port, pipelined);
      expect(statusOf(text)).toBe('200');
      expect(text).toMatch(/\r\nConnection: close\r\n/);
      expect(closed).toBe(true);
      // The request that followed on the same connection is never read: its boundary is in doubt.
      expect(target.requests).toHaveLength(1);
      await waitFor(() => events.length === 1);
      expect(events[0]).toMatchObject({ classification: 'Ambiguous', classificationReason: reason });
    },
  );

  it('forwards one Content-Length for two identical ones, and no Content-Length beside chunked', async () => {
    const { port, target } = await setUp();
    await exchange(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab');
    expect(target.requests[0].match(/Content-Length/gi)).toHaveLength(1);
    await exchange(
      port,
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(target.requests[1]).not.toMatch(/content-length/i);
  });

  it('drops a header whose name ALB calls invalid when drop_invalid_header_fields is on, and keeps it when off', async () => {
    const on = await setUp({ dropInvalidHeaderFields: true });
    await exchange(on.port, 'GET / HTTP/1.1\r\nHost: a\r\nX_Forwarded_Host: evil\r\nX-Ok: 1\r\n\r\n');
    expect(on.target.requests[0]).not.toContain('X_Forwarded_Host');
    expect(on.target.requests[0]).toContain('X-Ok: 1');
    const off = await setUp({ dropInvalidHeaderFields: false });
    await exchange(off.port, 'GET / HTTP/1.1\r\nHost: a\r\nX_Forwarded_Host: evil\r\n\r\n');
    expect(off.target.requests[0]).toContain('X_Forwarded_Host: evil');
  });

  it('serves pipelined Compliant requests in order on one connection', async () => {
    const { port, target } = await setUp();
    const { text, closed } = await exchange(
      port,
      'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
    expect(closed).toBe(false);
    expect(target.requests.map((request) => request.split(' ')[1])).toEqual(['/1', '/2', '/3']);
  });
});

describe('pipelining', () => {
  it('answers thousands of pipelined requests it answers itself (503, no target) and stays up', async () => {
    const proxy = new AlbProxy({
      listenerPort: 80,
      idleTimeoutSeconds: 5,
      targets: { nextTarget: () => undefined },
      observers: [],
    });
    const { port } = await proxy.listen(0, '127.0.0.1');
    running.push({ close: () => proxy.close() });
    const count = 3000;
    // A stack overflow in the listener fails this suite as a whole.
    const { text } = await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(count), 1000);
    expect(text.match(/HTTP\/1\.1 503 /g)).toHaveLength(count);
    expect(statusOf((await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')).text)).toBe('503');
  });
});

describe('the other modes', () => {
  it('strictest refuses an Acceptable request with 400', async () => {
    const { port, target, events } = await setUp({ desyncMitigationMode: 'strictest' });
    const { text } = await exchange(port, 'GET / HTTP/1.2\r\nHost: a\r\n\r\n');
    expect(statusOf(text)).toBe('400');
    expect(target.requests).toEqual([]);
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({
      classification: 'Acceptable',
      classificationReason: 'NonCompliantVersion',
    });
  });

  it('monitor forwards a Severe request it can frame, and records its classification', async () => {
    const { port, target, events } = await setUp({ desyncMitigationMode: 'monitor' });
    const { text } = await exchange(port, 'G{T / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(statusOf(text)).toBe('200');
    expect(target.requests).toHaveLength(1);
    await waitFor(() => events.length === 1);
    expect(events[0]).toMatchObject({ classification: 'Severe', classificationReason: 'BadMethod' });
  });
});

describe('a response before the request body', () => {
  it('never stalls the client: a 4 MB body answered early, then the next request, are answered or the connection closes', async () => {
    // Like the API: node:http answering 405 at once, without reading the body.
    const early = nodeHttpServer((_req, res) => {
      res.writeHead(405, { Allow: 'GET', 'Content-Length': '0' });
      res.end();
    });
    await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
    const earlyPort = (early.address() as AddressInfo).port;
    running.push({
      close: () =>
        new Promise((resolve) => {
          early.closeAllConnections();
          early.close(() => resolve());
        }),
    });
    const registry = new TargetRegistry({
      port: earlyPort,
      healthyThresholdCount: 1,
      unhealthyThresholdCount: 1,
      deregistrationDelaySeconds: 1,
    });
    registry.register('127.0.0.1');
    const proxy = new AlbProxy({
      listenerPort: 80,
      idleTimeoutSeconds: 60,
      targets: registry,
      observers: [],
    });
    const { port } = await proxy.listen(0, '127.0.0.1');
    running.push({ close: () => proxy.close() }, { close: async () => registry.close() });

    for (let run = 0; run < 8; run += 1) {
      const started = Date.now();
      const body = Buffer.alloc(4 * 1024 * 1024, 'x');
      const request = Buffer.concat([
        Buffer.from(`PUT /api HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n`),
        body,
        Buffer.from('GET /next HTTP/1.1\r\nHost: a\r\n\r\n'),
      ]);
      const { text, closed } = await exchange(port, request, 500);
      expect(statusOf(text)).toBe('405');
      // Answered before its body had arrived: the connection closes after the answer. Answered
      // after: the connection stays, and the next request is answered too.
      if (closed) expect(text).toMatch(/^HTTP\/1\.1 405 [\s\S]*\r\nConnection: close\r\n/);
      else expect(text.match(/HTTP\/1\.1 405 /g)).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });
});
