import type { Context } from 'koa';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Sets a JSON response body, serialised here. Given an object, Koa looks its content type up and
 * tests the body against streams, blobs and fetch Responses, twice per request; given a string
 * with the type already set it only measures it. The response is the same either way.
 */
export function sendJson(ctx: Pick<Context, 'res' | 'body'>, value: unknown): void {
  ctx.res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  ctx.body = JSON.stringify(value);
}
