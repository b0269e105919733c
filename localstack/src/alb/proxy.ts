import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ChunkedBodyEnd, ChunkedBodyError } from './chunked-body';
import {
  bodyEnd,
  connectionTokens,
  type ElbStatus,
  elbErrorResponse,
  type Framing,
  fieldValue,
  HOP_BY_HOP,
  headEnd,
  MAX_HEAD_BYTES,
  MAX_LINE_BYTES,
  MAX_RESPONSE_HEAD_BYTES,
  parseResponseHead,
  type ResponseHead,
  relayedHead,
  responseFraming,
  wantsClose,
} from './http1-messages';
import { listen } from './listen';
import type { CompletedRequest, RequestObserver } from './observer';
import { type ClassifiedRequest, classifyRequestHead } from './request-head';
import type { DesyncMitigationMode } from './settings';
import { type TargetConnection, type TargetExchange, TargetPool } from './target-pool';
import type { Target } from './targets';
import { connectionTraceId, forwardedTraceHeader } from './trace-id';

export interface AlbProxyOptions {
  /** The listener port, sent as X-Forwarded-Port and written in access-log request lines. */
  readonly listenerPort: number;
  readonly idleTimeoutSeconds: number;
  readonly targets: { nextTarget(): Target | undefined };
  readonly observers: readonly RequestObserver[];
  /** What ALB does with requests its classifier flags. @default 'defensive', ALB's default */
  readonly desyncMitigationMode?: DesyncMitigationMode;
  /** `routing.http.drop_invalid_header_fields.enabled`. @default false, ALB's default */
  readonly dropInvalidHeaderFields?: boolean;
}

/** After answering and closing, the client's remaining bytes are read this long, so that it reads the answer rather than a reset. */
const LINGER_MS = 1000;
/** ALB logs 460 when the client closed the connection before the load balancer could respond. */
const CLIENT_CLOSED = 460;

/** Headers ALB sets itself on the way to the target. */
const SET_BY_LOAD_BALANCER = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-amzn-trace-id',
]);
/** What drop_invalid_header_fields keeps: ALB requires header names of letters, digits and hyphens. */
const VALID_HEADER_NAME = /^[A-Za-z0-9-]+$/;

/** A request the load balancer refuses itself, and the status it answers with. */
class Refusal {
  constructor(
    readonly status: ElbStatus,
    readonly why: string,
  ) {}
}

/**
 * The data plane of the simulated ALB: an HTTP/1.x listener on raw sockets. It reads each
 * request head as ALB does (lenient parsing, desync classification, ALB's limits), answers
 * what ALB answers itself, and otherwise relays the request to the next target over a pool of
 * kept-alive connections, bodies streamed both ways as they arrive, each response written in
 * one go when it arrived in one.
 */
export class AlbProxy {
  readonly server: Server;
  readonly idleTimeoutMs: number;
  readonly pool: TargetPool;
  private readonly connections = new Set<ClientConnection>();

  constructor(readonly options: AlbProxyOptions) {
    this.idleTimeoutMs = options.idleTimeoutSeconds * 1000;
    this.pool = new TargetPool(this.idleTimeoutMs);
    this.server = createServer((socket) => {
      const connection = new ClientConnection(this, socket);
      this.connections.add(connection);
      socket.once('close', () => this.connections.delete(connection));
    });
  }

  listen(port: number, host: string, portVariable = 'LISTEN_PORT'): Promise<AddressInfo> {
    return listen(this.server, port, host, portVariable);
  }

  /** Stops accepting connections, closes idle ones, and resolves once in-flight requests have finished. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.closeWhenIdle();
    await closed;
    this.pool.destroy();
  }
}

class ClientConnection {
  private buffer: Buffer | undefined;
  private exchange: Exchange | undefined;
  /** No further request is read: the listener is closing, or the connection is. */
  private closing = false;
  /** Answered and half-closed: what still arrives is dropped. */
  private lingering = false;
  readonly traceId = connectionTraceId();
  readonly address: string;
  readonly port: number;

  constructor(
    readonly proxy: AlbProxy,
    readonly socket: Socket,
  ) {
    this.address = plainAddress(socket.remoteAddress);
    this.port = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    socket.setTimeout(proxy.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('timeout', () => this.idle());
    socket.on('error', () => undefined);
    socket.on('close', () => this.exchange?.clientClosed());
  }

  closeWhenIdle(): void {
    this.closing = true;
    if (!this.exchange) this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    if (this.lingering) return;
    if (this.exchange?.receivingBody) {
      const rest = this.exchange.requestBody(chunk);
      if (rest !== undefined && rest.length > 0) this.keep(rest);
      return;
    }
    this.keep(chunk);
    if (!this.exchange) this.nextRequest();
  }

  /** Holds bytes that belong to the next request. */
  keep(chunk: Buffer): void {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    // Pipelined requests wait for the response in front of them; stop reading meanwhile.
    if (this.exchange && this.buffer.length > MAX_HEAD_BYTES) this.socket.pause();
  }

  /** Starts the request at the front of the buffer once its head is complete. */
  nextRequest(): void {
    const buffer = this.buffer;
    if (!buffer || this.exchange || this.closing || this.socket.destroyed) return;
    // RFC 9112 §2.2: empty lines before a request line are ignored.
    let start = 0;
    while (start < buffer.length && (buffer[start] === 0x0d || buffer[start] === 0x0a)) start += 1;
    const end = headEnd(buffer, start);
    if (end === -1 || end === -2) {
      if (end === -2) this.refuseWithoutHead(new Refusal(400, 'request head over ALB limits'), buffer, start);
      else if (start === buffer.length) this.buffer = undefined;
      return;
    }
    const head = buffer.toString('latin1', start, end);
    this.buffer = end < buffer.length ? buffer.subarray(end) : undefined;
    this.socket.resume();
    this.exchange = new Exchange(this, head);
    const rest = this.buffer;
    this.buffer = undefined;
    this.exchange.start(rest);
  }

  /** The exchange is over; `reusable` says whether the connection may carry another request. */
  finished(reusable: boolean): void {
    this.exchange = undefined;
    if (!reusable || this.closing) this.lingeringClose();
    // On the next turn: answers the listener gives itself (503) finish within this one, and
    // thousands of pipelined requests must not nest thousands of calls deep.
    else if (this.buffer) setImmediate(() => this.nextRequest());
  }

  /** Half-closes, then reads and drops what the client still sends, so that it gets the answer before the connection goes. */
  lingeringClose(): void {
    if (this.socket.destroyed) return;
    this.closing = true;
    this.lingering = true;
    this.buffer = undefined;
    this.socket.resume();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  private refuseWithoutHead(refusal: Refusal, buffer: Buffer, start: number): void {
    this.exchange = new Exchange(
      this,
      buffer.toString('latin1', start, Math.min(buffer.length, start + MAX_LINE_BYTES)),
    );
    this.buffer = undefined;
    this.exchange.refuse(refusal);
  }

  /** No bytes either way for the idle timeout: ALB answers 408 to a request it has begun to receive, and closes. */
  private idle(): void {
    if (this.exchange?.receivingBody) {
      this.exchange.requestTimedOut();
    } else if (this.exchange) {
      // Waiting for the target, whose own timeout answers 504.
    } else if (this.buffer && this.buffer.length > 0) {
      this.refuseWithoutHead(new Refusal(408, 'request incomplete at the idle timeout'), this.buffer, 0);
    } else {
      this.socket.destroy();
    }
  }
}

/** One request and its response. */
class Exchange implements TargetExchange {
  private readonly receivedAt = new Date();
  private readonly startedAt = performance.now();
  private readonly request: ClassifiedRequest;
  private receivedBytes: number;
  private sentBytesBefore: number;
  private target: Target | undefined;
  private targetConnection: TargetConnection | undefined;
  private traceId = '-';
  private url = '-';
  private requestFraming: Framing = { kind: 'none' };
  /** The one Content-Length forwarded, duplicates folded (RFC 9112 §6.3). */
  private contentLength: number | undefined;
  private pendingBody: Buffer[] = [];
  private responseFraming: Framing = { kind: 'none' };
  private responseHead: Buffer | undefined;
  private responseStarted = false;
  private closeClient = false;
  private closeTarget = false;
  private targetStatusCode: number | undefined;
  private elbStatusCode: number | undefined;
  private sentAt: number | undefined;
  private headersAt: number | undefined;
  private respondedAt: number | undefined;
  private targetConnectionError = false;
  private completed = false;
  receivingBody = false;

  constructor(
    private readonly client: ClientConnection,
    head: string,
  ) {
    this.request = classifyRequestHead(head);
    this.receivedBytes = head.length;
    this.sentBytesBefore = client.socket.bytesWritten;
  }

  private get options(): AlbProxyOptions {
    return this.client.proxy.options;
  }

  start(rest: Buffer | undefined): void {
    const { head, tier } = this.request;
    const mode = this.options.desyncMitigationMode ?? 'defensive';
    this.url = `http://${hostOf(head)}:${this.options.listenerPort}${head.target}`;
    this.traceId = forwardedTraceHeader(fieldValue(head.headers, 'x-amzn-trace-id'));
    const refusal =
      (tier === 'Severe' && mode !== 'monitor') || (tier !== 'Compliant' && mode === 'strictest')
        ? new Refusal(400, `desync mitigation (${mode}) refuses ${tier} requests`)
        : (this.framingOrRefusal() ?? hostRefusal(head));
    if (refusal) {
      this.refuse(refusal);
      return;
    }
    // Defensive mode serves an Ambiguous request, then closes both connections (the library's README).
    if (tier === 'Ambiguous' && mode === 'defensive') {
      this.closeClient = true;
      this.closeTarget = true;
    }
    if (!/^HTTP\/1\.[1-9]$/.test(head.version.trim()) || wantsClose(head.headers)) this.closeClient = true;
    this.receivingBody = this.requestFraming.kind !== 'none';
    if (rest) {
      const after = this.requestBody(rest);
      if (after !== undefined && after.length > 0) this.client.keep(after);
    }
    this.dispatch();
  }

  /** The request body's framing, or why ALB refuses the request before it reaches a target. */
  private framingOrRefusal(): Refusal | undefined {
    const { head } = this.request;
    if (/^HTTP\/[2-9]/.test(head.version)) return new Refusal(505, 'HTTP/2 or later on an HTTP/1 connection');
    if (head.version.trim() === '') return new Refusal(400, 'no HTTP version (HTTP/0.9)');
    if (head.method === '' || head.target === '') return new Refusal(400, 'no method or no request target');
    const codings = head.headers
      .filter(({ name }) => name.toLowerCase() === 'transfer-encoding')
      .flatMap(({ value }) => value.split(','))
      .map((coding) => coding.split(';')[0].trim().toLowerCase())
      .filter((coding) => coding !== '' && coding !== 'identity');
    if (codings.length > 0) {
      // ALB supports chunked and identity only (its troubleshooting guide, HTTP 501).
      if (codings.some((coding) => coding !== 'chunked'))
        return new Refusal(501, 'unsupported Transfer-Encoding');
      if (codings.length > 1) return new Refusal(400, 'chunked more than once');
      this.requestFraming = { kind: 'chunked', end: new ChunkedBodyEnd() };
      return undefined;
    }
    const lengths = head.headers.filter(({ name }) => name.toLowerCase() === 'content-length');
    if (lengths.length > 0) {
      const values = new Set(lengths.map(({ value }) => value));
      const [value] = values;
      if (values.size > 1 || !/^[0-9]{1,15}$/.test(value)) return new Refusal(400, 'invalid Content-Length');
      const length = Number(value);
      this.contentLength = length;
      if (length > 0) this.requestFraming = { kind: 'length', remaining: length };
    }
    return undefined;
  }

  /** Takes request body bytes; returns what follows the body (the next request), if the body ended. */
  requestBody(chunk: Buffer): Buffer | undefined {
    this.receivedBytes += chunk.length;
    let end: number;
    try {
      end = bodyEnd(this.requestFraming, chunk);
    } catch (error) {
      if (!(error instanceof ChunkedBodyError)) throw error;
      this.receivingBody = false;
      this.closeClient = true;
      this.closeTarget = true;
      if (this.responseStarted || this.completed) this.client.socket.destroy();
      else this.refuse(new Refusal(400, `malformed chunked body: ${error.message}`));
      return undefined;
    }
    const body = end === -1 ? chunk : chunk.subarray(0, end);
    if (body.length > 0) this.forwardBody(body);
    if (end === -1) return undefined;
    this.receivedBytes -= chunk.length - end;
    this.receivingBody = false;
    return chunk.subarray(end);
  }

  private forwardBody(body: Buffer): void {
    const connection = this.targetConnection;
    if (this.completed || this.elbStatusCode !== undefined) return;
    if (!connection?.connected) {
      this.pendingBody.push(body);
      return;
    }
    if (!connection.socket.write(body)) {
      this.client.socket.pause();
      connection.socket.once('drain', () => this.client.socket.resume());
    }
  }

  private dispatch(): void {
    const target = this.options.targets.nextTarget();
    if (!target) {
      this.refuse(new Refusal(503, 'no registered target'));
      return;
    }
    this.target = target;
    this.client.proxy.pool.acquire(target, this);
  }

  /** The pool has a connection to the target: send the request head and what body has arrived. */
  connected(connection: TargetConnection): void {
    this.targetConnection = connection;
    this.sentAt = performance.now();
    const socket = connection.socket;
    socket.setTimeout(this.client.proxy.idleTimeoutMs);
    socket.cork();
    socket.write(this.forwardedHead(), 'latin1');
    for (const body of this.pendingBody) socket.write(body);
    this.pendingBody = [];
    socket.uncork();
  }

  connectFailed(timedOut: boolean): void {
    this.targetConnectionError = !timedOut;
    this.refuse(new Refusal(timedOut ? 504 : 502, 'target connection failed'));
  }

  private forwardedHead(): string {
    const { head } = this.request;
    const target = this.target as Target;
    const dropped = connectionTokens(head.headers);
    const dropInvalid = this.options.dropInvalidHeaderFields ?? false;
    const absolute = /^https?:\/\/([^/?#]*)(.*)$/i.exec(head.target);
    const forwardedFor: string[] = [];
    const path = absolute ? (absolute[2].startsWith('/') ? absolute[2] : `/${absolute[2]}`) : head.target;
    let text = `${head.method} ${path} ${head.version.trim() === 'HTTP/1.0' ? 'HTTP/1.0' : 'HTTP/1.1'}\r\n`;
    let hasHost = false;
    for (const { name, value } of head.headers) {
      const lower = name.toLowerCase();
      if (lower === 'x-forwarded-for') {
        forwardedFor.push(value);
        continue;
      }
      if (HOP_BY_HOP.has(lower) || SET_BY_LOAD_BALANCER.has(lower) || dropped.has(lower)) continue;
      if (lower === 'transfer-encoding' || lower === 'content-length') continue;
      if (dropInvalid && !VALID_HEADER_NAME.test(name)) continue;
      if (lower === 'host') {
        hasHost = true;
        // RFC 9112 §3.2.2: with an absolute-form target, its authority is the Host.
        text += `Host: ${absolute ? absolute[1] : value}\r\n`;
        continue;
      }
      text += `${name}: ${value}\r\n`;
    }
    if (!hasHost) text += `Host: ${absolute ? absolute[1] : `${target.id}:${target.port}`}\r\n`;
    if (this.requestFraming.kind === 'chunked') text += 'Transfer-Encoding: chunked\r\n';
    else if (this.contentLength !== undefined) text += `Content-Length: ${this.contentLength}\r\n`;
    forwardedFor.push(this.client.address);
    text +=
      `X-Forwarded-For: ${forwardedFor.join(', ')}\r\nX-Forwarded-Proto: http\r\n` +
      `X-Forwarded-Port: ${this.options.listenerPort}\r\nX-Amzn-Trace-Id: ${this.traceId}\r\n\r\n`;
    return text;
  }

  /** Bytes from the target. */
  targetData(chunk: Buffer): void {
    if (this.completed) return;
    let data = chunk;
    if (!this.responseStarted) {
      this.responseHead = this.responseHead ? Buffer.concat([this.responseHead, data]) : data;
      const end = headEnd(this.responseHead, 0);
      if (end === -2 || (end === -1 && this.responseHead.length > MAX_RESPONSE_HEAD_BYTES)) {
        this.badResponse();
        return;
      }
      if (end === -1) return;
      const headText = this.responseHead.toString('latin1', 0, end);
      data = this.responseHead.subarray(end);
      this.responseHead = undefined;
      const response = parseResponseHead(headText);
      if (!response) {
        this.badResponse();
        return;
      }
      if (response.status >= 100 && response.status < 200 && response.status !== 101) {
        // An interim response (100 Continue, 103 Early Hints) is relayed; the final one follows.
        this.client.write(relayedHead(response, false));
        if (data.length > 0) this.targetData(data);
        return;
      }
      this.startResponse(response);
    }
    this.responseBody(data);
  }

  private startResponse(response: ResponseHead): void {
    this.headersAt = performance.now();
    this.targetStatusCode = response.status;
    this.responseStarted = true;
    const noBody =
      this.request.head.method === 'HEAD' ||
      response.status === 204 ||
      response.status === 304 ||
      response.status === 101;
    this.responseFraming = noBody ? { kind: 'none' } : responseFraming(response.headers);
    if (this.responseFraming.kind === 'close' || response.status === 101) this.closeClient = true;
    if (wantsClose(response.headers) || response.version === 'HTTP/1.0') this.closeTarget = true;
    // A response before the whole request body: the body's end cannot be waited for, so the connection closes after it.
    if (this.receivingBody) {
      this.closeClient = true;
      this.closeTarget = true;
    }
    this.respondedAt = performance.now();
    this.client.socket.cork();
    this.client.write(relayedHead(response, this.closeClient));
    process.nextTick(() => this.client.socket.uncork());
  }

  private responseBody(data: Buffer): void {
    let end: number;
    try {
      end = bodyEnd(this.responseFraming, data);
    } catch {
      // The target broke its own framing: the client gets a cut-off response, as with ALB.
      this.complete();
      this.client.socket.destroy();
      this.targetConnection?.socket.destroy();
      return;
    }
    if (end === -1) {
      if (data.length > 0) this.relay(data);
      return;
    }
    if (end > 0) this.relay(data.subarray(0, end));
    // Bytes after the response are not this exchange's: the connection cannot be trusted again.
    if (end < data.length) this.closeTarget = true;
    this.responseDone();
  }

  /** To the client, holding the target back while the client reads more slowly. */
  private relay(data: Buffer): void {
    const client = this.client.socket;
    if (client.destroyed || client.write(data)) return;
    const target = this.targetConnection?.socket;
    if (!target) return;
    target.pause();
    client.once('drain', () => target.resume());
  }

  private responseDone(): void {
    const connection = this.targetConnection;
    this.targetConnection = undefined;
    if (connection) {
      if (this.closeTarget || this.receivingBody) connection.socket.destroy();
      else this.client.proxy.pool.release(connection);
    }
    this.complete();
    this.client.finished(!this.closeClient);
  }

  /** The target's connection closed. */
  targetClosed(): void {
    this.targetConnection = undefined;
    if (this.completed) return;
    if (!this.responseStarted) {
      if (this.elbStatusCode === undefined)
        this.refuse(new Refusal(502, 'target closed the connection before responding'));
      return;
    }
    if (this.responseFraming.kind === 'close') {
      this.complete();
      this.client.finished(false);
      return;
    }
    // Mid-body: the client is cut off, as ALB does.
    this.complete();
    this.client.socket.destroy();
  }

  /** The target sent nothing for the idle timeout. */
  targetTimedOut(): void {
    const connection = this.targetConnection;
    this.targetConnection = undefined;
    connection?.socket.destroy();
    if (this.completed) return;
    if (!this.responseStarted) {
      this.refuse(new Refusal(504, 'target did not respond within the idle timeout'));
      return;
    }
    this.complete();
    this.client.socket.destroy();
  }

  /**
   * The client went away (a shut side counts, as nginx and ALB count it). ALB logs 400 when
   * that happens before the whole request body arrived (its troubleshooting guide), 460 after.
   */
  clientClosed(): void {
    if (this.receivingBody && !this.responseStarted && this.elbStatusCode === undefined)
      this.elbStatusCode = 400;
    const connection = this.targetConnection;
    this.targetConnection = undefined;
    if (connection) connection.socket.destroy();
    this.complete();
  }

  requestTimedOut(): void {
    this.receivingBody = false;
    this.closeClient = true;
    this.targetConnection?.socket.destroy();
    this.targetConnection = undefined;
    if (this.responseStarted) {
      this.complete();
      this.client.socket.destroy();
    } else {
      this.refuse(new Refusal(408, 'request body incomplete at the idle timeout'));
    }
  }

  private badResponse(): void {
    this.targetStatusCode = undefined;
    this.closeTarget = true;
    const connection = this.targetConnection;
    this.targetConnection = undefined;
    connection?.socket.destroy();
    this.refuse(new Refusal(502, 'malformed response from the target'));
  }

  /** Answers with ALB's own error page. Any answer but 502, 503 and 504 closes the connection. */
  refuse(refusal: Refusal): void {
    if (this.completed || this.elbStatusCode !== undefined) return;
    const { status } = refusal;
    this.elbStatusCode = status;
    const close = this.closeClient || this.receivingBody || status < 500 || status === 501 || status === 505;
    this.closeClient = close;
    const connection = this.targetConnection;
    this.targetConnection = undefined;
    connection?.socket.destroy();
    this.client.write(elbErrorResponse(status, close));
    this.complete();
    this.client.finished(!close);
  }

  private complete(): void {
    if (this.completed) return;
    this.completed = true;
    const { head, tier, reason } = this.request;
    const seconds = (from: number | undefined, to: number | undefined) =>
      this.targetStatusCode === undefined || from === undefined || to === undefined
        ? undefined
        : (to - from) / 1000;
    const socket = this.client.socket;
    const answered = this.elbStatusCode ?? (this.responseStarted ? this.targetStatusCode : undefined);
    const completed: CompletedRequest = {
      receivedAt: this.receivedAt,
      completedAt: new Date(),
      client: { address: this.client.address, port: this.client.port },
      target: this.target,
      elbStatusCode: answered ?? CLIENT_CLOSED,
      targetStatusCode: this.elbStatusCode === undefined ? this.targetStatusCode : undefined,
      requestProcessingSeconds: seconds(this.startedAt, this.sentAt),
      targetResponseTimeSeconds: seconds(this.sentAt, this.headersAt),
      responseProcessingSeconds: seconds(this.headersAt, this.respondedAt),
      targetConnectionError: this.targetConnectionError,
      receivedBytes: this.receivedBytes,
      sentBytes: socket.bytesWritten - this.sentBytesBefore,
      method: head.method || '-',
      url: this.url,
      httpVersion: head.version.trim() || '-',
      userAgent: fieldValue(head.headers, 'user-agent'),
      traceId: this.traceId,
      connectionTraceId: this.client.traceId,
      classification: tier === 'Compliant' ? undefined : tier,
      classificationReason: tier === 'Compliant' ? undefined : reason,
    };
    for (const observer of this.options.observers) observer.requestCompleted(completed);
  }
}

/** Why ALB answers 400 to a request's Host fields (RFC 9112 §3.2: exactly one, and not empty, in HTTP/1.1). */
function hostRefusal(head: ClassifiedRequest['head']): Refusal | undefined {
  const hosts = head.headers.filter(({ name }) => name.toLowerCase() === 'host');
  if (hosts.length > 1) return new Refusal(400, 'more than one Host header');
  if (head.version.trim() !== 'HTTP/1.0' && (hosts.length === 0 || hosts[0].value === '')) {
    return /^https?:\/\/[^/?#]+/i.test(head.target) ? undefined : new Refusal(400, 'no Host header');
  }
  return undefined;
}

function hostOf(head: ClassifiedRequest['head']): string {
  const absolute = /^https?:\/\/([^/?#:]*)/i.exec(head.target);
  if (absolute) return absolute[1];
  return (fieldValue(head.headers, 'host') ?? '-').replace(/:\d+$/, '');
}

/** Client addresses as ALB writes them: IPv4 without Node's IPv4-mapped IPv6 prefix. */
function plainAddress(address: string | undefined): string {
  return (address ?? '-').replace(/^::ffff:/, '');
}
