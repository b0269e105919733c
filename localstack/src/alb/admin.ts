import { createServer, type Server, type ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http-json';
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

/** The POST endpoints, each applying its operation to the target ids of a valid body. */
const TARGET_OPERATIONS = new Map([
  ['/targets/register', registerTargets],
  ['/targets/deregister', deregisterTargets],
]);

/**
 * The simulated ALB's own HTTP endpoint: `GET /targets` answers like DescribeTargetHealth,
 * `POST /targets/deregister` with `{"Targets":[{"Id":"<ip>"}]}` acts like DeregisterTargets
 * (what ECS calls before stopping a task) and `POST /targets/register` like RegisterTargets
 * (what it calls for a task it started), `GET /settings` shows the settings in force,
 * `GET /healthz` says it is up.
 */
export function createAdminServer(registry: TargetRegistry, settings: AlbSettings): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const operation = TARGET_OPERATIONS.get(path);
    if (operation) {
      if (req.method !== 'POST') {
        sendJson(res, 405, { message: `${req.method} is not supported; use POST` }, { Allow: 'POST' });
        return;
      }
      readBody(req).then(
        (body) => {
          const ids = targetIdsOf(body);
          if (ids === undefined) sendJson(res, 400, INVALID_BODY);
          else operation(registry, ids, res);
        },
        (error: Error) => sendJson(res, 400, { message: error.message }),
      );
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
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

const INVALID_BODY = {
  code: 'ValidationError',
  message: 'expected a JSON body like {"Targets":[{"Id":"172.18.0.5"}]}',
};

function registerTargets(registry: TargetRegistry, ids: readonly string[], res: ServerResponse): void {
  for (const id of ids) registry.registerByOperator(id);
  sendJson(res, 200, {});
}

function deregisterTargets(registry: TargetRegistry, ids: readonly string[], res: ServerResponse): void {
  const registered = new Set(registry.describe().map((target) => target.id));
  const unknown = ids.filter((id) => !registered.has(id));
  if (unknown.length > 0) {
    sendJson(res, 400, {
      code: 'InvalidTarget',
      message: `not registered with the target group: ${unknown.join(', ')}; GET /targets lists the registered targets`,
    });
    return;
  }
  for (const id of ids) registry.deregisterUntilGone(id);
  sendJson(res, 200, {});
}

function targetIdsOf(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const targets = (parsed as { Targets?: unknown } | null)?.Targets;
  if (!Array.isArray(targets) || targets.length === 0) return undefined;
  const ids = targets.map((target) => (target as { Id?: unknown } | null)?.Id);
  return ids.every((id): id is string => typeof id === 'string' && id.length > 0) ? ids : undefined;
}
