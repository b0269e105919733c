import { mkdtempSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type RequestListener,
  request,
  type Server,
} from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlbSettings, HealthCheckSettings } from '../../src/alb/settings';
import { Ipv4Subnet } from '../../src/alb/tasks-network';

export interface RunningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An HTTP server on a loopback address; 127.0.0.x addresses let several targets share a port. */
export function startServer(handler: RequestListener, host = '127.0.0.1', port = 0): Promise<RunningServer> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        server,
        host,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Target servers on 127.0.0.1, 127.0.0.2, ... all on the same port, like replicas behind one name. */
export async function startTargets(
  count: number,
  handler: (ip: string) => RequestListener,
): Promise<{ ips: string[]; port: number; servers: RunningServer[]; close(): Promise<void> }> {
  const first = await startServer(handler('127.0.0.1'), '127.0.0.1');
  const servers = [first];
  for (let i = 2; i <= count; i += 1) {
    const ip = `127.0.0.${i}`;
    servers.push(await startServer(handler(ip), ip, first.port));
  }
  return {
    ips: servers.map((s) => s.host),
    port: first.port,
    servers,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** A TCP server that answers every connection with `reply`, e.g. a malformed HTTP response. */
export function startRawServer(reply: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write(reply);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/** A port nothing listens on right now, for code that takes a fixed port. */
export async function freePort(): Promise<number> {
  const probe = await startServer(() => undefined);
  await probe.close();
  return probe.port;
}

export interface Response {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: string;
}

export function httpRequest(
  port: number,
  options: { path?: string; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Settings as the CDK app would give them, with test-sized durations. */
export function testSettings(
  overrides: {
    targetPort?: number;
    listenerPort?: number;
    idleTimeoutSeconds?: number;
    deregistrationDelaySeconds?: number;
    healthCheck?: Partial<HealthCheckSettings>;
  } = {},
): AlbSettings {
  return {
    loadBalancer: {
      stackName: 'ZamaCompute',
      logicalId: 'ApiAlb',
      name: 'zama-api-alb',
      fullName: 'app/zama-api-alb/0123456789abcdef',
      idleTimeoutSeconds: overrides.idleTimeoutSeconds ?? 5,
      desyncMitigationMode: 'defensive',
      dropInvalidHeaderFields: true,
    },
    listener: { stackName: 'ZamaCompute', logicalId: 'ApiAlbListener', port: overrides.listenerPort ?? 0 },
    targetGroup: {
      stackName: 'ZamaCompute',
      logicalId: 'ApiTargetGroup',
      name: 'zama-api-tg',
      arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/zama-api-tg/fedcba9876543210',
      port: overrides.targetPort ?? 8080,
      targetPort: overrides.targetPort ?? 8080,
      deregistrationDelaySeconds: overrides.deregistrationDelaySeconds ?? 1,
      healthCheck: {
        path: '/healthz',
        port: 'traffic-port',
        intervalSeconds: 0.1,
        timeoutSeconds: 0.08,
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
        matcher: '200',
        ...overrides.healthCheck,
      },
    },
  };
}

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** What startSimulatedAlb needs for its admin endpoint, for targets on loopback addresses. */
export const loopbackAdmin = { targetSubnet: new Ipv4Subnet('127.0.0.0/8'), adminToken: TEST_ADMIN_TOKEN };

/** The admin variables of startFromEnvironment: `localhost` stands for the ALB's alias on the tasks network. */
export function adminEnvironment(): { TASKS_NETWORK_ALIAS: string; ADMIN_TOKEN_FILE: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'alb-admin-')), 'token');
  writeFileSync(file, `${TEST_ADMIN_TOKEN}\n`);
  return { TASKS_NETWORK_ALIAS: 'localhost', ADMIN_TOKEN_FILE: file };
}
