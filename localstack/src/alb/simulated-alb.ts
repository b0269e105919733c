import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import SonicBoom from 'sonic-boom';
import { AccessLog } from './access-log';
import { adminRequestHandler } from './admin';
import { type ResolveHost, TargetDiscovery } from './discovery';
import { HealthChecker } from './health-checker';
import { close, listen } from './listen';
import { type AlbMetricsOptions, AlbMetricsPublisher } from './metrics';
import { AlbProxy } from './proxy';
import type { AlbSettings } from './settings';
import { TargetRegistry, type TargetStateChange } from './targets';
import type { Ipv4Subnet } from './tasks-network';

export interface SimulatedAlbOptions {
  readonly settings: AlbSettings;
  /** The name whose addresses are the targets (compose service name, like a Cloud Map name). */
  readonly targetHost: string;
  readonly adminPort: number;
  /** Where the listener listens; 0.0.0.0 by default. */
  readonly listenHost?: string;
  /** The addresses the admin endpoint listens on, each with the admin port; the listener's host by default. */
  readonly adminHosts?: readonly string[];
  /** Registered targets must be host addresses of this subnet (the tasks network). */
  readonly targetSubnet: Ipv4Subnet;
  /** The bearer token that the admin endpoint's RegisterTargets and DeregisterTargets require. */
  readonly adminToken: string;
  readonly discoveryIntervalSeconds?: number;
  readonly resolve?: ResolveHost;
  /** Receives each access-log line; stdout by default. */
  readonly writeAccessLog?: (line: string) => void;
  /** Receives each diagnostic event (target state changes, lookups that failed); JSON lines on stderr by default. */
  readonly writeDiagnostic?: (event: Diagnostic) => void;
  /** Publishes AWS/ApplicationELB metrics when set; no metrics otherwise. */
  readonly metrics?: AlbMetricsOptions;
}

export interface Diagnostic {
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface SimulatedAlb {
  readonly listenerAddress: AddressInfo;
  /** The admin endpoint's first address (loopback, where it listens there). */
  readonly adminAddress: AddressInfo;
  readonly registry: TargetRegistry;
  /** Stops discovery and health checks, then waits for in-flight requests to finish. */
  stop(): Promise<void>;
}

/** Compose DNS answers instantly; a short interval registers new replicas about as fast as ECS would. */
export const DEFAULT_DISCOVERY_INTERVAL_SECONDS = 2;

/** Wires settings, discovery, health checks, the proxy, the access log and the admin endpoint together. */
export async function startSimulatedAlb(options: SimulatedAlbOptions): Promise<SimulatedAlb> {
  const { settings, targetHost } = options;
  const listenHost = options.listenHost ?? '0.0.0.0';
  const writeAccessLog = options.writeAccessLog ?? stdoutAccessLog();
  const writeDiagnostic = options.writeDiagnostic ?? logDiagnostic;

  const registry = new TargetRegistry({
    port: settings.targetGroup.targetPort,
    healthyThresholdCount: settings.targetGroup.healthCheck.healthyThresholdCount,
    unhealthyThresholdCount: settings.targetGroup.healthCheck.unhealthyThresholdCount,
    deregistrationDelaySeconds: settings.targetGroup.deregistrationDelaySeconds,
  });
  registry.onChange((change) => writeDiagnostic(stateChangeEvent(change)));
  const healthChecker = new HealthChecker(registry, settings.targetGroup.healthCheck);
  const metrics =
    options.metrics && new AlbMetricsPublisher({ ...options.metrics, hosts: registry, writeDiagnostic });
  const proxy = new AlbProxy({
    listenerPort: settings.listener.port,
    idleTimeoutSeconds: settings.loadBalancer.idleTimeoutSeconds,
    desyncMitigationMode: settings.loadBalancer.desyncMitigationMode,
    dropInvalidHeaderFields: settings.loadBalancer.dropInvalidHeaderFields,
    targets: registry,
    observers: [
      new AccessLog(
        { elb: settings.loadBalancer.fullName, targetGroupArn: settings.targetGroup.arn },
        writeAccessLog,
      ),
      ...(metrics ? [metrics] : []),
    ],
  });
  const adminHandler = adminRequestHandler({
    registry,
    settings,
    targetSubnet: options.targetSubnet,
    token: options.adminToken,
  });
  const adminServers = (options.adminHosts ?? [listenHost]).map(() => createServer(adminHandler));
  const discovery = new TargetDiscovery({
    host: targetHost,
    intervalSeconds: options.discoveryIntervalSeconds ?? DEFAULT_DISCOVERY_INTERVAL_SECONDS,
    registry,
    resolve: options.resolve,
    onError: (error) =>
      writeDiagnostic({ event: 'target-discovery-failed', host: targetHost, error: error.message }),
  });

  const listenerAddress = await proxy.listen(settings.listener.port, listenHost);
  const adminAddresses: AddressInfo[] = [];
  try {
    const hosts = options.adminHosts ?? [listenHost];
    for (const [index, host] of hosts.entries()) {
      adminAddresses.push(await listen(adminServers[index], options.adminPort, host, 'ADMIN_PORT'));
    }
  } catch (error) {
    await Promise.all([proxy.close(), ...adminServers.filter((server) => server.listening).map(close)]);
    throw error;
  }
  const [adminAddress] = adminAddresses;
  writeDiagnostic({
    event: 'started',
    listener: `${listenerAddress.address}:${listenerAddress.port}`,
    admin: adminAddresses.map(({ address, port }) => `${address}:${port}`),
    targetSubnet: options.targetSubnet.cidr,
    targetHost,
    settings,
    ...(options.metrics && {
      metrics: {
        dimensions: options.metrics.dimensions,
        intervalSeconds: options.metrics.intervalSeconds,
      },
    }),
  });
  metrics?.start();
  healthChecker.start();
  await discovery.start();

  return {
    listenerAddress,
    adminAddress,
    registry,
    async stop() {
      discovery.stop();
      healthChecker.stop();
      registry.close();
      await Promise.all([proxy.close(), ...adminServers.map(close)]);
      // After the proxy has drained, so that the last requests are published too.
      await metrics?.stop();
      writeDiagnostic({ event: 'stopped' });
    },
  };
}

/** How long an access-log line may wait to leave with others. */
const ACCESS_LOG_FLUSH_MS = 200;

/**
 * Access-log lines on stdout, written without blocking and in batches: a line per request
 * written synchronously to the pipe Docker reads stalled the proxy whenever Docker read more
 * slowly than requests came, and a write per line cost the proxy a third of its CPU time per
 * request (`make bench-alb`). Lines leave once 8 KiB have gathered, or after
 * ACCESS_LOG_FLUSH_MS; what is still pending when the process exits is written then.
 */
export function stdoutAccessLog(): (line: string) => void {
  const stdout = new SonicBoom({ fd: 1, sync: false, minLength: 8 * 1024 });
  let pending = false;
  setInterval(() => {
    if (!pending) return;
    pending = false;
    stdout.flush();
  }, ACCESS_LOG_FLUSH_MS).unref();
  process.on('exit', () => stdout.flushSync());
  return (line) => {
    pending = true;
    stdout.write(`${line}\n`);
  };
}

/** Diagnostic output of the running ALB: one JSON object per line on stderr. */
export function logDiagnostic(event: Diagnostic): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
}

function stateChangeEvent({ target, previous, current }: TargetStateChange): Diagnostic {
  const { reason, description } =
    current === 'unused' ? { reason: undefined, description: undefined } : current;
  return {
    event: 'target-state-changed',
    target: `${target.id}:${target.port}`,
    from: previous === 'unused' ? 'unused' : previous.state,
    to: current === 'unused' ? 'unused' : current.state,
    ...(reason && { reason }),
    ...(description && { description }),
  };
}
