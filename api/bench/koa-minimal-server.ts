/**
 * The benchmark's middle row: Koa with one middleware doing exactly the bare server's work, to
 * separate the cost of the framework from the cost of the service's own middleware (request
 * ids, logging, metrics, rate limiting, routing, error shaping).
 */
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createApiKeyVerifier } from '../src/middleware/api-key-auth';
import { evaluateSumRequest } from '../src/sum';

const port = Number(process.env.PORT ?? 8082);
const bodyLimitBytes = 16_384;
const verify = createApiKeyVerifier(new Map(Object.entries(JSON.parse(process.env.API_KEYS ?? '{}'))));

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.method !== 'POST' || ctx.path !== '/api/v1/sum') {
    ctx.status = 404;
    return;
  }
  if (verify(ctx.get('X-API-Key')) === undefined) {
    ctx.status = 401;
    return;
  }
  if (ctx.request.type !== 'application/json') {
    ctx.status = 415;
    return;
  }
  const bytes = await getRawBody(ctx.req, {
    limit: bodyLimitBytes,
    length: ctx.get('Content-Length') || undefined,
  });
  const outcome = evaluateSumRequest(JSON.parse(bytes.toString('utf8')));
  if (!outcome.ok) {
    ctx.status = 400;
    return;
  }
  ctx.body = {
    sum: outcome.sum,
    count: outcome.numbers.length,
    numbers: outcome.numbers,
    timestamp: new Date().toISOString(),
    request_id: randomUUID(),
  };
});
app.listen(port, '127.0.0.1');
