/**
 * Deployment settings: what differs between two deployments of the same profile (the account,
 * who gets the alerts, the certificate, the allowed addresses, the image) and so is not written
 * in `profiles.ts`. Each comes from CDK context (`-c alertsEmail=...`, wins) or from the
 * environment (`ALERTS_EMAIL=...`): for the AWS profiles `bin/app.ts` copies the environment
 * into the context (the local profile takes `-c` only, so a shell's variables never change what
 * an emulator gets), and the stacks read the context only, so an in-process synthesis (the
 * tests) sees exactly the context it is given.
 */
import type { ImageReference, PlatformProfile } from './profiles';

export interface DeploymentSettings {
  /** Replaces the profile's prefix (e.g. a unique one for an integration test). */
  readonly prefix?: string;
  readonly account?: string;
  readonly alertsEmail?: string;
  readonly certificateArn?: string;
  readonly domainName?: string;
  readonly kongKonnectCidrs?: readonly string[];
  readonly adminCidrs?: readonly string[];
  /**
   * `<repository>[:<tag>][@sha256:<digest>]`: an existing image for the tasks instead of the API
   * image asset `cdk deploy` builds (prod takes one only with a digest).
   */
  readonly apiImage?: string;
}

export type SettingName = keyof DeploymentSettings;

export interface SettingSource {
  /** The CDK context key: `-c <context>=<value>`. */
  readonly context: string;
  /** The environment variable `bin/app.ts` reads when the context does not set it. */
  readonly env: string;
  /** The profile field it sets. */
  readonly field: string;
  /** What a value looks like, for messages. */
  readonly example: string;
}

export const SETTINGS: Readonly<Record<SettingName, SettingSource>> = {
  prefix: { context: 'prefix', env: 'PLATFORM_PREFIX', field: 'prefix', example: '<prefix>' },
  account: {
    context: 'account',
    env: 'PLATFORM_ACCOUNT',
    field: 'account',
    example: '<12-digit account id>',
  },
  alertsEmail: { context: 'alertsEmail', env: 'ALERTS_EMAIL', field: 'alerts.email', example: '<address>' },
  certificateArn: {
    context: 'certificateArn',
    env: 'CERTIFICATE_ARN',
    field: 'tls.certificateArn',
    example: 'arn:aws:acm:<region>:<account>:certificate/<id>',
  },
  domainName: {
    context: 'domainName',
    env: 'API_DOMAIN_NAME',
    field: 'tls.domainName',
    example: '<host name>',
  },
  kongKonnectCidrs: {
    context: 'kongKonnectCidrs',
    env: 'KONG_KONNECT_CIDRS',
    field: 'ingress.kongKonnectCidrs',
    example: '<cidr>[,<cidr>...]',
  },
  adminCidrs: {
    context: 'adminCidrs',
    env: 'ADMIN_CIDRS',
    field: 'ingress.adminCidrs',
    example: '<cidr>[,<cidr>...]',
  },
  apiImage: {
    context: 'apiImage',
    env: 'PLATFORM_API_IMAGE',
    field: 'service.image',
    example: '<repository>[:<tag>][@sha256:<digest>]',
  },
};

const LIST_SETTINGS: ReadonlySet<SettingName> = new Set(['kongKonnectCidrs', 'adminCidrs']);

/** ` (-c alertsEmail / ALERTS_EMAIL)`: where a setting comes from, appended to a message. */
export function settingSource(name: SettingName): string {
  const { context, env } = SETTINGS[name];
  return ` (-c ${context} / ${env})`;
}

/** `-c alertsEmail=<address> or ALERTS_EMAIL=<address>`: how to give a setting. */
export function howToSet(name: SettingName, example: string = SETTINGS[name].example): string {
  const { context, env } = SETTINGS[name];
  return `-c ${context}=${example} or ${env}=${example}`;
}

/**
 * The settings from a context lookup (e.g. `(key) => app.node.tryGetContext(key)`). A value is a
 * string, or for the address lists a comma-separated string or a list; blank means unset.
 */
export function readSettings(context: (key: string) => unknown): DeploymentSettings {
  const settings: Record<string, string | readonly string[]> = {};
  for (const [name, source] of Object.entries(SETTINGS) as Array<[SettingName, SettingSource]>) {
    const raw = context(source.context);
    if (raw === undefined || raw === null) continue;
    if (LIST_SETTINGS.has(name)) {
      const items = (Array.isArray(raw) ? raw.map(String) : String(raw).split(','))
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (items.length > 0) settings[name] = items;
    } else {
      const text = String(raw).trim();
      if (text !== '') settings[name] = text;
    }
  }
  return settings as DeploymentSettings;
}

/**
 * The context entries the environment provides for the settings the context does not already
 * set (the context wins).
 */
export function contextFromEnvironment(
  env: NodeJS.ProcessEnv,
  context: (key: string) => unknown,
): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const source of Object.values(SETTINGS)) {
    const value = env[source.env]?.trim();
    if (value && context(source.context) === undefined) entries[source.context] = value;
  }
  return entries;
}

/** The settings as context entries, e.g. for `synthesizePlatform(..., { context })` or `cdk -c`. */
export function settingsAsContext(settings: DeploymentSettings): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings) as Array<
    [SettingName, string | readonly string[] | undefined]
  >) {
    if (value !== undefined)
      context[SETTINGS[name].context] = typeof value === 'string' ? value : value.join(',');
  }
  return context;
}

/** `-c key=value` arguments for the CDK CLI. */
export function settingsAsCdkArguments(settings: DeploymentSettings): string[] {
  return Object.entries(settingsAsContext(settings)).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

/**
 * Parses `<repository>[:<tag>][@<digest>]`. Never throws: a malformed part is kept as written, for
 * the profile validation to report.
 */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const name = at < 0 ? reference : reference.slice(0, at);
  const digest = at < 0 ? undefined : reference.slice(at + 1);
  // A colon after the last slash starts the tag; one before it belongs to a registry's port.
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  return {
    repository: hasTag ? name.slice(0, colon) : name,
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** `repository@digest` when pinned, else `repository:tag` (`latest` by default). */
export function formatImageReference(image: ImageReference): string {
  return image.digest !== undefined
    ? `${image.repository}@${image.digest}`
    : `${image.repository}:${image.tag ?? 'latest'}`;
}

/** The profile with the settings applied; unset settings leave the profile's value. */
export function applySettings(profile: PlatformProfile, settings: DeploymentSettings): PlatformProfile {
  return {
    ...profile,
    ...(settings.prefix !== undefined ? { prefix: settings.prefix } : {}),
    ...(settings.account !== undefined ? { account: settings.account } : {}),
    ingress: {
      kongKonnectCidrs: settings.kongKonnectCidrs ?? profile.ingress.kongKonnectCidrs,
      adminCidrs: settings.adminCidrs ?? profile.ingress.adminCidrs,
    },
    tls: {
      ...profile.tls,
      ...(settings.certificateArn !== undefined ? { certificateArn: settings.certificateArn } : {}),
      ...(settings.domainName !== undefined ? { domainName: settings.domainName } : {}),
    },
    service: {
      ...profile.service,
      ...(settings.apiImage !== undefined ? { image: parseImageReference(settings.apiImage) } : {}),
    },
    alerts: {
      ...profile.alerts,
      ...(settings.alertsEmail !== undefined ? { email: settings.alertsEmail } : {}),
    },
  };
}

/**
 * Made-up settings for synthesizing dev and prod offline (tests, template checks, benchmarks):
 * an example.com address and a certificate ARN of a documentation account. Nothing applies them
 * unless asked to; never deploy with them.
 */
export const EXAMPLE_SETTINGS = {
  dev: { alertsEmail: 'platform-alerts@example.com' },
  prod: {
    alertsEmail: 'platform-alerts@example.com',
    certificateArn: 'arn:aws:acm:eu-west-3:111122223333:certificate/00000000-0000-4000-8000-000000000000',
  },
  local: {},
} as const satisfies Record<PlatformProfile['name'], DeploymentSettings>;
