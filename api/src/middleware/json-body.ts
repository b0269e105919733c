import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ApiError } from '../errors';

const invalidBody = (status: number, message: string) =>
  new ApiError(status, 'INVALID_REQUEST_BODY', message);

/**
 * Reads and parses a JSON request body of at most limitBytes. Compressed bodies are refused:
 * a few kilobytes of numbers gain nothing from compression, and decompressing would add a
 * second parser for untrusted bytes.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  if (ctx.request.type.trim().toLowerCase() !== 'application/json') {
    throw invalidBody(415, 'Content-Type must be application/json');
  }
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    throw invalidBody(415, 'Content-Encoding must be identity: compressed request bodies are not accepted');
  }
  let bytes: Buffer;
  try {
    // raw-body refuses a declared Content-Length over the limit before reading a byte.
    bytes = await getRawBody(ctx.req, { limit: limitBytes, length: ctx.get('Content-Length') || undefined });
  } catch (error) {
    throw readError(error, limitBytes);
  }
  const text = bytes.toString('utf8');
  // An empty body is an empty object, so that it fails validation like any body without numbers.
  if (text.trim() === '') return {};
  try {
    // A "__proto__" key becomes an ordinary own property here and is never merged anywhere.
    return JSON.parse(text);
  } catch {
    throw invalidBody(400, 'The request body is not valid JSON');
  }
}

function readError(error: unknown, limitBytes: number): unknown {
  const status = (error as { status?: unknown }).status;
  if (status === 413) {
    return new ApiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes`);
  }
  // The client aborted, or sent fewer or more bytes than its Content-Length.
  if (status === 400) return invalidBody(400, 'The request body could not be read');
  return error;
}
