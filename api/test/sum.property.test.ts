import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { buildTestApp, DEMO_KEY } from './support/test-app';

const ALLOWED_STATUSES = [200, 400, 401, 413, 415, 429];
const ERROR_CODES = [
  'INVALID_REQUEST_BODY',
  'VALIDATION_ERROR',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHORIZED',
  'RATE_LIMITED',
];

const printable = (maxLength: number) => fc.stringMatching(new RegExp(`^[ -~]{0,${maxLength}}$`));

const element = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 1.7976931348623157e308, 5e-324, 0, -0),
  fc.string({ maxLength: 5 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);

/** Bodies from well-formed sum requests, through oversized ones, to arbitrary bytes. */
const body = fc.oneof(
  {
    arbitrary: fc
      .array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), {
        minLength: 2,
        maxLength: 100,
        size: 'medium',
      })
      .map((numbers) => JSON.stringify({ numbers })),
    weight: 3,
  },
  {
    arbitrary: fc
      .array(element, { maxLength: 130, size: 'medium' })
      .map((numbers) => JSON.stringify({ numbers })),
    weight: 2,
  },
  {
    arbitrary: fc
      .array(fc.double(), { minLength: 40, maxLength: 300 })
      .map((numbers) => JSON.stringify({ numbers })),
    weight: 1,
  },
  { arbitrary: fc.json({ maxDepth: 4 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ numbers: value })), weight: 1 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
);

// Weighted towards what a real client sends, so that most requests get past the headers and
// exercise the body, while every other branch still comes up in each run.
const contentType = fc.oneof(
  {
    arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'),
    weight: 6,
  },
  { arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded'), weight: 1 },
  { arbitrary: printable(40), weight: 1 },
);

const apiKey = fc.oneof(
  { arbitrary: fc.constant(DEMO_KEY), weight: 6 },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: printable(40), weight: 1 },
);

const contentEncoding = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 6 },
  { arbitrary: fc.constantFrom('identity', 'gzip', 'br', 'x-unknown'), weight: 1 },
);

const request$ = fc.record({ body, contentType, apiKey, contentEncoding });

describe('POST /api/v1/sum under random input', () => {
  let server: Server;
  let testApp: ReturnType<typeof buildTestApp>;

  beforeAll(async () => {
    testApp = buildTestApp({ bodyLimitBytes: 1024, rateLimitPerMinute: 200 });
    server = createServer(testApp.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('only ever answers 200, 400, 401, 413, 415 or 429, in the documented shapes', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        request$,
        async ({ body: payload, contentType: type, apiKey: key, contentEncoding: encoding }) => {
          let pending = request(server).post('/api/v1/sum');
          if (type !== undefined) pending = pending.set('Content-Type', type);
          if (key !== undefined) pending = pending.set('X-API-Key', key);
          if (encoding !== undefined) pending = pending.set('Content-Encoding', encoding);
          const bytes = encoding === 'gzip' ? gzipSync(payload) : Buffer.from(payload);
          const response = await pending.send(bytes).serialize((raw) => raw as string);

          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          expect(ALLOWED_STATUSES).toContain(response.status);
          if (response.status === 200) {
            expect(Number.isFinite(response.body.sum)).toBe(true);
            expect(response.body.count).toBe(response.body.numbers.length);
          } else {
            expect(ERROR_CODES).toContain(response.body.error.code);
            expect(response.body.request_id).toBe(response.headers['x-request-id']);
          }
        },
      ),
      { numRuns: 400 },
    );

    // The generators must reach every class of answer, or the property proves little.
    expect([...seen.keys()].sort()).toEqual(ALLOWED_STATUSES);
    const health = await request(server).get('/healthz/live');
    expect(health.status).toBe(200);
    expect(testApp.log.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
