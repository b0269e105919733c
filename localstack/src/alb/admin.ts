import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { BodyTooLargeError, readBody, sendJson } from '../http-json';
import type { AlbSettings } from './settings';
import type { TargetDescription, TargetRegistry } from './targets';
import type { Ipv4Subnet } from './tasks-network';

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

export interface AdminEndpointOptions {
  readonly registry: TargetRegistry;
  readonly settings: AlbSettings;
  /** Targets must be host addresses of this subnet, as an `ip` target must be in the target group's VPC. */
  readonly targetSubnet: Ipv4Subnet;
  /** The bearer token that RegisterTargets and DeregisterTargets require. */
  readonly token: string;
}

/** A bound of this endpoint's own: AWS documents none per call, only 1,000 targets per target group. */
export const MAX_TARGETS_PER_CALL = 100;
/** ELBv2's quota of targets per target group. */
export const MAX_TARGETS_PER_TARGET_GROUP = 1000;

/** The JSON form of ELBv2's `ErrorResponse`, with the codes and HTTP statuses its API reference lists. */
interface ErrorResponse {
  readonly status: 400 | 403;
  readonly code:
    | 'ValidationError'
    | 'InvalidTarget'
    | 'TooManyTargets'
    | 'MissingAuthenticationToken'
    | 'InvalidClientTokenId';
  readonly message: string;
}

class AdminError extends Error {
  constructor(readonly response: ErrorResponse) {
    super(response.message);
  }
}

function fail(status: ErrorResponse['status'], code: ErrorResponse['code'], message: string): never {
  throw new AdminError({ status, code, message });
}

function sendError(res: ServerResponse, { status, code, message }: ErrorResponse, headers = {}): void {
  sendJson(res, status, { Error: { Type: 'Sender', Code: code, Message: message } }, headers);
}

/**
 * The simulated ALB's own HTTP endpoint: `GET /targets` answers like DescribeTargetHealth,
 * `POST /targets/register` with `{"Targets":[{"Id":"<ip>"}]}` acts like RegisterTargets (what
 * ECS calls for a task it started) and `POST /targets/deregister` like DeregisterTargets (what
 * it calls before stopping a task); both need `Authorization: Bearer <token>`. `GET /settings`
 * shows the settings in force, `GET /healthz` says it is up.
 */
export function adminRequestHandler(options: AdminEndpointOptions): RequestListener {
  const expectedDigest = digest(options.token);
  const operations = new Map([
    ['/targets/register', registerTargets],
    ['/targets/deregister', deregisterTargets],
  ]);
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const operation = operations.get(path);
    if (operation) {
      if (req.method !== 'POST') {
        sendJson(res, 405, { message: `${req.method} is not supported; use POST` }, { Allow: 'POST' });
        req.resume();
        return;
      }
      try {
        requireToken(req, expectedDigest);
      } catch (error) {
        sendError(res, (error as AdminError).response);
        req.resume();
        return;
      }
      readBody(req)
        .then((body) => {
          operation(options, targetsOf(body, options));
          sendJson(res, 200, {});
        })
        .catch((error: Error) => {
          if (error instanceof AdminError) sendError(res, error.response);
          else if (error instanceof BodyTooLargeError) {
            // Answered, then closed: the rest of the body is not read.
            sendError(
              res,
              { status: 400, code: 'ValidationError', message: error.message },
              { Connection: 'close' },
            );
          } else res.destroy(error);
        });
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { message: `${req.method} is not supported; use GET` }, { Allow: 'GET, HEAD' });
      req.resume();
    } else if (path === '/targets') {
      sendJson(res, 200, describeTargetHealth(options.registry.describe(), options.settings));
    } else if (path === '/settings') {
      sendJson(res, 200, options.settings);
    } else if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else {
      sendJson(res, 404, { message: `No ${path} here; try /targets, /settings or /healthz` });
    }
  };
}

export function createAdminServer(options: AdminEndpointOptions): Server {
  return createServer(adminRequestHandler(options));
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function requireToken(req: IncomingMessage, expectedDigest: Buffer): void {
  const authorization = req.headers.authorization;
  if (!authorization) {
    fail(
      403,
      'MissingAuthenticationToken',
      'Registering and deregistering targets needs "Authorization: Bearer <token>", the token in .local/alb-admin-token',
    );
  }
  const token = /^Bearer (\S+)$/.exec(authorization)?.[1] ?? '';
  if (!timingSafeEqual(digest(token), expectedDigest)) {
    fail(403, 'InvalidClientTokenId', 'The bearer token is not the one in .local/alb-admin-token');
  }
}

interface TargetRef {
  readonly id: string;
}

/** ELBv2's TargetDescription: Id, and optionally Port and AvailabilityZone. */
const TARGET_FIELDS = new Set(['Id', 'Port', 'AvailabilityZone']);

function targetsOf(body: string, { targetSubnet, settings }: AdminEndpointOptions): TargetRef[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    fail(400, 'ValidationError', 'The body is not JSON; expected {"Targets":[{"Id":"<task IP>"}]}');
  }
  const targets = (parsed as { Targets?: unknown } | null)?.Targets;
  if (!Array.isArray(targets) || targets.length === 0) {
    fail(
      400,
      'ValidationError',
      '1 validation error detected: \'Targets\' must be a non-empty array, like {"Targets":[{"Id":"<task IP>"}]}',
    );
  }
  if (targets.length > MAX_TARGETS_PER_CALL) {
    fail(
      400,
      'ValidationError',
      `${targets.length} targets in one call; at most ${MAX_TARGETS_PER_CALL} are accepted`,
    );
  }
  const trafficPort = settings.targetGroup.targetPort;
  const seen = new Set<string>();
  return targets.map((target: unknown, index) => {
    const where = `Targets.member.${index + 1}`;
    if (typeof target !== 'object' || target === null || Array.isArray(target)) {
      fail(400, 'ValidationError', `${where} must be an object like {"Id":"<task IP>"}`);
    }
    const unknown = Object.keys(target).filter((field) => !TARGET_FIELDS.has(field));
    if (unknown.length > 0) {
      fail(
        400,
        'ValidationError',
        `${where} has unknown fields: ${unknown.slice(0, 5).join(', ').slice(0, 200)}`,
      );
    }
    const { Id: id, Port: port } = target as { Id?: unknown; Port?: unknown };
    if (typeof id !== 'string' || id.length === 0)
      fail(400, 'ValidationError', `${where}.Id must be a task's IPv4 address`);
    if (port !== undefined && (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)) {
      fail(400, 'ValidationError', `${where}.Port must be an integer from 1 to 65535`);
    }
    if (!targetSubnet.hasHost(id)) {
      fail(
        400,
        'InvalidTarget',
        `${where}.Id ${JSON.stringify(id.slice(0, 64))} is not a host address of the tasks network ${targetSubnet.cidr}; an ip target must be an address in the target group's VPC`,
      );
    }
    if (port !== undefined && port !== trafficPort) {
      // ECS registers a task on its container port; the local target group has that one port only.
      fail(
        400,
        'InvalidTarget',
        `${where}.Port ${port}: the local target group registers targets on its port ${trafficPort} only`,
      );
    }
    if (seen.has(id)) fail(400, 'ValidationError', `${where}.Id ${id} is given twice`);
    seen.add(id);
    return { id };
  });
}

function registerTargets({ registry }: AdminEndpointOptions, targets: readonly TargetRef[]): void {
  const registered = new Set(registry.describe().map((target) => target.id));
  const added = targets.filter((target) => !registered.has(target.id)).length;
  if (registered.size + added > MAX_TARGETS_PER_TARGET_GROUP) {
    fail(
      400,
      'TooManyTargets',
      `the target group would have more than ${MAX_TARGETS_PER_TARGET_GROUP} targets`,
    );
  }
  for (const { id } of targets) registry.registerByOperator(id);
}

/** DeregisterTargets refuses the whole call when one target is not registered, and changes nothing. */
function deregisterTargets({ registry }: AdminEndpointOptions, targets: readonly TargetRef[]): void {
  const registered = new Set(registry.describe().map((target) => target.id));
  const unknown = targets.filter(({ id }) => !registered.has(id)).map(({ id }) => id);
  if (unknown.length > 0) {
    fail(
      400,
      'InvalidTarget',
      `not registered with the target group: ${unknown.join(', ')}; GET /targets lists the registered targets`,
    );
  }
  for (const { id } of targets) registry.deregisterUntilGone(id);
}
