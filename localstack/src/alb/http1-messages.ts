/**
 * HTTP/1.x messages as the simulated ALB reads and writes them: the limits ALB documents, where a
 * head ends, the framing of a body (RFC 9112 §6.3), a target's response head, and ALB's own
 * error responses.
 */
import { ChunkedBodyEnd } from './chunked-body';
import type { HeaderField } from './request-head';

/** ALB's limits on a request head: 16 K for the request line and for one header, 64 K in all. */
export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_HEAD_BYTES = 64 * 1024;
/** A target's response head past this is a malformed response (502). */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;
/** ALB's own answers: nginx's status lines and error pages, with ALB's Server header. */
export const ELB_REASONS = {
  400: 'Bad Request',
  408: 'Request Time-out',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
  505: 'HTTP Version Not Supported',
} as const;
export type ElbStatus = keyof typeof ELB_REASONS;

/** Headers that describe one connection, not the message: a proxy does not relay them. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
]);

/** How a message's body ends (RFC 9112 §6.3). */
export type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked'; readonly end: ChunkedBodyEnd }
  | { readonly kind: 'close' };

export interface ResponseHead {
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly HeaderField[];
}

/** A target's status line and fields; undefined for anything a client could not rely on. */
export function parseResponseHead(text: string): ResponseHead | undefined {
  const lines = text.split(/\r?\n/);
  const statusLine = /^(HTTP\/1\.[01]) ([1-5][0-9]{2})(?: ([\t\x20-\x7e\x80-\xff]*))?$/.exec(lines[0]);
  if (!statusLine) return undefined;
  const headers: HeaderField[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i];
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) return undefined;
    const value = line.slice(colon + 1).trim();
    if (hasControlCharacter(value)) return undefined;
    headers.push({ name: line.slice(0, colon), value });
  }
  return { version: statusLine[1], status: Number(statusLine[2]), reason: statusLine[3] ?? '', headers };
}

/**
 * Reads `chunk` as the next bytes of a body framed so; returns the index just past the body's
 * end, or -1 when the body goes on (always, for a body that ends with the connection). Throws
 * ChunkedBodyError on malformed chunked framing.
 */
export function bodyEnd(framing: Framing, chunk: Buffer): number {
  switch (framing.kind) {
    case 'none':
      return 0;
    case 'close':
      return -1;
    case 'chunked':
      return framing.end.feed(chunk);
    case 'length': {
      const taken = Math.min(framing.remaining, chunk.length);
      framing.remaining -= taken;
      return framing.remaining > 0 ? -1 : taken;
    }
  }
}

/** Control characters other than HTAB, which no field value may carry to the client. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if ((code < 32 && code !== 9) || code === 127) return true;
  }
  return false;
}

export function responseFraming(headers: readonly HeaderField[]): Framing {
  const transferEncoding = fieldValue(headers, 'transfer-encoding');
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.split(',').map((coding) => coding.trim().toLowerCase());
    return codings[codings.length - 1] === 'chunked'
      ? { kind: 'chunked', end: new ChunkedBodyEnd() }
      : { kind: 'close' };
  }
  const length = fieldValue(headers, 'content-length');
  if (length !== undefined && /^[0-9]{1,15}$/.test(length)) {
    const remaining = Number(length);
    return remaining === 0 ? { kind: 'none' } : { kind: 'length', remaining };
  }
  return { kind: 'close' };
}

export function relayedHead(response: ResponseHead, close: boolean): string {
  const dropped = connectionTokens(response.headers);
  let text = `HTTP/1.1 ${response.status} ${response.reason}\r\n`;
  for (const { name, value } of response.headers) {
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !dropped.has(lower)) text += `${name}: ${value}\r\n`;
  }
  if (close) text += 'Connection: close\r\n';
  return `${text}\r\n`;
}

export function elbErrorResponse(status: ElbStatus, close: boolean): string {
  const title = `${status} ${ELB_REASONS[status]}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return (
    `HTTP/1.1 ${title}\r\nServer: awselb/2.0\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Content-Type: text/html\r\nContent-Length: ${body.length}\r\n` +
    `${close ? 'Connection: close\r\n' : 'Connection: keep-alive\r\n'}\r\n${body}`
  );
}

/**
 * Where the head that starts at `start` ends (just past its empty line), -1 when it is not
 * complete yet, -2 when it breaks ALB's limits: 16 K a line, 64 K in all.
 */
export function headEnd(buffer: Buffer, start: number): number {
  let lineStart = start;
  for (;;) {
    const lf = buffer.indexOf(0x0a, lineStart);
    if (lf === -1) {
      return buffer.length - lineStart > MAX_LINE_BYTES || buffer.length - start > MAX_HEAD_BYTES ? -2 : -1;
    }
    if (lf - lineStart > MAX_LINE_BYTES || lf - start > MAX_HEAD_BYTES) return -2;
    const length = lf - lineStart;
    if (lineStart > start && (length === 0 || (length === 1 && buffer[lineStart] === 0x0d))) return lf + 1;
    lineStart = lf + 1;
  }
}

export function fieldValue(headers: readonly HeaderField[], lowerName: string): string | undefined {
  let found: string | undefined;
  for (const { name, value } of headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) {
      found = found === undefined ? value : `${found}, ${value}`;
    }
  }
  return found;
}

const NO_TOKENS: ReadonlySet<string> = new Set();

export function connectionTokens(headers: readonly HeaderField[]): ReadonlySet<string> {
  const connection = fieldValue(headers, 'connection');
  if (connection === undefined) return NO_TOKENS;
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}

export function wantsClose(headers: readonly HeaderField[]): boolean {
  return connectionTokens(headers).has('close');
}
