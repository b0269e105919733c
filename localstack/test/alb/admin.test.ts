import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminServer } from '../../src/alb/admin';
import { close } from '../../src/alb/listen';
import { TargetRegistry } from '../../src/alb/targets';
import { httpRequest, testSettings } from './helpers';

describe('admin endpoint', () => {
  const settings = testSettings({ targetPort: 8080 });
  const registry = new TargetRegistry({
    port: 8080,
    healthyThresholdCount: 1,
    unhealthyThresholdCount: 1,
    deregistrationDelaySeconds: 60,
  });
  let server: Server;
  let port: number;

  beforeAll(async () => {
    registry.reconcile(['172.18.0.5', '172.18.0.6', '172.18.0.7', '172.18.0.8']);
    registry.recordHealthCheck('172.18.0.5', { passed: true });
    registry.recordHealthCheck('172.18.0.6', {
      passed: false,
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [500]',
    });
    registry.deregister('172.18.0.8');
    server = createAdminServer(registry, settings);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    registry.close();
    await close(server);
  });

  it('GET /targets answers like DescribeTargetHealth, with Reason and Description unless healthy', async () => {
    const response = await httpRequest(port, { path: '/targets' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({
      TargetHealthDescriptions: [
        {
          Target: { Id: '172.18.0.5', Port: 8080 },
          HealthCheckPort: '8080',
          TargetHealth: { State: 'healthy' },
        },
        {
          Target: { Id: '172.18.0.6', Port: 8080 },
          HealthCheckPort: '8080',
          TargetHealth: {
            State: 'unhealthy',
            Reason: 'Target.ResponseCodeMismatch',
            Description: 'Health checks failed with these codes: [500]',
          },
        },
        {
          Target: { Id: '172.18.0.7', Port: 8080 },
          HealthCheckPort: '8080',
          TargetHealth: {
            State: 'initial',
            Reason: 'Elb.RegistrationInProgress',
            Description: 'Target registration is in progress',
          },
        },
        {
          Target: { Id: '172.18.0.8', Port: 8080 },
          HealthCheckPort: '8080',
          TargetHealth: {
            State: 'draining',
            Reason: 'Target.DeregistrationInProgress',
            Description: 'Target deregistration is in progress',
          },
        },
      ],
    });
  });

  it('reports a fixed health-check port', async () => {
    const fixedPort = createAdminServer(
      registry,
      testSettings({ targetPort: 8080, healthCheck: { port: 9000 } }),
    );
    await new Promise<void>((resolve) => fixedPort.listen(0, '127.0.0.1', resolve));
    const response = await httpRequest((fixedPort.address() as AddressInfo).port, { path: '/targets' });
    await close(fixedPort);
    expect(JSON.parse(response.body).TargetHealthDescriptions[0].HealthCheckPort).toBe('9000');
  });

  it('GET /settings shows the settings in force', async () => {
    const response = await httpRequest(port, { path: '/settings' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual(settings);
  });

  it('GET /healthz answers 200', async () => {
    const response = await httpRequest(port, { path: '/healthz' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('POST /targets/deregister drains the targets like DeregisterTargets', async () => {
    const response = await httpRequest(port, {
      path: '/targets/deregister',
      method: 'POST',
      body: JSON.stringify({ Targets: [{ Id: '172.18.0.7' }] }),
    });
    expect(response.status).toBe(200);
    const targets = JSON.parse((await httpRequest(port, { path: '/targets' })).body).TargetHealthDescriptions;
    expect(
      targets.find((t: { Target: { Id: string } }) => t.Target.Id === '172.18.0.7').TargetHealth.State,
    ).toBe('draining');
  });

  it('POST /targets/register registers a target like RegisterTargets', async () => {
    const response = await httpRequest(port, {
      path: '/targets/register',
      method: 'POST',
      body: JSON.stringify({ Targets: [{ Id: '172.18.0.9' }] }),
    });
    expect(response.status).toBe(200);
    const targets = JSON.parse((await httpRequest(port, { path: '/targets' })).body).TargetHealthDescriptions;
    expect(
      targets.find((t: { Target: { Id: string } }) => t.Target.Id === '172.18.0.9').TargetHealth.State,
    ).toBe('initial');
  });

  it.each([
    ['not JSON', 'Targets=172.18.0.5', 'ValidationError'],
    ['no targets', '{"Targets":[]}', 'ValidationError'],
    ['a target without an Id', '{"Targets":[{"Port":8080}]}', 'ValidationError'],
    ['an address that is not registered', '{"Targets":[{"Id":"10.9.9.9"}]}', 'InvalidTarget'],
  ])('POST /targets/deregister answers 400 for %s and changes nothing', async (_case, body, code) => {
    const before = (await httpRequest(port, { path: '/targets' })).body;
    const response = await httpRequest(port, { path: '/targets/deregister', method: 'POST', body });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code, message: expect.any(String) });
    expect((await httpRequest(port, { path: '/targets' })).body).toBe(before);
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    expect((await httpRequest(port, { path: '/nope' })).status).toBe(404);
    const post = await httpRequest(port, { path: '/targets', method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const get = await httpRequest(port, { path: '/targets/deregister' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});
