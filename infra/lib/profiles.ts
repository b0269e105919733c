/**
 * Environment profiles: every number and name that differs between the places the
 * platform runs. The stacks read nothing else from the environment, so adding a
 * profile (or changing one) is the only way the deployed platform can differ.
 */

/** The seed's twelve alarms, by their Terraform names. */
export const ALARM_KEYS = [
  'no_healthy_targets',
  'unhealthy_tasks',
  'high_error_rate',
  'alb_unhealthy_targets',
  'api_error_count',
  'alb_connection_errors',
  'high_response_time',
  'health_endpoint_slow_response',
  'low_request_count',
  'api_cpu_high',
  'api_memory_high',
  'kong_cpu_high',
] as const;
export type AlarmKey = (typeof ALARM_KEYS)[number];

export const PROFILE_NAMES = ['local', 'dev', 'prod'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** What `cdk synth` and `cdk deploy` use when neither `-c profile=` nor `PLATFORM_PROFILE` is set. */
export const DEFAULT_PROFILE: ProfileName = 'local';

export interface NetworkProfile {
  readonly vpcCidr: string;
  /** Number of availability zones; one public and one private subnet in each. */
  readonly availabilityZones: number;
  /** One per availability zone, in zone order. */
  readonly publicSubnetCidrs: readonly string[];
  /** One per availability zone, in zone order. */
  readonly privateSubnetCidrs: readonly string[];
  /** 0 leaves the private subnets without a route to the internet (isolated). */
  readonly natGateways: number;
}

export interface IngressProfile {
  /** Where Kong Konnect's data plane calls the load balancer from. */
  readonly kongKonnectCidrs: readonly string[];
  /** Operators allowed to call the load balancer directly. */
  readonly adminCidrs: readonly string[];
}

export interface TargetHealthCheckProfile {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

export interface ContainerHealthCheckProfile {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

export interface ServiceProfile {
  /** Image reference pulled from its registry (no image is built or pushed by a deploy). */
  readonly image: string;
  /** Fargate task CPU units (the API container gets all of it). */
  readonly cpu: number;
  /** Fargate task memory (the API container gets all of it). */
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly minCount: number;
  readonly maxCount: number;
  readonly cpuTargetPercent: number;
  readonly memoryTargetPercent: number;
  readonly targetHealthCheck: TargetHealthCheckProfile;
  readonly containerHealthCheck: ContainerHealthCheckProfile;
  readonly deregistrationDelaySeconds: number;
  /**
   * Sets FAULT_INJECTION_ENABLED=true on the container, which lets anyone with an API key make a
   * task fail on purpose (PUT /_local/fault) so the end-to-end suites can exercise health checks
   * and alarms. Only the local profile may set it.
   */
  readonly faultInjection: boolean;
}

export interface AlarmTiming {
  /** 10 or 30 (high-resolution alarms) or a multiple of 60. */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
}

export interface AlertsProfile {
  /** Subscribed to the alerts topic when set. */
  readonly email?: string;
  /** Adds an SQS queue subscribed to the alerts topic that people and tests can read. */
  readonly inbox: boolean;
}

export interface PlatformProfile {
  readonly name: ProfileName;
  /** Prefix of every physical name, e.g. `zama-api-platform-dev`. */
  readonly prefix: string;
  readonly region: string;
  readonly network: NetworkProfile;
  readonly ingress: IngressProfile;
  readonly service: ServiceProfile;
  /** Retention of every log group, in days (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /** What deleting a stack does to its log groups and secrets (the ALB log bucket is always kept). */
  readonly onStackDelete: 'retain' | 'destroy';
  readonly alarms: Readonly<Record<AlarmKey, AlarmTiming>>;
  readonly alerts: AlertsProfile;
}

const SEED_NETWORK: NetworkProfile = {
  vpcCidr: '10.0.0.0/16',
  availabilityZones: 2,
  publicSubnetCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
  privateSubnetCidrs: ['10.0.10.0/24', '10.0.20.0/24'],
  natGateways: 2,
};

const SEED_INGRESS: IngressProfile = {
  kongKonnectCidrs: ['205.234.240.62/32'],
  adminCidrs: ['88.181.233.30/32'],
};

/** The seed's container health check (interval 30 s, timeout 5 s, 3 retries, 60 s start period). */
const SEED_CONTAINER_HEALTH_CHECK: ContainerHealthCheckProfile = {
  intervalSeconds: 30,
  timeoutSeconds: 5,
  retries: 3,
  startPeriodSeconds: 60,
};

const AWS_TARGET_HEALTH_CHECK: TargetHealthCheckProfile = {
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
};

/** Periods and evaluation periods on AWS, where ALB and ECS publish one datapoint a minute. */
const AWS_ALARM_TIMINGS: Record<AlarmKey, AlarmTiming> = {
  no_healthy_targets: { periodSeconds: 60, evaluationPeriods: 2 },
  unhealthy_tasks: { periodSeconds: 60, evaluationPeriods: 2 },
  high_error_rate: { periodSeconds: 300, evaluationPeriods: 1 },
  alb_unhealthy_targets: { periodSeconds: 60, evaluationPeriods: 2 },
  api_error_count: { periodSeconds: 300, evaluationPeriods: 1 },
  alb_connection_errors: { periodSeconds: 300, evaluationPeriods: 1 },
  high_response_time: { periodSeconds: 300, evaluationPeriods: 2 },
  health_endpoint_slow_response: { periodSeconds: 60, evaluationPeriods: 3 },
  low_request_count: { periodSeconds: 300, evaluationPeriods: 3 },
  api_cpu_high: { periodSeconds: 300, evaluationPeriods: 2 },
  api_memory_high: { periodSeconds: 300, evaluationPeriods: 2 },
  kong_cpu_high: { periodSeconds: 300, evaluationPeriods: 2 },
};

/** Locally the data plane publishes high-resolution metrics, so an outage alarms within seconds. */
const LOCAL_ALARM_TIMINGS: Record<AlarmKey, AlarmTiming> = Object.fromEntries(
  ALARM_KEYS.map((key) => [
    key,
    {
      periodSeconds: 10,
      evaluationPeriods: key === 'no_healthy_targets' || key === 'unhealthy_tasks' ? 1 : 3,
    },
  ]),
) as Record<AlarmKey, AlarmTiming>;

export const PROFILES: Readonly<Record<ProfileName, PlatformProfile>> = {
  local: {
    name: 'local',
    prefix: 'zama-api-platform-local',
    // The emulators' default region.
    region: 'us-east-1',
    // No NAT gateway: LocalStack's CloudFormation cannot create one and nothing routes locally.
    network: { ...SEED_NETWORK, natGateways: 0 },
    ingress: SEED_INGRESS,
    service: {
      image: 'zama/api:local',
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 2,
      minCount: 1,
      maxCount: 3,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
      targetHealthCheck: {
        intervalSeconds: 5,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      containerHealthCheck: { intervalSeconds: 5, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 5 },
      deregistrationDelaySeconds: 5,
      faultInjection: true,
    },
    logRetentionDays: 1,
    onStackDelete: 'destroy',
    alarms: LOCAL_ALARM_TIMINGS,
    alerts: { inbox: true },
  },
  dev: {
    name: 'dev',
    prefix: 'zama-api-platform-dev',
    region: 'eu-west-3',
    network: SEED_NETWORK,
    ingress: SEED_INGRESS,
    service: {
      image: 'zama/api:latest',
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 2,
      minCount: 1,
      maxCount: 5,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
      targetHealthCheck: AWS_TARGET_HEALTH_CHECK,
      containerHealthCheck: SEED_CONTAINER_HEALTH_CHECK,
      deregistrationDelaySeconds: 30,
      faultInjection: false,
    },
    logRetentionDays: 7,
    onStackDelete: 'destroy',
    alarms: AWS_ALARM_TIMINGS,
    alerts: { email: 'platform-alerts@example.com', inbox: false },
  },
  prod: {
    name: 'prod',
    prefix: 'zama-api-platform-prod',
    region: 'eu-west-3',
    network: SEED_NETWORK,
    ingress: SEED_INGRESS,
    service: {
      image: 'zama/api:0.1.0',
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 2,
      minCount: 2,
      maxCount: 5,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
      targetHealthCheck: AWS_TARGET_HEALTH_CHECK,
      containerHealthCheck: SEED_CONTAINER_HEALTH_CHECK,
      deregistrationDelaySeconds: 300,
      faultInjection: false,
    },
    logRetentionDays: 30,
    onStackDelete: 'retain',
    alarms: AWS_ALARM_TIMINGS,
    alerts: { email: 'platform-alerts@example.com', inbox: false },
  },
};

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

/**
 * The profile chosen by `-c profile=<name>` (wins) or `PLATFORM_PROFILE`, else {@link DEFAULT_PROFILE}.
 * Throws a {@link ProfileError} naming the valid choices or every invalid value.
 */
export function selectProfile(contextValue: unknown, envValue: string | undefined): PlatformProfile {
  const requested = contextValue ?? (envValue?.trim() || undefined) ?? DEFAULT_PROFILE;
  if (typeof requested !== 'string' || !(PROFILE_NAMES as readonly string[]).includes(requested)) {
    throw new ProfileError(
      `Unknown profile ${JSON.stringify(requested)}: choose one of ${PROFILE_NAMES.join(', ')} ` +
        '(with -c profile=<name> or PLATFORM_PROFILE=<name>)',
    );
  }
  return validateProfile(PROFILES[requested as ProfileName]);
}

/** Returns the profile unchanged, or throws a {@link ProfileError} listing every problem. */
export function validateProfile(profile: PlatformProfile): PlatformProfile {
  const problems = [
    ...checkNames(profile),
    ...checkNetwork(profile.network),
    ...checkIngress(profile.ingress),
    ...checkService(profile.service),
    ...(profile.service.faultInjection && profile.name !== 'local'
      ? [
          'service.faultInjection lets any API key holder break the service; only the local profile may enable it',
        ]
      : []),
    ...checkAlarms(profile.alarms),
    ...(RETENTION_DAYS.includes(profile.logRetentionDays)
      ? []
      : [`logRetentionDays ${profile.logRetentionDays} is not one of ${RETENTION_DAYS.join(', ')}`]),
    ...(profile.alerts.email === undefined || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(profile.alerts.email)
      ? []
      : [`alerts.email ${JSON.stringify(profile.alerts.email)} is not an e-mail address`]),
  ];
  if (problems.length > 0) {
    throw new ProfileError(`Invalid profile "${profile.name}":\n  - ${problems.join('\n  - ')}`);
  }
  return profile;
}

/** The retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Fargate's valid task memory sizes (MiB) per CPU size. */
const FARGATE_MEMORY: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

function checkNames(profile: PlatformProfile): string[] {
  const problems: string[] = [];
  // `<prefix>-api-tg` names the target group, which may have at most 32 characters.
  if (!/^[a-z][a-z0-9-]{0,23}[a-z0-9]$/.test(profile.prefix)) {
    problems.push(
      `prefix ${JSON.stringify(profile.prefix)} must be 2-25 lower-case letters, digits or hyphens, starting with a letter`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(profile.region)) {
    problems.push(`region ${JSON.stringify(profile.region)} is not an AWS region name`);
  }
  return problems;
}

function checkNetwork(network: NetworkProfile): string[] {
  const problems: string[] = [];
  const vpc = parseCidr(network.vpcCidr);
  if (!vpc) return [`network.vpcCidr ${JSON.stringify(network.vpcCidr)} is not an IPv4 CIDR block`];
  if (network.availabilityZones < 2) {
    problems.push(
      `network.availabilityZones is ${network.availabilityZones}; a load balancer needs at least 2`,
    );
  }
  const subnets: Array<[string, Cidr]> = [];
  for (const [kind, cidrs] of [
    ['publicSubnetCidrs', network.publicSubnetCidrs],
    ['privateSubnetCidrs', network.privateSubnetCidrs],
  ] as const) {
    if (cidrs.length !== network.availabilityZones) {
      problems.push(
        `network.${kind} has ${cidrs.length} entries for ${network.availabilityZones} availability zones`,
      );
    }
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (!parsed) problems.push(`network.${kind}: ${JSON.stringify(cidr)} is not an IPv4 CIDR block`);
      else if (parsed.first < vpc.first || parsed.last > vpc.last) {
        problems.push(`network.${kind}: ${cidr} is outside the VPC ${network.vpcCidr}`);
      } else subnets.push([cidr, parsed]);
    }
  }
  for (const [i, [cidr, a]] of subnets.entries()) {
    for (const [other, b] of subnets.slice(i + 1)) {
      if (a.first <= b.last && b.first <= a.last)
        problems.push(`network: subnets ${cidr} and ${other} overlap`);
    }
  }
  if (!Number.isInteger(network.natGateways) || network.natGateways < 0) {
    problems.push(`network.natGateways must be a whole number >= 0, got ${network.natGateways}`);
  } else if (network.natGateways > network.availabilityZones) {
    problems.push(
      `network.natGateways is ${network.natGateways}, more than the ${network.availabilityZones} availability zones`,
    );
  }
  return problems;
}

function checkIngress(ingress: IngressProfile): string[] {
  return [
    ...ingress.kongKonnectCidrs.map((cidr) => ['ingress.kongKonnectCidrs', cidr] as const),
    ...ingress.adminCidrs.map((cidr) => ['ingress.adminCidrs', cidr] as const),
  ].flatMap(([field, cidr]) => {
    if (!parseCidr(cidr)) return [`${field}: ${JSON.stringify(cidr)} is not an IPv4 CIDR block`];
    if (cidr.endsWith('/0')) return [`${field}: ${cidr} would open the load balancer to the whole internet`];
    return [];
  });
}

function checkService(service: ServiceProfile): string[] {
  const problems: string[] = [];
  if (service.image.trim() === '') problems.push('service.image is empty');
  const memory = FARGATE_MEMORY[service.cpu];
  if (!memory) {
    problems.push(
      `service.cpu ${service.cpu} is not a Fargate size (${Object.keys(FARGATE_MEMORY).join(', ')})`,
    );
  } else if (!memory.includes(service.memoryMiB)) {
    problems.push(
      `service.memoryMiB ${service.memoryMiB} is not valid with cpu ${service.cpu} (${memory.join(', ')})`,
    );
  }
  const { minCount, desiredCount, maxCount } = service;
  if (!(minCount >= 1 && minCount <= desiredCount && desiredCount <= maxCount)) {
    problems.push(
      `service counts need 1 <= minCount <= desiredCount <= maxCount, got ${minCount}/${desiredCount}/${maxCount}`,
    );
  }
  for (const field of ['cpuTargetPercent', 'memoryTargetPercent'] as const) {
    if (!(service[field] > 0 && service[field] <= 100)) problems.push(`service.${field} must be in (0, 100]`);
  }
  const target = service.targetHealthCheck;
  if (!inRange(target.intervalSeconds, 5, 300))
    problems.push('service.targetHealthCheck.intervalSeconds: 5-300');
  if (!inRange(target.timeoutSeconds, 2, 120) || target.timeoutSeconds >= target.intervalSeconds) {
    problems.push('service.targetHealthCheck.timeoutSeconds: 2-120 and below the interval');
  }
  for (const field of ['healthyThreshold', 'unhealthyThreshold'] as const) {
    if (!inRange(target[field], 2, 10)) problems.push(`service.targetHealthCheck.${field}: 2-10`);
  }
  const container = service.containerHealthCheck;
  if (!inRange(container.intervalSeconds, 5, 300))
    problems.push('service.containerHealthCheck.intervalSeconds: 5-300');
  if (!inRange(container.timeoutSeconds, 2, 120) || container.timeoutSeconds >= container.intervalSeconds) {
    problems.push('service.containerHealthCheck.timeoutSeconds: 2-120 and below the interval');
  }
  if (!inRange(container.retries, 1, 10)) problems.push('service.containerHealthCheck.retries: 1-10');
  if (!inRange(container.startPeriodSeconds, 0, 300)) {
    problems.push('service.containerHealthCheck.startPeriodSeconds: 0-300');
  }
  if (!inRange(service.deregistrationDelaySeconds, 0, 3600)) {
    problems.push('service.deregistrationDelaySeconds: 0-3600');
  }
  return problems;
}

function checkAlarms(alarms: Readonly<Record<AlarmKey, AlarmTiming>>): string[] {
  return ALARM_KEYS.flatMap((key) => {
    const timing = alarms[key];
    if (!timing) return [`alarms.${key} is missing`];
    const { periodSeconds, evaluationPeriods } = timing;
    const problems: string[] = [];
    if (![10, 30].includes(periodSeconds) && !(periodSeconds >= 60 && periodSeconds % 60 === 0)) {
      problems.push(`alarms.${key}.periodSeconds ${periodSeconds} must be 10, 30 or a multiple of 60`);
    }
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      problems.push(`alarms.${key}.evaluationPeriods must be a whole number >= 1`);
    } else if (periodSeconds * evaluationPeriods > 86_400) {
      problems.push(`alarms.${key} evaluates more than one day of data (period x evaluation periods)`);
    }
    return problems;
  });
}

interface Cidr {
  readonly first: number;
  readonly last: number;
}

function parseCidr(cidr: string): Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((octet) => octet > 255) || bits > 32) return undefined;
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  // A CIDR block must start on its own boundary (10.0.1.0/24, not 10.0.1.5/24).
  if (address % size !== 0) return undefined;
  return { first: address, last: address + size - 1 };
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}
