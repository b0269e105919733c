/**
 * Environment profiles: every number and name that differs between the places the
 * platform runs. The stacks read nothing else but the deployment settings of `settings.ts`
 * (account, alerts e-mail, certificate, allowed addresses, image), which a profile can require.
 */
import {
  applySettings,
  type DeploymentSettings,
  formatImageReference,
  howToSet,
  settingSource,
} from './settings';

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
  /**
   * Remove every rule of the VPC's default security group (nothing here uses it). It takes a
   * Lambda-backed custom resource, which no emulator runs.
   */
  readonly restrictDefaultSecurityGroup: boolean;
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

/** Timing of the CPU and memory target-tracking policies. */
export interface ScalingProfile {
  /** After a scale-out, how long before the next one may start. */
  readonly scaleOutCooldownSeconds: number;
  /** After a scale-in, how long before the next one may start. */
  readonly scaleInCooldownSeconds: number;
  /**
   * Period of the AlarmHigh and AlarmLow alarms that the local data plane creates for each
   * policy, written into the template as the policies' metadata. On AWS, Application Auto
   * Scaling creates those alarms itself with one-minute periods and ignores the metadata.
   * @default - no metadata: the alarms have AWS's 60-second period
   */
  readonly localAlarmPeriodSeconds?: number;
}

export interface ContainerHealthCheckProfile {
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

/**
 * An existing image the tasks pull from its registry, instead of the image asset `cdk deploy`
 * builds. Setting: `-c apiImage=<repository>[:<tag>][@sha256:<digest>]` or `PLATFORM_API_IMAGE`.
 */
export interface ImageReference {
  /**
   * Registry and repository, e.g. `zama/api` (Docker Hub) or
   * `123456789012.dkr.ecr.eu-west-3.amazonaws.com/zama/api` (ECR: the execution role is then
   * allowed to pull from that repository).
   */
  readonly repository: string;
  /** @default 'latest' unless a digest is given */
  readonly tag?: string;
  /** `sha256:` and 64 hexadecimal digits: pins the image; wins over the tag. @default - none */
  readonly digest?: string;
}

export interface ServiceProfile {
  /**
   * An existing image for the tasks to pull. Setting: `-c apiImage=` or `PLATFORM_API_IMAGE`.
   * The local profile must name one (the locally built `zama/api:local`): emulators neither
   * build nor publish image assets.
   * @default - the API image asset: `cdk deploy` builds api/Dockerfile (the service bundled on
   * the host) and publishes it to the bootstrap ECR repository (lib/api-image.ts)
   */
  readonly image?: ImageReference;
  /**
   * Refuse a named `image` without a digest. A tag can be moved to other bytes and a digest
   * cannot, so with one a deploy, its rollback and every later scale-out run the same image.
   * The asset needs none: its tag is its content hash, in the bootstrap repository whose tags
   * are immutable.
   * @default false
   */
  readonly imageDigestRequired?: boolean;
  /** Fargate task CPU units (the API container gets all of it). */
  readonly cpu: number;
  /** Fargate task memory (the API container gets all of it). */
  readonly memoryMiB: number;
  /**
   * Tasks the service keeps at least, and starts with: auto scaling manages the count, so the
   * template has no DesiredCount (a deploy never resets a scaled-out service).
   */
  readonly minCount: number;
  readonly maxCount: number;
  readonly cpuTargetPercent: number;
  readonly memoryTargetPercent: number;
  readonly scaling: ScalingProfile;
  readonly targetHealthCheck: TargetHealthCheckProfile;
  readonly containerHealthCheck: ContainerHealthCheckProfile;
  readonly deregistrationDelaySeconds: number;
  /**
   * Gives the target group the fixed name `<prefix>-api-tg`. Only for an emulator: the local data
   * plane derives the target group's stand-in full name from it where LocalStack records only a
   * placeholder. On AWS the name is generated, so that a change of port or protocol, which
   * replaces a target group, can deploy.
   * @default false
   */
  readonly namedTargetGroup?: boolean;
  /**
   * Sets FAULT_INJECTION_ENABLED=true on the container, which lets anyone with an API key make a
   * task fail on purpose (PUT /_local/fault) so the end-to-end suites can exercise health checks
   * and alarms. Only the local profile may set it.
   */
  readonly faultInjection: boolean;
}

/** CloudWatch's treatments of missing data. */
export const MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type MissingData = (typeof MISSING_DATA)[number];

export interface AlarmTiming {
  /** 10 or 30 (high-resolution alarms) or a multiple of 60. */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** @default - the alarm's own (see `ALARM_DEFINITIONS` in service-alarms.ts) */
  readonly treatMissingData?: MissingData;
}

export interface AlertsProfile {
  /** Subscribed to the alerts topic when set. Setting: `-c alertsEmail=` or `ALERTS_EMAIL`. */
  readonly email?: string;
  /** Refuse to synthesize without `email`: on AWS an alarm must reach a person. */
  readonly requireEmail: boolean;
  /** Adds an SQS queue subscribed to the alerts topic that people and tests can read. */
  readonly inbox: boolean;
}

export interface TlsProfile {
  /**
   * ACM certificate, in the profile's region, of an HTTPS listener; the HTTP listener then only
   * redirects to it. Setting: `-c certificateArn=` or `CERTIFICATE_ARN`.
   * @default - HTTP only
   */
  readonly certificateArn?: string;
  /**
   * Host name the certificate covers and that resolves to the load balancer (a DNS record you
   * create): the API URL, and so Kong Konnect's upstream, use it. Setting: `-c domainName=` or
   * `API_DOMAIN_NAME`.
   * @default - the load balancer's DNS name
   */
  readonly domainName?: string;
  /** Refuse to synthesize without `certificateArn`. */
  readonly required: boolean;
}

export interface PlatformProfile {
  readonly name: ProfileName;
  /** Prefix of every physical name, e.g. `zama-api-platform-dev`. */
  readonly prefix: string;
  readonly region: string;
  /**
   * The AWS account the profile deploys to; `deploy:aws` refuses credentials of another one.
   * Setting: `-c account=` or `PLATFORM_ACCOUNT`.
   * @default - any account (the stacks are account-agnostic either way)
   */
  readonly account?: string;
  /** CloudFormation termination protection on every stack. */
  readonly terminationProtection: boolean;
  readonly network: NetworkProfile;
  readonly ingress: IngressProfile;
  readonly tls: TlsProfile;
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
  restrictDefaultSecurityGroup: true,
};

const SEED_INGRESS: IngressProfile = {
  kongKonnectCidrs: ['205.234.240.62/32'],
  adminCidrs: ['88.181.233.30/32'],
};

/** The seed's cooldowns: one minute out, five minutes in. */
const SEED_SCALING: ScalingProfile = { scaleOutCooldownSeconds: 60, scaleInCooldownSeconds: 300 };

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

/**
 * dev and prod differ from AWS_ALARM_TIMINGS in one place: how `low_request_count` reads a period
 * without data. The load balancer publishes no RequestCount at all while nobody calls it, so
 * "missing" is the very symptom the alarm is for; in dev, idle most of the time, it would sit in
 * ALARM, so there a missing period counts as OK and only a published count below 1 alarms.
 */
const DEV_ALARM_TIMINGS: Record<AlarmKey, AlarmTiming> = {
  ...AWS_ALARM_TIMINGS,
  low_request_count: { ...AWS_ALARM_TIMINGS.low_request_count, treatMissingData: 'notBreaching' },
};

export const PROFILES: Readonly<Record<ProfileName, PlatformProfile>> = {
  local: {
    name: 'local',
    prefix: 'zama-api-platform-local',
    // The emulators' default region.
    region: 'us-east-1',
    terminationProtection: false,
    // No NAT gateway: LocalStack's CloudFormation cannot create one and nothing routes locally.
    // The default security group stays as is: restricting it takes a Lambda no emulator runs.
    network: { ...SEED_NETWORK, natGateways: 0, restrictDefaultSecurityGroup: false },
    ingress: SEED_INGRESS,
    tls: { required: false },
    service: {
      // Built on this machine (api/scripts/build-image.sh); compose.yaml runs the same.
      image: { repository: 'zama/api', tag: 'local' },
      cpu: 256,
      memoryMiB: 512,
      // compose.yaml runs this many api tasks (localstack/test/compose-parity.test.ts).
      minCount: 2,
      maxCount: 3,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
      // Short enough that a scale-out shows within a minute and a scale-in within a few
      // (AlarmHigh: 3 periods of 10 s; AlarmLow: 15).
      scaling: { scaleOutCooldownSeconds: 20, scaleInCooldownSeconds: 30, localAlarmPeriodSeconds: 10 },
      targetHealthCheck: {
        intervalSeconds: 5,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
      containerHealthCheck: { intervalSeconds: 5, timeoutSeconds: 2, retries: 2, startPeriodSeconds: 5 },
      deregistrationDelaySeconds: 5,
      namedTargetGroup: true,
      faultInjection: true,
    },
    logRetentionDays: 1,
    onStackDelete: 'destroy',
    alarms: LOCAL_ALARM_TIMINGS,
    alerts: { requireEmail: false, inbox: true },
  },
  dev: {
    name: 'dev',
    prefix: 'zama-api-platform-dev',
    region: 'eu-west-3',
    terminationProtection: false,
    network: SEED_NETWORK,
    ingress: SEED_INGRESS,
    tls: { required: false },
    // No image: the tasks run the image asset `cdk deploy` builds from this repository.
    service: {
      cpu: 256,
      memoryMiB: 512,
      minCount: 1,
      maxCount: 5,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
      scaling: SEED_SCALING,
      targetHealthCheck: AWS_TARGET_HEALTH_CHECK,
      containerHealthCheck: SEED_CONTAINER_HEALTH_CHECK,
      deregistrationDelaySeconds: 30,
      faultInjection: false,
    },
    logRetentionDays: 7,
    onStackDelete: 'destroy',
    alarms: DEV_ALARM_TIMINGS,
    alerts: { requireEmail: true, inbox: false },
  },
  prod: {
    name: 'prod',
    prefix: 'zama-api-platform-prod',
    region: 'eu-west-3',
    terminationProtection: true,
    network: SEED_NETWORK,
    ingress: SEED_INGRESS,
    tls: { required: true },
    // The image asset unless the settings pin an existing image, which then needs its digest.
    service: {
      imageDigestRequired: true,
      cpu: 512,
      memoryMiB: 1024,
      minCount: 2,
      maxCount: 5,
      cpuTargetPercent: 70,
      memoryTargetPercent: 70,
      scaling: SEED_SCALING,
      targetHealthCheck: AWS_TARGET_HEALTH_CHECK,
      containerHealthCheck: SEED_CONTAINER_HEALTH_CHECK,
      deregistrationDelaySeconds: 300,
      faultInjection: false,
    },
    logRetentionDays: 30,
    onStackDelete: 'retain',
    alarms: AWS_ALARM_TIMINGS,
    alerts: { requireEmail: true, inbox: false },
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

/**
 * Returns the profile unchanged, or throws a {@link ProfileError} listing every problem of its
 * shape. What only deployment settings can give (an e-mail, a certificate) is checked by
 * {@link resolveProfile}.
 */
export function validateProfile(profile: PlatformProfile): PlatformProfile {
  return throwIfProblems(profile, shapeProblems(profile));
}

/**
 * The profile with the deployment settings applied, or a {@link ProfileError} listing every
 * problem, one line each, naming the setting to change.
 */
export function resolveProfile(profile: PlatformProfile, settings: DeploymentSettings = {}): PlatformProfile {
  const { resolved, problems } = checkProfile(profile, settings);
  return throwIfProblems(resolved, problems);
}

/** {@link resolveProfile} without throwing: the resolved profile and its problems. */
export function checkProfile(
  profile: PlatformProfile,
  settings: DeploymentSettings = {},
): { readonly resolved: PlatformProfile; readonly problems: readonly string[] } {
  const resolved = applySettings(profile, settings);
  return { resolved, problems: [...shapeProblems(resolved), ...requirementProblems(resolved)] };
}

function throwIfProblems(profile: PlatformProfile, problems: readonly string[]): PlatformProfile {
  if (problems.length > 0) {
    throw new ProfileError(`Invalid profile "${profile.name}":\n  - ${problems.join('\n  - ')}`);
  }
  return profile;
}

function shapeProblems(profile: PlatformProfile): string[] {
  return [
    ...checkNames(profile),
    ...checkNetwork(profile.network),
    ...checkIngress(profile.ingress),
    ...checkTls(profile),
    ...checkService(profile.service),
    ...checkImageSource(profile),
    ...(profile.service.faultInjection && profile.name !== 'local'
      ? [
          'service.faultInjection lets any API key holder break the service; only the local profile may enable it',
        ]
      : []),
    ...checkAlarms(profile.alarms),
    ...(RETENTION_DAYS.includes(profile.logRetentionDays)
      ? []
      : [`logRetentionDays ${profile.logRetentionDays} is not one of ${RETENTION_DAYS.join(', ')}`]),
    ...(profile.alerts.email === undefined || EMAIL.test(profile.alerts.email)
      ? []
      : [
          `alerts.email ${JSON.stringify(profile.alerts.email)} is not an e-mail address${settingSource('alertsEmail')}`,
        ]),
  ];
}

/** What a profile demands of the deployment settings. */
function requirementProblems(profile: PlatformProfile): string[] {
  return [
    ...(profile.alerts.requireEmail && profile.alerts.email === undefined
      ? [
          `alerts.email is required for the ${profile.name} profile, so that alarms reach a person: give it with ${howToSet('alertsEmail')}`,
        ]
      : []),
    ...(profile.tls.required && profile.tls.certificateArn === undefined
      ? [
          `tls.certificateArn is required for the ${profile.name} profile, whose load balancer serves HTTPS only: give an ACM certificate of ${profile.region} with ${howToSet('certificateArn', `arn:aws:acm:${profile.region}:<account>:certificate/<id>`)}`,
        ]
      : []),
  ];
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ACCOUNT = /^\d{12}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** A registry host (with an optional port) and path components, as Docker names them. */
const REPOSITORY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

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
      `prefix ${JSON.stringify(profile.prefix)} must be 2-25 lower-case letters, digits or hyphens, starting with a letter${settingSource('prefix')}`,
    );
  }
  if (profile.account !== undefined && !ACCOUNT.test(profile.account)) {
    problems.push(
      `account ${JSON.stringify(profile.account)} is not a 12-digit AWS account id${settingSource('account')}`,
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
    ...ingress.kongKonnectCidrs.map((cidr) => ['kongKonnectCidrs', cidr] as const),
    ...ingress.adminCidrs.map((cidr) => ['adminCidrs', cidr] as const),
  ].flatMap(([setting, cidr]) => {
    const field = `ingress.${setting}`;
    if (!parseCidr(cidr))
      return [`${field}: ${JSON.stringify(cidr)} is not an IPv4 CIDR block${settingSource(setting)}`];
    if (cidr.endsWith('/0'))
      return [
        `${field}: ${cidr} would open the load balancer to the whole internet${settingSource(setting)}`,
      ];
    return [];
  });
}

function checkTls({ tls, region, account }: PlatformProfile): string[] {
  const problems: string[] = [];
  if (tls.certificateArn !== undefined) {
    const match = CERTIFICATE_ARN.exec(tls.certificateArn);
    if (!match) {
      problems.push(
        `tls.certificateArn ${JSON.stringify(tls.certificateArn)} is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)${settingSource('certificateArn')}`,
      );
    } else if (match[1] !== region) {
      problems.push(
        `tls.certificateArn is a certificate of ${match[1]}, but the load balancer is in ${region} and needs one of its own region${settingSource('certificateArn')}`,
      );
    } else if (account !== undefined && match[2] !== account) {
      problems.push(
        `tls.certificateArn belongs to account ${match[2]}, not to the profile's account ${account}${settingSource('certificateArn')}`,
      );
    }
  }
  if (tls.domainName !== undefined) {
    if (!HOST_NAME.test(tls.domainName)) {
      problems.push(
        `tls.domainName ${JSON.stringify(tls.domainName)} is not a host name${settingSource('domainName')}`,
      );
    } else if (tls.certificateArn === undefined) {
      problems.push(
        `tls.domainName is only used with a certificate: give tls.certificateArn too (${howToSet('certificateArn')})`,
      );
    }
  }
  return problems;
}

function checkImage(image: ImageReference): string[] {
  const problems: string[] = [];
  const where = `service.image ${JSON.stringify(formatImageReference(image))}`;
  if (!REPOSITORY.test(image.repository)) {
    problems.push(
      `${where}: ${JSON.stringify(image.repository)} is not a repository name${settingSource('apiImage')}`,
    );
  }
  if (image.tag !== undefined && !TAG.test(image.tag)) {
    problems.push(`${where}: ${JSON.stringify(image.tag)} is not an image tag${settingSource('apiImage')}`);
  }
  if (image.digest !== undefined && !DIGEST.test(image.digest)) {
    problems.push(
      `${where}: ${JSON.stringify(image.digest)} is not an image digest (sha256: and 64 lower-case hexadecimal digits)${settingSource('apiImage')}`,
    );
  }
  return problems;
}

/** Where the tasks' image comes from: what the profile allows of a named image or the asset. */
function checkImageSource({ name, service }: PlatformProfile): string[] {
  const { image } = service;
  if (image === undefined) {
    return name === 'local'
      ? [
          `service.image is required for the local profile: emulators neither build nor publish image assets, so its tasks run a locally built image (zama/api:local)`,
        ]
      : [];
  }
  if (service.imageDigestRequired === true && image.digest === undefined) {
    return [
      `service.image ${JSON.stringify(formatImageReference(image))} has no digest; the ${name} profile runs a named image only pinned by its digest, so that a deploy and its rollback run the same bytes: give ${howToSet('apiImage', '<repository>@sha256:<digest>')}, or leave it unset to deploy the image asset cdk deploy builds`,
    ];
  }
  return [];
}

function checkService(service: ServiceProfile): string[] {
  const problems: string[] = [];
  if (service.image !== undefined) problems.push(...checkImage(service.image));
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
  const { minCount, maxCount } = service;
  if (!(Number.isInteger(minCount) && Number.isInteger(maxCount) && minCount >= 1 && minCount <= maxCount)) {
    problems.push(
      `service counts need 1 <= minCount <= maxCount (whole numbers), got ${minCount}/${maxCount}`,
    );
  }
  for (const field of ['cpuTargetPercent', 'memoryTargetPercent'] as const) {
    if (!(service[field] > 0 && service[field] <= 100)) problems.push(`service.${field} must be in (0, 100]`);
  }
  const { scaleOutCooldownSeconds, scaleInCooldownSeconds, localAlarmPeriodSeconds } = service.scaling;
  // Application Auto Scaling accepts cooldowns of 0 to 31536000 seconds (one year).
  for (const [field, value] of Object.entries({ scaleOutCooldownSeconds, scaleInCooldownSeconds })) {
    if (!inRange(value, 0, 31_536_000)) problems.push(`service.scaling.${field}: 0-31536000`);
  }
  if (localAlarmPeriodSeconds !== undefined && !isAlarmPeriod(localAlarmPeriodSeconds)) {
    problems.push('service.scaling.localAlarmPeriodSeconds: 10, 30 or a multiple of 60');
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
    const { periodSeconds, evaluationPeriods, treatMissingData } = timing;
    const problems: string[] = [];
    if (treatMissingData !== undefined && !MISSING_DATA.includes(treatMissingData)) {
      problems.push(`alarms.${key}.treatMissingData must be one of ${MISSING_DATA.join(', ')}`);
    }
    if (!isAlarmPeriod(periodSeconds)) {
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

/** CloudWatch's alarm periods: 10 or 30 seconds (high resolution) or a multiple of 60. */
function isAlarmPeriod(seconds: number): boolean {
  return [10, 30].includes(seconds) || (seconds >= 60 && seconds % 60 === 0);
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}
