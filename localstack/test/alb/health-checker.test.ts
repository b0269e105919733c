import type { IncomingHttpHeaders } from 'node:http';
import { checkTargetHealth, HealthChecker } from '../../src/alb/health-checker';
import type { HealthCheckSettings } from '../../src/alb/settings';
import { TargetRegistry } from '../../src/alb/targets';
import { type RunningServer, sleep, startRawServer, startServer, testSettings, waitFor } from './helpers';

const CHECK: HealthCheckSettings = testSettings().targetGroup.healthCheck;

describe('checkTargetHealth', () => {
  let server: RunningServer;
  let status = 200;
  let delayMs = 0;
  const seen: Array<{ url?: string; headers: IncomingHttpHeaders }> = [];

  beforeAll(async () => {
    server = await startServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      setTimeout(() => {
        res.statusCode = status;
        res.end('body');
      }, delayMs);
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    status = 200;
    delayMs = 0;
    seen.length = 0;
  });

  const target = () => ({ id: '127.0.0.1', port: server.port });

  it('passes on a matching status, requesting the path as ELB-HealthChecker', async () => {
    await expect(checkTargetHealth(target(), CHECK)).resolves.toEqual({ passed: true });
    expect(seen).toEqual([
      { url: '/healthz', headers: expect.objectContaining({ 'user-agent': 'ELB-HealthChecker/2.0' }) },
    ]);
  });

  it('uses the matcher: a range accepts 204, a single code does not', async () => {
    status = 204;
    await expect(checkTargetHealth(target(), { ...CHECK, matcher: '200-299' })).resolves.toEqual({
      passed: true,
    });
    await expect(checkTargetHealth(target(), CHECK)).resolves.toEqual({
      passed: false,
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [204]',
    });
  });

  it('fails with Target.Timeout when the answer takes longer than the timeout', async () => {
    delayMs = 300;
    const started = Date.now();
    await expect(checkTargetHealth(target(), CHECK)).resolves.toEqual({
      passed: false,
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('checks a fixed health-check port instead of the traffic port', async () => {
    await expect(
      checkTargetHealth({ id: '127.0.0.1', port: 1 }, { ...CHECK, port: server.port }),
    ).resolves.toEqual({ passed: true });
  });

  it('fails with Target.FailedHealthChecks when the connection is refused', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    await expect(checkTargetHealth({ id: '127.0.0.1', port: closed.port }, CHECK)).resolves.toEqual({
      passed: false,
      reason: 'Target.FailedHealthChecks',
      description: 'Health checks failed',
    });
  });

  it('fails with Target.FailedHealthChecks on a malformed response', async () => {
    const garbage = await startRawServer('NOT HTTP AT ALL\r\n\r\n');
    await expect(checkTargetHealth({ id: '127.0.0.1', port: garbage.port }, CHECK)).resolves.toMatchObject({
      passed: false,
      reason: 'Target.FailedHealthChecks',
    });
    await garbage.close();
  });
});

describe('HealthChecker', () => {
  it('checks each registered target every interval and drives its state', async () => {
    let healthy = true;
    let checks = 0;
    const server = await startServer((_req, res) => {
      checks += 1;
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    const registry = new TargetRegistry({
      port: server.port,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      deregistrationDelaySeconds: 0.05,
    });
    const checker = new HealthChecker(registry, CHECK);
    checker.start();
    const state = () => registry.describe()[0]?.health;

    const registeredAt = Date.now();
    registry.register('127.0.0.1');
    await waitFor(() => state()?.state === 'healthy', 2000, 'healthy');
    // first check at registration, the second one interval later
    expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(90);

    healthy = false;
    await waitFor(() => state()?.state === 'unhealthy', 2000, 'unhealthy');
    expect(state()).toEqual({
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [503]',
    });

    // a draining target is no longer checked
    registry.deregister('127.0.0.1');
    await sleep(150);
    const checksWhenDrained = checks;
    await sleep(300);
    expect(checks).toBe(checksWhenDrained);

    checker.stop();
    registry.close();
    await server.close();
  });

  it('stops checking when stopped', async () => {
    let checks = 0;
    const server = await startServer((_req, res) => {
      checks += 1;
      res.end();
    });
    const registry = new TargetRegistry({
      port: server.port,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      deregistrationDelaySeconds: 0,
    });
    registry.register('127.0.0.1');
    const checker = new HealthChecker(registry, CHECK);
    checker.start();
    await waitFor(() => checks >= 2, 2000, 'two checks');
    checker.stop();
    await sleep(50);
    const checksWhenStopped = checks;
    await sleep(300);
    expect(checks).toBe(checksWhenStopped);
    await server.close();
  });
});
