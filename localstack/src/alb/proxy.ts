import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { close, listen } from './listen';
import type { CompletedRequest, RequestObserver } from './observer';
import type { Target } from './targets';
import { forwardedTraceHeader } from './trace-id';

export interface AlbProxyOptions {
  /** The listener port, sent as X-Forwarded-Port and written in access-log request lines. */
  readonly listenerPort: number;
  readonly idleTimeoutSeconds: number;
  readonly targets: { nextTarget(): Target | undefined };
  readonly observers: readonly RequestObserver[];
}

/** ALB gives up on connecting to a target after 10 seconds and answers 504. */
const TARGET_CONNECT_TIMEOUT_MS = 10_000;

/** Headers that describe one connection, not the message, so a proxy must not relay them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers ALB sets itself on the way to the target. */
const SET_BY_LOAD_BALANCER = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-amzn-trace-id',
]);

/** The status lines ALB answers with when it cannot get a response from a target. */
const ELB_ERRORS = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
} as const;

/** ALB logs 460 when the client closed the connection before the load balancer could respond. */
const CLIENT_CLOSED = 460;

/**
 * The data plane of the simulated ALB: an HTTP listener that forwards each request to the
 * next target the registry picks, streams bodies both ways, and answers 502/503/504 the way
 * ALB does when that fails.
 */
export class AlbProxy {
  readonly server: Server;
  private readonly agent: Agent;
  private readonly idleTimeoutMs: number;
  private readonly connectionTraceIds = new WeakMap<Socket, string>();

  constructor(private readonly options: AlbProxyOptions) {
    this.idleTimeoutMs = options.idleTimeoutSeconds * 1000;
    // Like ALB, reuse target connections for up to the idle timeout (the reason AWS asks
    // targets to keep connections longer than that; the API does). Node also drops a
    // connection earlier when the target announces a shorter Keep-Alive timeout.
    this.agent = new Agent({ keepAlive: true, timeout: this.idleTimeoutMs });
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.keepAliveTimeout = this.idleTimeoutMs;
    this.server.on('connection', (socket: Socket) => {
      this.connectionTraceIds.set(socket, `TID_${randomBytes(16).toString('hex')}`);
    });
  }

  listen(port: number, host: string, portVariable = 'LISTEN_PORT'): Promise<AddressInfo> {
    return listen(this.server, port, host, portVariable);
  }

  async close(): Promise<void> {
    await close(this.server);
    this.agent.destroy();
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = new Date();
    const start = performance.now();
    const socket = req.socket;
    const bytesWrittenBefore = socket.bytesWritten;
    let receivedBytes = requestHeadBytes(req);
    req.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
    });

    const client = { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 };
    const traceId = forwardedTraceHeader(singleHeader(req, 'x-amzn-trace-id'));
    const target = this.options.targets.nextTarget();
    let sentAt: number | undefined;
    let headersAt: number | undefined;
    let respondedAt: number | undefined;
    let targetStatusCode: number | undefined;
    let connected = false;
    let targetConnectionError = false;

    res.once('close', () => {
      const seconds = (from: number | undefined, to: number | undefined) =>
        targetStatusCode === undefined || from === undefined || to === undefined
          ? undefined
          : (to - from) / 1000;
      const completed: CompletedRequest = {
        receivedAt,
        completedAt: new Date(),
        client,
        target,
        elbStatusCode: res.headersSent ? res.statusCode : CLIENT_CLOSED,
        targetStatusCode,
        requestProcessingSeconds: seconds(start, sentAt),
        targetResponseTimeSeconds: seconds(sentAt, headersAt),
        responseProcessingSeconds: seconds(headersAt, respondedAt),
        targetConnectionError,
        receivedBytes,
        sentBytes: socket.bytesWritten - bytesWrittenBefore,
        method: req.method ?? 'GET',
        url: `http://${hostName(req)}:${this.options.listenerPort}${req.url ?? '/'}`,
        httpVersion: `HTTP/${req.httpVersion}`,
        userAgent: singleHeader(req, 'user-agent'),
        traceId,
        connectionTraceId: this.connectionTraceIds.get(socket) ?? '-',
      };
      for (const observer of this.options.observers) observer.requestCompleted(completed);
    });

    if (!target) {
      sendElbError(res, 503);
      return;
    }

    const proxyReq = request({
      host: target.id,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardedRequestHeaders(req, client.address, this.options.listenerPort, traceId, target),
      agent: this.agent,
    });
    let timedOut = false;
    const giveUp = () => {
      timedOut = true;
      proxyReq.destroy();
    };
    proxyReq.setTimeout(this.idleTimeoutMs, giveUp);
    proxyReq.on('socket', (targetSocket: Socket) => {
      if (!targetSocket.connecting) {
        connected = true;
        sentAt = performance.now();
        return;
      }
      const connectTimer = setTimeout(giveUp, TARGET_CONNECT_TIMEOUT_MS);
      targetSocket.once('connect', () => {
        connected = true;
        sentAt = performance.now();
        clearTimeout(connectTimer);
      });
      targetSocket.once('close', () => clearTimeout(connectTimer));
    });
    proxyReq.on('response', (targetRes) => {
      headersAt = performance.now();
      targetStatusCode = targetRes.statusCode;
      if (res.destroyed) {
        targetRes.resume();
        return;
      }
      try {
        res.writeHead(
          targetRes.statusCode ?? 502,
          targetRes.statusMessage,
          relayedResponseHeaders(targetRes),
        );
      } catch {
        // Node's parser lets through a few things it refuses to send (control characters in
        // the status line); to the client that is a malformed response, which ALB answers with 502.
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        targetStatusCode = undefined;
        sendElbError(res, 502);
        proxyReq.destroy();
        return;
      }
      respondedAt = performance.now();
      // Head, body and end leave in one write when the whole response arrived at once (most
      // do): every system call on a container network costs more than this proxy's own work.
      // A body that streams in keeps flowing after this turn of the event loop.
      res.cork();
      setImmediate(() => res.uncork());
      // A target that dies mid-body leaves the client with a cut-off response, as with ALB.
      targetRes.on('error', () => res.destroy());
      targetRes.on('close', () => {
        if (!targetRes.complete) res.destroy();
      });
      targetRes.pipe(res);
    });
    proxyReq.on('error', () => {
      if (res.destroyed || res.writableEnded) return;
      if (!connected) targetConnectionError = true;
      if (res.headersSent) res.destroy();
      else sendElbError(res, timedOut ? 504 : 502);
    });
    res.once('close', () => {
      if (!res.writableFinished) proxyReq.destroy();
    });
    req.pipe(proxyReq);
  }
}

function sendElbError(res: ServerResponse, status: keyof typeof ELB_ERRORS): void {
  const title = `${status} ${ELB_ERRORS[status]}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, ELB_ERRORS[status], {
    Server: 'awselb/2.0',
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function forwardedRequestHeaders(
  req: IncomingMessage,
  clientAddress: string,
  listenerPort: number,
  traceId: string,
  target: Target,
): string[] {
  const dropped = connectionTokens(req.headers.connection);
  const relayed: string[] = [];
  const forwardedFor: string[] = [];
  let hasHost = false;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor.push(value);
    // Kept so that Node frames the relayed body the same way it arrived.
    else if (lower === 'transfer-encoding') relayed.push(name, value);
    else if (!HOP_BY_HOP.has(lower) && !SET_BY_LOAD_BALANCER.has(lower) && !dropped.has(lower)) {
      hasHost ||= lower === 'host';
      relayed.push(name, value);
    }
  }
  if (!hasHost) relayed.push('Host', `${target.id}:${target.port}`);
  relayed.push(
    'X-Forwarded-For',
    [...forwardedFor, clientAddress].join(', '),
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Port',
    String(listenerPort),
    'X-Amzn-Trace-Id',
    traceId,
  );
  return relayed;
}

function relayedResponseHeaders(targetRes: IncomingMessage): string[] {
  const dropped = connectionTokens(targetRes.headers.connection);
  const relayed: string[] = [];
  for (let i = 0; i < targetRes.rawHeaders.length; i += 2) {
    const lower = targetRes.rawHeaders[i].toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !dropped.has(lower))
      relayed.push(targetRes.rawHeaders[i], targetRes.rawHeaders[i + 1]);
  }
  return relayed;
}

function connectionTokens(connection: string | undefined): Set<string> {
  return new Set((connection ?? '').split(',').map((token) => token.trim().toLowerCase()));
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Client addresses as ALB writes them: IPv4 without Node's IPv4-mapped IPv6 prefix. */
function plainAddress(address: string | undefined): string {
  return (address ?? '-').replace(/^::ffff:/, '');
}

function hostName(req: IncomingMessage): string {
  const host = req.headers.host ?? plainAddress(req.socket.localAddress);
  return host.replace(/:\d+$/, '');
}

function requestHeadBytes(req: IncomingMessage): number {
  let bytes = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`.length;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    bytes += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
  }
  return bytes;
}
