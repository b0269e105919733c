import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AlbSettings } from './settings';
import type { TargetDescription, TargetRegistry } from './targets';

/** One entry of ELBv2 DescribeTargetHealth's `TargetHealthDescriptions`. */
export interface TargetHealthDescription {
  readonly Target: { readonly Id: string; readonly Port: number };
  readonly HealthCheckPort: string;
  readonly TargetHealth: { readonly State: string; readonly Reason?: string; readonly Description?: string };
}

export function describeTargetHealth(
  targets: readonly TargetDescription[],
  settings: AlbSettings,
): { TargetHealthDescriptions: TargetHealthDescription[] } {
  const { port } = settings.targetGroup.healthCheck;
  return {
    TargetHealthDescriptions: targets.map(({ id, port: targetPort, health }) => ({
      Target: { Id: id, Port: targetPort },
      HealthCheckPort: String(port === 'traffic-port' ? targetPort : port),
      TargetHealth: {
        State: health.state,
        ...(health.reason && { Reason: health.reason }),
        ...(health.description && { Description: health.description }),
      },
    })),
  };
}

/**
 * The simulated ALB's own HTTP endpoint: `GET /targets` answers like DescribeTargetHealth,
 * `GET /settings` shows the settings in force, `GET /healthz` says it is up.
 */
export function createAdminServer(registry: TargetRegistry, settings: AlbSettings): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { message: `${req.method} is not supported; use GET` }, { Allow: 'GET, HEAD' });
    } else if (path === '/targets') {
      sendJson(res, 200, describeTargetHealth(registry.describe(), settings));
    } else if (path === '/settings') {
      sendJson(res, 200, settings);
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else {
      sendJson(res, 404, { message: `No ${path} here; try /targets, /settings or /healthz` });
    }
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
