import {
  CloudAssemblyError,
  describeResource,
  RESYNTH,
  type ResourceRef,
  readCloudAssembly,
  resolveReference,
  resourcesOfType,
  type SynthesizedStack,
  sameResource,
  standInResourceId,
} from '../cloud-assembly';

/**
 * The load balancer, listener and target-group settings the simulated ALB runs with, read
 * from the CDK app's synthesized templates so that the local platform follows `infra/`.
 * Durations are in seconds like in AWS; fractions are allowed so tests can run fast.
 */
export interface AlbSettings {
  readonly loadBalancer: {
    readonly stackName: string;
    readonly logicalId: string;
    readonly name: string;
    /** `app/<name>/<id>`: the resource id AWS writes in access logs and metric dimensions. */
    readonly fullName: string;
    readonly idleTimeoutSeconds: number;
    /** `routing.http.desync_mitigation_mode`. */
    readonly desyncMitigationMode: DesyncMitigationMode;
    /** `routing.http.drop_invalid_header_fields.enabled`. */
    readonly dropInvalidHeaderFields: boolean;
  };
  readonly listener: {
    readonly stackName: string;
    readonly logicalId: string;
    readonly port: number;
  };
  readonly targetGroup: {
    readonly stackName: string;
    readonly logicalId: string;
    readonly name: string;
    readonly arn: string;
    /** The target group's own Port property. */
    readonly port: number;
    /**
     * The port targets are registered with: ECS registers each task with the container port
     * its service maps to this target group, which may differ from the target group's Port.
     */
    readonly targetPort: number;
    readonly deregistrationDelaySeconds: number;
    readonly healthCheck: HealthCheckSettings;
  };
}

export interface HealthCheckSettings {
  readonly path: string;
  /** `traffic-port` (the port each target receives traffic on) or a fixed port. */
  readonly port: 'traffic-port' | number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  /** Matcher.HttpCode: a code, a range or a list, e.g. "200", "200-299", "200,202". */
  readonly matcher: string;
}

/** AWS's documented defaults for an HTTP target group of an Application Load Balancer. */
export const AWS_DEFAULTS = {
  healthCheckPath: '/',
  healthCheckIntervalSeconds: 30,
  healthCheckTimeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  matcher: '200',
  deregistrationDelaySeconds: 300,
  idleTimeoutSeconds: 60,
  desyncMitigationMode: 'defensive',
  dropInvalidHeaderFields: false,
} as const;

export type DesyncMitigationMode = 'monitor' | 'defensive' | 'strictest';
const DESYNC_MITIGATION_MODES: readonly string[] = ['monitor', 'defensive', 'strictest'];

/** Account and Region used in ARNs when the stacks are environment-agnostic. */
export interface ArnEnvironment {
  readonly account: string;
  readonly region: string;
}

/** The templates do not define the one ALB the simulated ALB serves, or define it in a way it cannot run. */
export class AlbSettingsError extends CloudAssemblyError {
  override readonly name: string = 'AlbSettingsError';
}

const LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
const ECS_SERVICE = 'AWS::ECS::Service';

/** Reads the AWS ALB settings from a cloud assembly directory (e.g. infra/cdk.out). */
export function loadAlbSettings(
  cloudAssemblyDir: string,
  fallback = arnEnvironmentFrom(process.env),
): AlbSettings {
  return albSettingsFromStacks(readCloudAssembly(cloudAssemblyDir), fallback, cloudAssemblyDir);
}

export function arnEnvironmentFrom(env: NodeJS.ProcessEnv): ArnEnvironment {
  return {
    // The account both emulators use by default.
    account: '000000000000',
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
  };
}

export function albSettingsFromStacks(
  stacks: readonly SynthesizedStack[],
  fallback: ArnEnvironment,
  source = 'the cloud assembly',
): AlbSettings {
  const loadBalancer = theOnly(resourcesOfType(stacks, LOAD_BALANCER), LOAD_BALANCER, source);

  const listeners = resourcesOfType(stacks, LISTENER).filter((listener) =>
    sameResource(resolveReference(prop(listener, 'LoadBalancerArn'), listener.stack, stacks), loadBalancer),
  );
  const forwarding = listeners.filter((listener) => forwardedTargetGroups(listener).length > 0);
  const listener = theOnly(
    forwarding,
    `${LISTENER} forwarding from ${describeResource(loadBalancer)}`,
    source,
  );

  const targetGroupArns = forwardedTargetGroups(listener);
  if (targetGroupArns.length !== 1) {
    throw new AlbSettingsError(
      `${describeResource(listener)} forwards to ${targetGroupArns.length} target groups; the simulated ALB serves exactly one: ${RESYNTH}`,
    );
  }
  const targetGroup = resolveReference(targetGroupArns[0], listener.stack, stacks);
  if (!targetGroup || targetGroup.resource.Type !== TARGET_GROUP) {
    throw new AlbSettingsError(
      `${describeResource(listener)} forwards to ${JSON.stringify(targetGroupArns[0])}, which is not an ${TARGET_GROUP} in ${source}: ${RESYNTH}`,
    );
  }

  const lbName = resourceName(loadBalancer, 'Name');
  const tgName = resourceName(targetGroup, 'Name');
  const arnEnvironment = environmentOf(targetGroup.stack, fallback);
  const healthCheckPort = prop(targetGroup, 'HealthCheckPort');
  const port = integer(targetGroup, 'Port');

  const settings: AlbSettings = {
    loadBalancer: {
      stackName: loadBalancer.stack.stackName,
      logicalId: loadBalancer.logicalId,
      name: lbName,
      fullName: `app/${lbName}/${standInResourceId(loadBalancer)}`,
      idleTimeoutSeconds: attribute(
        loadBalancer,
        'LoadBalancerAttributes',
        'idle_timeout.timeout_seconds',
        AWS_DEFAULTS.idleTimeoutSeconds,
        1,
      ),
      desyncMitigationMode: textAttribute(
        loadBalancer,
        'routing.http.desync_mitigation_mode',
        DESYNC_MITIGATION_MODES,
        AWS_DEFAULTS.desyncMitigationMode,
      ) as DesyncMitigationMode,
      dropInvalidHeaderFields:
        textAttribute(
          loadBalancer,
          'routing.http.drop_invalid_header_fields.enabled',
          ['true', 'false'],
          String(AWS_DEFAULTS.dropInvalidHeaderFields),
        ) === 'true',
    },
    listener: {
      stackName: listener.stack.stackName,
      logicalId: listener.logicalId,
      port: integer(listener, 'Port'),
    },
    targetGroup: {
      stackName: targetGroup.stack.stackName,
      logicalId: targetGroup.logicalId,
      name: tgName,
      arn: `arn:aws:elasticloadbalancing:${arnEnvironment.region}:${arnEnvironment.account}:targetgroup/${tgName}/${standInResourceId(targetGroup)}`,
      port,
      targetPort: containerPortOf(targetGroup, stacks) ?? port,
      deregistrationDelaySeconds: attribute(
        targetGroup,
        'TargetGroupAttributes',
        'deregistration_delay.timeout_seconds',
        AWS_DEFAULTS.deregistrationDelaySeconds,
      ),
      healthCheck: {
        path: text(targetGroup, 'HealthCheckPath', AWS_DEFAULTS.healthCheckPath),
        port:
          healthCheckPort === undefined || healthCheckPort === 'traffic-port'
            ? 'traffic-port'
            : integer(targetGroup, 'HealthCheckPort'),
        intervalSeconds: positive(
          targetGroup,
          'HealthCheckIntervalSeconds',
          AWS_DEFAULTS.healthCheckIntervalSeconds,
        ),
        timeoutSeconds: positive(
          targetGroup,
          'HealthCheckTimeoutSeconds',
          AWS_DEFAULTS.healthCheckTimeoutSeconds,
        ),
        healthyThresholdCount: positive(
          targetGroup,
          'HealthyThresholdCount',
          AWS_DEFAULTS.healthyThresholdCount,
        ),
        unhealthyThresholdCount: positive(
          targetGroup,
          'UnhealthyThresholdCount',
          AWS_DEFAULTS.unhealthyThresholdCount,
        ),
        matcher: matcherOf(targetGroup),
      },
    },
  };
  const { intervalSeconds, timeoutSeconds } = settings.targetGroup.healthCheck;
  if (timeoutSeconds >= intervalSeconds) {
    // AWS rejects this too: a check must end before the next one starts.
    throw new AlbSettingsError(
      `${describeResource(targetGroup)}: HealthCheckTimeoutSeconds (${timeoutSeconds}) must be smaller than HealthCheckIntervalSeconds (${intervalSeconds})`,
    );
  }
  return settings;
}

/**
 * Parses a Matcher.HttpCode value into a predicate on status codes. Throws on a value AWS
 * would reject, so that a typo in infra/ fails at start rather than marking every target
 * unhealthy.
 */
export function httpCodeMatcher(spec: string): (status: number) => boolean {
  const ranges = spec.split(',').map((part) => {
    const match = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (!match) {
      throw new AlbSettingsError(
        `Matcher HttpCode "${spec}" is not a code, a range or a list like "200,202"`,
      );
    }
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high < low) throw new AlbSettingsError(`Matcher HttpCode "${spec}" has an empty range ${part}`);
    return [low, high] as const;
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

function theOnly(candidates: ResourceRef[], what: string, source: string): ResourceRef {
  if (candidates.length === 0) {
    throw new AlbSettingsError(`No ${what} found in ${source}: ${RESYNTH}`);
  }
  if (candidates.length > 1) {
    throw new AlbSettingsError(
      `Found ${candidates.length} of ${what} (${candidates.map(describeResource).join(', ')}) in ${source}; the simulated ALB needs exactly one`,
    );
  }
  return candidates[0];
}

function prop(ref: ResourceRef, key: string): unknown {
  return ref.resource.Properties?.[key];
}

/** The target group references of a listener's default forward action (either syntax). */
function forwardedTargetGroups(listener: ResourceRef): unknown[] {
  const actions = prop(listener, 'DefaultActions');
  if (!Array.isArray(actions)) return [];
  return actions
    .filter((action) => action?.Type === 'forward')
    .flatMap((action) => {
      if (action.TargetGroupArn !== undefined) return [action.TargetGroupArn];
      const groups = action.ForwardConfig?.TargetGroups;
      return Array.isArray(groups) ? groups.map((group) => group?.TargetGroupArn) : [];
    });
}

function containerPortOf(targetGroup: ResourceRef, stacks: readonly SynthesizedStack[]): number | undefined {
  const ports = new Set<number>();
  for (const service of resourcesOfType(stacks, ECS_SERVICE)) {
    const mappings = prop(service, 'LoadBalancers');
    if (!Array.isArray(mappings)) continue;
    for (const mapping of mappings) {
      if (sameResource(resolveReference(mapping?.TargetGroupArn, service.stack, stacks), targetGroup)) {
        const port = Number(mapping.ContainerPort);
        if (Number.isInteger(port) && port > 0) ports.add(port);
      }
    }
  }
  if (ports.size > 1) {
    throw new AlbSettingsError(
      `ECS services map ${describeResource(targetGroup)} to different container ports (${[...ports].join(', ')}); the simulated ALB needs one`,
    );
  }
  return ports.size === 1 ? [...ports][0] : undefined;
}

function resourceName(ref: ResourceRef, key: string): string {
  const name = prop(ref, key);
  return typeof name === 'string' && name !== '' ? name : ref.logicalId;
}

function environmentOf(stack: SynthesizedStack, fallback: ArnEnvironment): ArnEnvironment {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(stack.environment ?? '');
  const account = match && match[1] !== 'unknown-account' ? match[1] : fallback.account;
  const region = match && match[2] !== 'unknown-region' ? match[2] : fallback.region;
  return { account, region };
}

function literal(ref: ResourceRef, key: string, value: unknown): string | number {
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new AlbSettingsError(
    `${describeResource(ref)} ${key} is ${JSON.stringify(value)}, not a literal value; the simulated ALB needs literal settings in the synthesized template`,
  );
}

function number(ref: ResourceRef, key: string, value: unknown): number {
  const parsed = Number(literal(ref, key, value));
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new AlbSettingsError(
      `${describeResource(ref)} ${key} is ${JSON.stringify(value)}, not a number of 0 or more`,
    );
  }
  return parsed;
}

function integer(ref: ResourceRef, key: string): number {
  const value = prop(ref, key);
  if (value === undefined) throw new AlbSettingsError(`${describeResource(ref)} has no ${key}: ${RESYNTH}`);
  const parsed = number(ref, key, value);
  if (!Number.isInteger(parsed) || parsed === 0 || parsed > 65535) {
    throw new AlbSettingsError(
      `${describeResource(ref)} ${key} is ${JSON.stringify(value)}, not a port number`,
    );
  }
  return parsed;
}

function positive(ref: ResourceRef, key: string, fallback: number): number {
  const value = prop(ref, key);
  if (value === undefined) return fallback;
  const parsed = number(ref, key, value);
  if (parsed === 0) throw new AlbSettingsError(`${describeResource(ref)} ${key} must be greater than 0`);
  return parsed;
}

function text(ref: ResourceRef, key: string, fallback: string): string {
  const value = prop(ref, key);
  return value === undefined ? fallback : String(literal(ref, key, value));
}

function matcherOf(targetGroup: ResourceRef): string {
  const matcher = prop(targetGroup, 'Matcher') as { HttpCode?: unknown } | undefined;
  if (matcher?.HttpCode === undefined) return AWS_DEFAULTS.matcher;
  const spec = String(literal(targetGroup, 'Matcher.HttpCode', matcher.HttpCode));
  httpCodeMatcher(spec);
  return spec;
}

/** A load balancer attribute with a value from a fixed list, as ELBv2 validates it. */
function textAttribute(ref: ResourceRef, key: string, allowed: readonly string[], fallback: string): string {
  const attributes = prop(ref, 'LoadBalancerAttributes');
  const entry = Array.isArray(attributes)
    ? attributes.find((candidate) => candidate?.Key === key)
    : undefined;
  if (entry === undefined) return fallback;
  const value = String(entry.Value);
  if (!allowed.includes(value)) {
    throw new AlbSettingsError(
      `${describeResource(ref)} ${key} is ${value}; ELBv2 accepts ${allowed.join(', ')}`,
    );
  }
  return value;
}

function attribute(ref: ResourceRef, listKey: string, key: string, fallback: number, minimum = 0): number {
  const attributes = prop(ref, listKey);
  const entry = Array.isArray(attributes)
    ? attributes.find((candidate) => candidate?.Key === key)
    : undefined;
  if (entry === undefined) return fallback;
  const value = number(ref, `${listKey} ${key}`, entry.Value);
  if (value < minimum)
    throw new AlbSettingsError(`${describeResource(ref)} ${key} must be at least ${minimum}`);
  return value;
}
