import request from 'supertest';
import { AuthFailureThrottle } from '../src/middleware/auth-throttle';
import { expectError } from './support/http';
import { buildTestApp, DEMO_KEY } from './support/test-app';

const SUM = '/api/v1/sum';
const WRONG_KEY = 'wrong-key-value-000000';

describe('AuthFailureThrottle', () => {
  it('throttles an address from its Nth failure until its window, started by its first failure, ends', () => {
    const throttle = new AuthFailureThrottle(3);
    expect(throttle.recordFailure('10.0.0.1', 1_000)).toBe(false);
    expect(throttle.recordFailure('10.0.0.1', 2_000)).toBe(false);
    expect(throttle.retryAfterSeconds('10.0.0.1', 2_000)).toBeUndefined();
    expect(throttle.recordFailure('10.0.0.1', 3_000)).toBe(true);
    expect(throttle.retryAfterSeconds('10.0.0.1', 3_000)).toBe(58);
    expect(throttle.retryAfterSeconds('10.0.0.1', 60_999)).toBe(1);
    expect(throttle.retryAfterSeconds('10.0.0.2', 3_000)).toBeUndefined();
    expect(throttle.retryAfterSeconds('10.0.0.1', 61_000)).toBeUndefined();
  });

  it('counts afresh once the window has ended', () => {
    const throttle = new AuthFailureThrottle(2);
    throttle.recordFailure('10.0.0.1', 0);
    expect(throttle.recordFailure('10.0.0.1', 60_000)).toBe(false);
    expect(throttle.recordFailure('10.0.0.1', 60_001)).toBe(true);
  });

  it('keeps a bounded number of addresses, dropping the oldest windows first', () => {
    const throttle = new AuthFailureThrottle(1);
    throttle.recordFailure('10.0.0.1', 0);
    for (let i = 0; i < 10_000; i += 1) throttle.recordFailure(`10.1.${i >> 8}.${i & 255}`, 1);
    expect(throttle.retryAfterSeconds('10.0.0.1', 2)).toBeUndefined();
    expect(throttle.retryAfterSeconds('10.1.39.15', 2)).toBe(60);
  });
});

describe('failed authentication, throttled per client address', () => {
  const post = (app: ReturnType<typeof buildTestApp>['app'], key: string, forwardedFor: string) =>
    request(app.callback())
      .post(SUM)
      .set('X-API-Key', key)
      .set('X-Forwarded-For', forwardedFor)
      .send({ numbers: [1, 2] });

  it('answers 429 with Retry-After after the configured failures a minute, to any key, and logs no key', async () => {
    const { app, log } = buildTestApp({ authFailuresPerMinute: 5 });
    for (let i = 0; i < 5; i += 1)
      expectError(await post(app, WRONG_KEY, '203.0.113.7'), 401, 'UNAUTHORIZED', SUM);

    const throttled = await post(app, WRONG_KEY, '203.0.113.7');
    expectError(throttled, 429, 'RATE_LIMITED', SUM);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    // A right key from a throttled address is refused too: otherwise guessing would go on.
    expectError(await post(app, DEMO_KEY, '203.0.113.7'), 429, 'RATE_LIMITED', SUM);
    // Another client is not affected.
    expect((await post(app, DEMO_KEY, '203.0.113.8')).status).toBe(200);

    const warnings = log.entries.filter(
      (entry) => entry.msg === 'failed authentications throttled for this client address',
    );
    expect(warnings).toEqual([
      expect.objectContaining({ level: 'warn', client: '203.0.113.7', failures: 5 }),
    ]);
    expect(log.lines.join('\n')).not.toContain(WRONG_KEY);
    expect(log.lines.join('\n')).not.toContain(DEMO_KEY);
  });

  it("trusts only the ALB's own hop: the last X-Forwarded-For entry, whatever the client put before it", async () => {
    const { app } = buildTestApp({ authFailuresPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) {
      // A client that invents a new address each time still fails from the one the ALB saw.
      expect((await post(app, WRONG_KEY, `198.51.100.${i}, 203.0.113.9`)).status).toBe(401);
    }
    expectError(await post(app, DEMO_KEY, '198.51.100.200,203.0.113.9'), 429, 'RATE_LIMITED', SUM);
  });

  it('counts requests without the header by their connection', async () => {
    const { app } = buildTestApp({ authFailuresPerMinute: 2 });
    const server = app.callback();
    for (let i = 0; i < 2; i += 1) {
      expect(
        (
          await request(server)
            .post(SUM)
            .set('X-API-Key', WRONG_KEY)
            .send({ numbers: [1] })
        ).status,
      ).toBe(401);
    }
    expect(
      (
        await request(server)
          .post(SUM)
          .set('X-API-Key', DEMO_KEY)
          .send({ numbers: [1] })
      ).status,
    ).toBe(429);
  });

  it('does not count successful requests', async () => {
    const { app } = buildTestApp({ authFailuresPerMinute: 2 });
    for (let i = 0; i < 5; i += 1) expect((await post(app, DEMO_KEY, '203.0.113.10')).status).toBe(200);
    expect((await post(app, WRONG_KEY, '203.0.113.10')).status).toBe(401);
    expect((await post(app, DEMO_KEY, '203.0.113.10')).status).toBe(200);
  });
});
