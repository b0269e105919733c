/**
 * The benchmark's baseline: node:http doing the work the service does for POST /api/v1/sum, with
 * the service's own modules, and no framework. Per request: the request id (kept or generated)
 * and the headers every response carries, the API key check, the rate-limit count and its
 * RateLimit-* headers, content-type check, bounded body read, JSON parse, validation, sum, JSON
 * reply, the duration histogram and one JSON log line through the service's logger. The service's
 * throughput as a share of this server's is what Koa (context objects, middleware chain, response
 * handling) costs.
 */

import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isoNow } from '../src/clock';
import { JSON_CONTENT_TYPE } from '../src/json-response';
import { createLogger } from '../src/logger';
import { createHttpMetrics } from '../src/metrics';
import { createApiKeyVerifier } from '../src/middleware/api-key-auth';
import { rateLimitCounter } from '../src/middleware/rate-limit';
import { requestIdFor } from '../src/middleware/request-context';
import { evaluateSumRequest } from '../src/sum';
import { readJson } from './read-json';

const port = Number(process.env.PORT ?? 8081);
const bodyLimitBytes = 16_384;
const countRequest = rateLimitCounter(Number(process.env.RATE_LIMIT_PER_MINUTE ?? 600));
const verify = createApiKeyVerifier(new Map(Object.entries(JSON.parse(process.env.API_KEYS ?? '{}'))));
const logger = createLogger({ logLevel: 'info', logFormat: 'json' });
const metrics = createHttpMetrics();
const ROUTE = '/api/v1/sum';

createServer((request, response) => {
  const started = performance.now();
  const requestId = requestIdFor(String(request.headers['x-request-id'] ?? ''));
  let keyName: string | undefined;
  response.setHeader('X-Request-ID', requestId);
  response.setHeader('X-Content-Type-Options', 'nosniff');

  const reply = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'Content-Type': JSON_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
    const durationMs = performance.now() - started;
    metrics.observe({ method: 'POST', route: ROUTE, status }, durationMs / 1000);
    const fields = {
      request_id: requestId,
      method: request.method,
      route: ROUTE,
      path: request.url,
      status,
      duration_ms: Math.round(durationMs * 1000) / 1000,
      api_key_name: keyName,
    };
    if (status >= 400) logger.warn(fields, 'request completed');
    else logger.info(fields, 'request completed');
  };

  if (request.method !== 'POST' || request.url !== ROUTE) return reply(404, { error: 'not found' });
  keyName = verify(String(request.headers['x-api-key'] ?? ''));
  if (keyName === undefined) return reply(401, { error: 'key' });
  if (countRequest(keyName, response) !== undefined) return reply(429, { error: 'rate limited' });
  if (request.headers['content-type'] !== 'application/json') return reply(415, { error: 'type' });
  readJson(request, bodyLimitBytes, (body) => {
    if (!body.ok) return reply(body.status, { error: body.error });
    const outcome = evaluateSumRequest(body.value);
    if (!outcome.ok) return reply(400, { error: outcome.message });
    reply(200, {
      sum: outcome.sum,
      count: outcome.numbers.length,
      numbers: outcome.numbers,
      timestamp: isoNow(),
      request_id: requestId,
    });
  });
}).listen(port, '127.0.0.1');
