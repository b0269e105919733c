import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from a pool filled a few kilobytes at a time: one crypto call per id cost
 * the proxy 4 % of its time per request.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/** `1-<epoch seconds, 8 hex>-<24 hex random>`, the id format of X-Amzn-Trace-Id fields. */
export function newTraceId(now = Date.now()): string {
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${seconds}-${randomHex(12)}`;
}

/** An access log's conn_trace_id: `TID_` and 32 hex digits. */
export function connectionTraceId(): string {
  return `TID_${randomHex(16)}`;
}

/**
 * The X-Amzn-Trace-Id value ALB forwards for a request's header (if any): a new `Root` when
 * there is none; when the client sent a Root, ALB keeps it and every other field and adds
 * (or replaces) a `Self` field in front.
 */
export function forwardedTraceHeader(incoming: string | undefined, now = Date.now()): string {
  const fields = (incoming ?? '')
    .split(';')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  const hasRoot = fields.some((field) => /^root=/i.test(field));
  if (!hasRoot) return `Root=${newTraceId(now)}`;
  const others = fields.filter((field) => !/^self=/i.test(field));
  return [`Self=${newTraceId(now)}`, ...others].join(';');
}
