/**
 * The benchmark's floor: node:http doing only the sum (content-type check, bounded body read, API
 * key check, JSON parse, validation, sum, JSON reply), without the request id, log line, metrics
 * and rate limit that every request of the service also gets. The gap between this server and
 * bare-server.ts is the price of that per-request work, whatever the framework.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createApiKeyVerifier } from '../src/middleware/api-key-auth';
import { evaluateSumRequest } from '../src/sum';
import { readJson } from './read-json';

const port = Number(process.env.PORT ?? 8081);
const bodyLimitBytes = 16_384;
const verify = createApiKeyVerifier(new Map(Object.entries(JSON.parse(process.env.API_KEYS ?? '{}'))));

function reply(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/api/v1/sum')
    return reply(response, 404, { error: 'not found' });
  if (verify(String(request.headers['x-api-key'] ?? '')) === undefined)
    return reply(response, 401, { error: 'key' });
  if (request.headers['content-type'] !== 'application/json') return reply(response, 415, { error: 'type' });
  readJson(request, bodyLimitBytes, (body) => {
    if (!body.ok) return reply(response, body.status, { error: body.error });
    const outcome = evaluateSumRequest(body.value);
    if (!outcome.ok) return reply(response, 400, { error: outcome.message });
    reply(response, 200, {
      sum: outcome.sum,
      count: outcome.numbers.length,
      numbers: outcome.numbers,
      timestamp: new Date().toISOString(),
      request_id: randomUUID(),
    });
  });
}).listen(port, '127.0.0.1');
