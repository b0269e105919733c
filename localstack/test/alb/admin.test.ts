import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { createAdminServer } from '../../src/alb/admin';
import { close } from '../../src/alb/listen';
import { TargetRegistry } from '../../src/alb/targets';
import { Ipv4Subnet } from '../../src/alb/tasks-network';
import { httpRequest, TEST_ADMIN_TOKEN, testSettings } from './helpers';

/** Like a compose network's subnet; the targets below are in it. */
const TASKS_SUBNET = new Ipv4Subnet('172.18.0.0/16');
const AUTHORIZED = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

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
    server = createAdminServer({ registry, settings, targetSubnet: TASKS_SUBNET, token: TEST_ADMIN_TOKEN });
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
    const fixedPort = createAdminServer({
      registry,
      settings: testSettings({ targetPort: 8080, healthCheck: { port: 9000 } }),
      targetSubnet: TASKS_SUBNET,
      token: TEST_ADMIN_TOKEN,
    });
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

  const post = (path: string, body: string, headers: Record<string, string> = AUTHORIZED) =>
    httpRequest(port, { path, method: 'POST', headers, body });
  const stateOf = async (id: string) =>
    JSON.parse((await httpRequest(port, { path: '/targets' })).body).TargetHealthDescriptions.find(
      (t: { Target: { Id: string } }) => t.Target.Id === id,
    )?.TargetHealth.State;

  it('POST /targets/deregister drains the targets like DeregisterTargets', async () => {
    const response = await post('/targets/deregister', JSON.stringify({ Targets: [{ Id: '172.18.0.7' }] }));
    expect(response.status).toBe(200);
    expect(await stateOf('172.18.0.7')).toBe('draining');
  });

  it('POST /targets/register registers a target like RegisterTargets, on the target group port', async () => {
    const response = await post(
      '/targets/register',
      JSON.stringify({ Targets: [{ Id: '172.18.0.9' }, { Id: '172.18.0.10', Port: 8080 }] }),
    );
    expect(response.status).toBe(200);
    expect(await stateOf('172.18.0.9')).toBe('initial');
    expect(await stateOf('172.18.0.10')).toBe('initial');
  });

  it.each([
    ['no Authorization header', {}, 'MissingAuthenticationToken'],
    ['a wrong token', { Authorization: 'Bearer not-the-token-at-all' }, 'InvalidClientTokenId'],
    ['another scheme', { Authorization: `Basic ${TEST_ADMIN_TOKEN}` }, 'InvalidClientTokenId'],
  ])('refuses a mutation with %s: 403 %s, and changes nothing', async (_case, headers, code) => {
    for (const path of ['/targets/register', '/targets/deregister']) {
      const before = (await httpRequest(port, { path: '/targets' })).body;
      const response = await post(path, JSON.stringify({ Targets: [{ Id: '172.18.0.5' }] }), headers);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({
        Error: { Type: 'Sender', Code: code, Message: expect.any(String) },
      });
      expect((await httpRequest(port, { path: '/targets' })).body).toBe(before);
    }
  });

  // The ids an attacker tried in the issue that asked for this endpoint's checks.
  it.each([
    ['the instance metadata address', '{"Targets":[{"Id":"169.254.169.254"}]}', 'InvalidTarget'],
    ['a loopback address', '{"Targets":[{"Id":"127.0.0.1"}]}', 'InvalidTarget'],
    ['an address with a port', '{"Targets":[{"Id":"127.0.0.1:22"}]}', 'InvalidTarget'],
    ['the unspecified address', '{"Targets":[{"Id":"0.0.0.0"}]}', 'InvalidTarget'],
    ['a host name', '{"Targets":[{"Id":"api"}]}', 'InvalidTarget'],
    ['a CIDR', '{"Targets":[{"Id":"172.18.0.0/16"}]}', 'InvalidTarget'],
    ["the subnet's network address", '{"Targets":[{"Id":"172.18.0.0"}]}', 'InvalidTarget'],
    ["the subnet's broadcast address", '{"Targets":[{"Id":"172.18.255.255"}]}', 'InvalidTarget'],
    ['an address of another private network', '{"Targets":[{"Id":"10.0.0.5"}]}', 'InvalidTarget'],
    ['an octet with a leading zero', '{"Targets":[{"Id":"172.18.0.05"}]}', 'InvalidTarget'],
    ['an IPv6 address', '{"Targets":[{"Id":"::ffff:172.18.0.5"}]}', 'InvalidTarget'],
    [
      'an 8,000-character id',
      JSON.stringify({ Targets: [{ Id: `172.18.0.5${'5'.repeat(7990)}` }] }),
      'InvalidTarget',
    ],
    [
      'CR/LF inside an id',
      JSON.stringify({ Targets: [{ Id: '172.18.0.5\r\nX-Injected: 1' }] }),
      'InvalidTarget',
    ],
    [
      'another port than the target group has',
      '{"Targets":[{"Id":"172.18.0.5","Port":9090}]}',
      'InvalidTarget',
    ],
    ['port 0', '{"Targets":[{"Id":"172.18.0.5","Port":0}]}', 'ValidationError'],
    ['port 65536', '{"Targets":[{"Id":"172.18.0.5","Port":65536}]}', 'ValidationError'],
    ['a port that is a string', '{"Targets":[{"Id":"172.18.0.5","Port":"8080"}]}', 'ValidationError'],
    ['an unknown field', '{"Targets":[{"Id":"172.18.0.5","Weight":3}]}', 'ValidationError'],
    ['the same target twice', '{"Targets":[{"Id":"172.18.0.20"},{"Id":"172.18.0.20"}]}', 'ValidationError'],
    [
      '101 targets in one call',
      JSON.stringify({ Targets: Array.from({ length: 101 }, (_, i) => ({ Id: `172.18.1.${i + 1}` })) }),
      'ValidationError',
    ],
    ['not JSON', 'Targets=172.18.0.5', 'ValidationError'],
    ['JSON that is not an object', '"172.18.0.5"', 'ValidationError'],
    ['no targets', '{"Targets":[]}', 'ValidationError'],
    ['a target that is not an object', '{"Targets":["172.18.0.5"]}', 'ValidationError'],
    ['a target without an Id', '{"Targets":[{"Port":8080}]}', 'ValidationError'],
  ])('refuses to register %s with 400 %s, and changes nothing', async (_case, body, code) => {
    const before = (await httpRequest(port, { path: '/targets' })).body;
    const response = await post('/targets/register', body);
    expect(response.status).toBe(400);
    const error = JSON.parse(response.body).Error;
    expect(error).toEqual({ Type: 'Sender', Code: code, Message: expect.any(String) });
    // A message quotes at most a bounded part of what it was given.
    expect(error.Message.length).toBeLessThan(300);
    expect((await httpRequest(port, { path: '/targets' })).body).toBe(before);
  });

  it.each([
    ['an address that is not registered', '{"Targets":[{"Id":"172.18.9.9"}]}', 'InvalidTarget'],
    ['one registered and one not', '{"Targets":[{"Id":"172.18.0.5"},{"Id":"172.18.9.9"}]}', 'InvalidTarget'],
    ['an address outside the tasks network', '{"Targets":[{"Id":"169.254.169.254"}]}', 'InvalidTarget'],
    ['a target without an Id', '{"Targets":[{"Port":8080}]}', 'ValidationError'],
  ])('refuses to deregister %s with 400 %s, and changes nothing', async (_case, body, code) => {
    const before = (await httpRequest(port, { path: '/targets' })).body;
    const response = await post('/targets/deregister', body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).Error.Code).toBe(code);
    expect((await httpRequest(port, { path: '/targets' })).body).toBe(before);
  });

  it('answers a body over 16 KiB with 400 ValidationError, not a dropped socket', async () => {
    const body = JSON.stringify({ Targets: [{ Id: '172.18.0.5' }], padding: 'x'.repeat(64 * 1024) });
    const response = await post('/targets/register', body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).Error).toMatchObject({
      Code: 'ValidationError',
      Message: expect.stringContaining('16384'),
    });
    expect(response.headers.connection).toBe('close');
  });

  it('keeps serving the connection after a refused request', async () => {
    const socket = connect(port, '127.0.0.1');
    const answers: string[] = [];
    socket.on('data', (chunk: Buffer) => answers.push(chunk.toString('latin1')));
    const request = (body: string) =>
      `POST /targets/register HTTP/1.1\r\nHost: admin\r\nAuthorization: Bearer ${TEST_ADMIN_TOKEN}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    socket.write(request('{"Targets":[{"Id":"169.254.169.254"}]}') + request('{not json'));
    const deadline = Date.now() + 3000;
    while (answers.join('').split('HTTP/1.1 400').length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    socket.destroy();
    const text = answers.join('');
    expect(text.split('HTTP/1.1 400').length - 1).toBe(2);
    expect(text).toContain('"Code":"InvalidTarget"');
    expect(text).toContain('"Code":"ValidationError"');
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    expect((await httpRequest(port, { path: '/nope' })).status).toBe(404);
    const postTargets = await httpRequest(port, { path: '/targets', method: 'POST' });
    expect(postTargets.status).toBe(405);
    expect(postTargets.headers.allow).toBe('GET, HEAD');
    const get = await httpRequest(port, { path: '/targets/deregister' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});
