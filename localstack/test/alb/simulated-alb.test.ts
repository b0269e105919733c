import type { RequestListener } from 'node:http';
import { type Diagnostic, type SimulatedAlb, startSimulatedAlb } from '../../src/alb/simulated-alb';
import { freePort, httpRequest, loopbackAdmin, sleep, startTargets, testSettings, waitFor } from './helpers';

/** A replica of the API: healthy on /healthz, slow on /slow, otherwise says who it is. */
const replica =
  (ip: string): RequestListener =>
  (req, res) => {
    if (req.url === '/healthz') res.end('ok');
    else if (req.url === '/slow') setTimeout(() => res.end(`slow from ${ip}`), 500);
    else res.end(ip);
  };

function fields(line: string): string[] {
  return line.match(/"[^"]*"|\S+/g) ?? [];
}

describe('startSimulatedAlb', () => {
  let alb: SimulatedAlb | undefined;
  let closeTargets: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await alb?.stop();
    await closeTargets?.();
    alb = undefined;
    closeTargets = undefined;
  });

  async function start(addresses: () => string[], deregistrationDelaySeconds = 1) {
    const targets = await startTargets(2, replica);
    closeTargets = targets.close;
    const accessLog: string[] = [];
    const diagnostics: Diagnostic[] = [];
    const listenerPort = await freePort();
    alb = await startSimulatedAlb({
      settings: testSettings({ targetPort: targets.port, listenerPort, deregistrationDelaySeconds }),
      targetHost: 'api',
      adminPort: 0,
      ...loopbackAdmin,
      listenHost: '127.0.0.1',
      discoveryIntervalSeconds: 0.05,
      resolve: async () => addresses(),
      writeAccessLog: (line) => accessLog.push(line),
      writeDiagnostic: (event) => diagnostics.push(event),
    });
    const running = alb;
    const stateOf = (id: string) =>
      running.registry.describe().find((target) => target.id === id)?.health.state;
    return { alb: running, targets, accessLog, diagnostics, listenerPort, stateOf };
  }

  it('discovers, health-checks and serves the replicas, logging each request and each state change', async () => {
    const { alb, targets, accessLog, diagnostics, listenerPort, stateOf } = await start(() => [
      '127.0.0.1',
      '127.0.0.2',
    ]);
    expect(alb.listenerAddress.port).toBe(listenerPort);
    await waitFor(() => targets.ips.every((ip) => stateOf(ip) === 'healthy'), 3000, 'healthy replicas');

    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push((await httpRequest(listenerPort)).body);
    expect(new Set(answers)).toEqual(new Set(targets.ips));

    // health checks are not logged, like ALB
    await waitFor(() => accessLog.length === 4, 1000, 'four access-log lines');
    for (const line of accessLog) {
      const entry = fields(line);
      expect(entry).toHaveLength(30);
      expect(entry[0]).toBe('http');
      expect(entry[2]).toBe('app/zama-api-alb/0123456789abcdef');
      expect(entry[4]).toMatch(new RegExp(`^127\\.0\\.0\\.[12]:${targets.port}$`));
      expect(entry.slice(8, 10)).toEqual(['200', '200']);
      expect(entry[12]).toBe(`"GET http://127.0.0.1:${listenerPort}/ HTTP/1.1"`);
    }

    expect(diagnostics[0]).toMatchObject({ event: 'started', targetHost: 'api' });
    expect(diagnostics).toContainEqual({
      event: 'target-state-changed',
      target: `127.0.0.2:${targets.port}`,
      from: 'initial',
      to: 'healthy',
    });

    const admin = JSON.parse((await httpRequest(alb.adminAddress.port, { path: '/targets' })).body);
    expect(admin.TargetHealthDescriptions).toHaveLength(2);
    expect(alb.registry.hostCounts()).toEqual({ healthy: 2, unhealthy: 0 });
  });

  it('drains a replica that leaves: in-flight requests finish, new ones go elsewhere, then it is removed', async () => {
    let addresses = ['127.0.0.1'];
    const { alb, listenerPort, stateOf } = await start(() => addresses, 1);
    await waitFor(() => stateOf('127.0.0.1') === 'healthy', 3000, 'first replica healthy');

    const inFlight = httpRequest(listenerPort, { path: '/slow' });
    await sleep(100);
    addresses = ['127.0.0.2'];
    await waitFor(() => stateOf('127.0.0.1') === 'draining', 1000, 'draining');
    const drainingSince = Date.now();

    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push((await httpRequest(listenerPort)).body);
    expect(answers).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.2']);

    await expect(inFlight).resolves.toMatchObject({ status: 200, body: 'slow from 127.0.0.1' });
    expect(stateOf('127.0.0.1')).toBe('draining');

    await waitFor(() => stateOf('127.0.0.1') === undefined, 3000, 'removal');
    expect(Date.now() - drainingSince).toBeGreaterThanOrEqual(800);
    const admin = JSON.parse((await httpRequest(alb.adminAddress.port, { path: '/targets' })).body);
    expect(admin.TargetHealthDescriptions.map((d: { Target: { Id: string } }) => d.Target.Id)).toEqual([
      '127.0.0.2',
    ]);
  });

  it('answers 503 while the name resolves to nothing', async () => {
    const { listenerPort } = await start(() => []);
    expect((await httpRequest(listenerPort)).status).toBe(503);
  });
});
