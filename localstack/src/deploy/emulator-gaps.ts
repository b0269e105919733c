/**
 * What an emulator's CloudFormation leaves out of a deploy, and the filling of those gaps
 * through the service APIs: CloudWatch alarms and dashboards, CloudWatch Logs metric filters,
 * SNS subscriptions and Secrets Manager secrets, each created from the synthesized templates with
 * every reference evaluated against what the emulator really created (see
 * `localstack/src/deployed-values.ts`, which the local data plane resolves its names with too).
 * Each filler compares with what the service reports and only creates what is missing and
 * corrects what differs, so running it again changes nothing.
 */
import { type CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  type MetricAlarm,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  type MetricFilter,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import {
  describeResource,
  type ResourceRef,
  resourcesOfType,
  type SynthesizedStack,
} from '../cloud-assembly';
import { metricFiltersOf, subscriptionsOf, type TemplateMetricFilter } from '../deployed-names';
import { DeployedValues, PLACEHOLDER_PHYSICAL_ID, readDeployment } from '../deployed-values';
import { type EmulatorClientConfig, emulatorClients } from '../emulator-clients';

/** `GenerateSecretString` of an `AWS::SecretsManager::Secret`. */
export interface GenerateSecretString {
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
}

/** The secret string CloudFormation would store: the template with the generated value at its key. */
export function composeSecretString(generate: GenerateSecretString, generated: string): string {
  if (generate.SecretStringTemplate === undefined) return generated;
  if (generate.GenerateStringKey === undefined) {
    throw new Error('GenerateSecretString has a SecretStringTemplate but no GenerateStringKey');
  }
  const template = JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [generate.GenerateStringKey]: generated });
}

export interface EmulatorGaps {
  /** Types of resources the emulator skipped, with counts. */
  readonly skipped: Map<string, number>;
  /** Types of resources the emulator recorded as placeholders, with counts. */
  readonly placeholders: Map<string, number>;
}

/** What of a stack's template the emulator did not really create. */
export async function emulatorGaps(
  cloudFormation: CloudFormationClient,
  stack: SynthesizedStack,
): Promise<EmulatorGaps> {
  const { StackResources = [] } = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: stack.stackName }),
  );
  const physicalIds = new Map(
    StackResources.map((resource) => [resource.LogicalResourceId, resource.PhysicalResourceId]),
  );
  const gaps: EmulatorGaps = { skipped: new Map(), placeholders: new Map() };
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    const counts = !physicalIds.has(logicalId)
      ? gaps.skipped
      : physicalIds.get(logicalId) === PLACEHOLDER_PHYSICAL_ID
        ? gaps.placeholders
        : undefined;
    counts?.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  }
  return gaps;
}

/** What filling one resource type's gaps did. */
export interface FilledGaps {
  readonly type: string;
  /** The API call that fills them. */
  readonly call: string;
  readonly created: string[];
  /** Names of existing resources that differed from the template, with the differing fields. */
  readonly corrected: string[];
  /** How many already were as the templates define them. */
  readonly unchanged: number;
}

/**
 * Creates or corrects, through the service APIs, the alarms, dashboards, metric filters,
 * subscriptions and secrets of the templates that the emulator lacks or has wrong.
 */
export async function fillEmulatorGaps(
  stacks: readonly SynthesizedStack[],
  config: EmulatorClientConfig,
): Promise<FilledGaps[]> {
  const secrets = await createMissingSecrets(new SecretsManagerClient(config), stacks);
  const values = new DeployedValues(await readDeployment(stacks, emulatorClients(config)));
  return [
    secrets,
    await fillAlarms(new CloudWatchClient(config), alarmsOf(stacks, values)),
    await fillDashboards(new CloudWatchClient(config), dashboardsOf(stacks, values)),
    await fillMetricFilters(new CloudWatchLogsClient(config), metricFiltersOf(stacks, values)),
    await fillSubscriptions(new SNSClient(config), resolvedSubscriptions(stacks, values)),
  ];
}

/** One line: what was created or corrected through which call, and what already was right. */
export function describeFill({ type, call, created, corrected, unchanged }: FilledGaps): string {
  const done = [
    ...(created.length > 0 ? [`created ${created.length}`] : []),
    ...(corrected.length > 0 ? [`corrected ${corrected.length} (${corrected.join('; ')})`] : []),
  ];
  return done.length > 0
    ? `${type}: ${done.join(', ')} through ${call}; ${unchanged} already as the templates define`
    : `${type}: all ${unchanged} already as the templates define`;
}

/** The PutMetricAlarm parameters, which are also the `AWS::CloudWatch::Alarm` properties. */
const ALARM_PROPERTIES = [
  'AlarmName',
  'AlarmDescription',
  'ActionsEnabled',
  'OKActions',
  'AlarmActions',
  'InsufficientDataActions',
  'MetricName',
  'Namespace',
  'Statistic',
  'ExtendedStatistic',
  'Dimensions',
  'Period',
  'Unit',
  'EvaluationPeriods',
  'DatapointsToAlarm',
  'Threshold',
  'ComparisonOperator',
  'TreatMissingData',
  'EvaluateLowSampleCountPercentile',
  'Metrics',
  'Tags',
  'ThresholdMetricId',
] as const satisfies readonly (keyof PutMetricAlarmCommandInput)[];

/** Every `AWS::CloudWatch::Alarm` of the templates as PutMetricAlarm parameters, evaluated. */
export function alarmsOf(
  stacks: readonly SynthesizedStack[],
  values: DeployedValues,
): PutMetricAlarmCommandInput[] {
  return namedResources(stacks, 'AWS::CloudWatch::Alarm', 'AlarmName', 'an alarm').map(({ ref }) => {
    const present = ALARM_PROPERTIES.filter((name) => ref.resource.Properties?.[name] !== undefined);
    return Object.fromEntries(
      present.map((name) => [name, values.property(ref, name)]),
    ) as unknown as PutMetricAlarmCommandInput;
  });
}

/**
 * The resources of a type, each with its literal name: the filler finds them by that name
 * outside CloudFormation, so a generated one could not be found again.
 */
function namedResources(
  stacks: readonly SynthesizedStack[],
  type: string,
  nameProperty: string,
  what: string,
): Array<{ ref: ResourceRef; name: string }> {
  return resourcesOfType(stacks, type).map((ref) => {
    const name = ref.resource.Properties?.[nameProperty];
    if (typeof name !== 'string') {
      throw new Error(
        `${describeResource(ref)}: ${what} needs a literal ${nameProperty} to be created outside CloudFormation`,
      );
    }
    return { ref, name };
  });
}

/** An `AWS::CloudWatch::Dashboard` as PutDashboard takes it. */
export interface ResolvedDashboard {
  readonly DashboardName: string;
  /** The body's JSON, every reference in it evaluated. */
  readonly DashboardBody: string;
}

/** Every `AWS::CloudWatch::Dashboard` of the templates, its body evaluated against the emulator. */
export function dashboardsOf(
  stacks: readonly SynthesizedStack[],
  values: DeployedValues,
): ResolvedDashboard[] {
  return namedResources(stacks, 'AWS::CloudWatch::Dashboard', 'DashboardName', 'a dashboard').map(
    ({ ref, name }) => ({ DashboardName: name, DashboardBody: values.text(ref, 'DashboardBody') }),
  );
}

/**
 * LocalStack's CloudFormation only records a dashboard as a placeholder, so GetDashboard knows
 * nothing of it; moto's creates it. Puts each dashboard that is missing or whose body differs
 * (compared as JSON, so that key order and spacing do not count).
 */
export async function fillDashboards(
  cloudWatch: CloudWatchClient,
  dashboards: readonly ResolvedDashboard[],
): Promise<FilledGaps> {
  const filled = emptyFill('AWS::CloudWatch::Dashboard', 'PutDashboard');
  for (const dashboard of dashboards) {
    const existing = await existingDashboardBody(cloudWatch, dashboard.DashboardName);
    if (
      existing !== undefined &&
      canonical(JSON.parse(existing)) === canonical(JSON.parse(dashboard.DashboardBody))
    ) {
      filled.unchanged += 1;
      continue;
    }
    await cloudWatch.send(new PutDashboardCommand(dashboard));
    if (existing === undefined) filled.created.push(dashboard.DashboardName);
    else filled.corrected.push(`${dashboard.DashboardName} (DashboardBody)`);
  }
  return filled;
}

/** The body GetDashboard returns, or undefined when there is no such dashboard. */
async function existingDashboardBody(
  cloudWatch: CloudWatchClient,
  name: string,
): Promise<string | undefined> {
  try {
    const { DashboardBody } = await cloudWatch.send(new GetDashboardCommand({ DashboardName: name }));
    return DashboardBody;
  } catch (error) {
    if (isNoSuchDashboard(error)) return undefined;
    throw error;
  }
}

/**
 * Whether GetDashboard's error says there is no such dashboard: CloudWatch's
 * DashboardNotFoundError (ResourceNotFound); LocalStack answers InvalidParameterValue,
 * "Dashboard <name> does not exist." (docs/emulators.md).
 */
export function isNoSuchDashboard(error: unknown): boolean {
  const { name, message } = error as Error;
  return /NotFound/i.test(name) || (/InvalidParameterValue/.test(name) && /does not exist/.test(message));
}

/** What CloudWatch assumes for an alarm property left out. */
const ALARM_DEFAULTS: Partial<Record<keyof MetricAlarm, unknown>> = {
  ActionsEnabled: true,
  OKActions: [],
  AlarmActions: [],
  InsufficientDataActions: [],
  Dimensions: [],
  TreatMissingData: 'missing',
};

/** Order carries no meaning in these lists. */
const UNORDERED: ReadonlySet<string> = new Set([
  'OKActions',
  'AlarmActions',
  'InsufficientDataActions',
  'Dimensions',
]);

/**
 * The properties of an existing alarm that differ from the template's (tags are left out:
 * DescribeAlarms does not return them).
 */
export function alarmDifferences(wanted: PutMetricAlarmCommandInput, existing: MetricAlarm): string[] {
  return ALARM_PROPERTIES.filter((name) => name !== 'AlarmName' && name !== 'Tags').filter((name) => {
    const want = wanted[name] ?? ALARM_DEFAULTS[name];
    if (want === undefined) return false;
    const have = existing[name] ?? ALARM_DEFAULTS[name];
    return canonical(want, UNORDERED.has(name)) !== canonical(have, UNORDERED.has(name));
  });
}

export async function fillAlarms(
  cloudWatch: CloudWatchClient,
  alarms: readonly PutMetricAlarmCommandInput[],
): Promise<FilledGaps> {
  const filled = emptyFill('AWS::CloudWatch::Alarm', 'PutMetricAlarm');
  const existing = await describeAlarms(
    cloudWatch,
    alarms.map((alarm) => alarm.AlarmName as string),
  );
  for (const alarm of alarms) {
    const name = alarm.AlarmName as string;
    const current = existing.get(name);
    const differences = current ? alarmDifferences(alarm, current) : [];
    if (current && differences.length === 0) {
      filled.unchanged += 1;
      continue;
    }
    // Replaces an alarm of that name whole, and resets its state: only done when needed.
    await cloudWatch.send(new PutMetricAlarmCommand(alarm));
    if (current) filled.corrected.push(`${name} (${differences.join(', ')})`);
    else filled.created.push(name);
  }
  return filled;
}

async function describeAlarms(
  cloudWatch: CloudWatchClient,
  names: readonly string[],
): Promise<Map<string, MetricAlarm>> {
  const alarms = new Map<string, MetricAlarm>();
  // DescribeAlarms takes at most 100 names a call.
  for (let start = 0; start < names.length; start += 100) {
    let NextToken: string | undefined;
    do {
      const page = await cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: names.slice(start, start + 100), NextToken }),
      );
      for (const alarm of page.MetricAlarms ?? []) {
        if (alarm.AlarmName) alarms.set(alarm.AlarmName, alarm);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return alarms;
}

/** The fields of an existing metric filter that differ from the template's. */
export function metricFilterDifferences(wanted: TemplateMetricFilter, existing: MetricFilter): string[] {
  const transformations = (filter: Pick<MetricFilter, 'metricTransformations'>) =>
    (filter.metricTransformations ?? []).map(
      ({ metricName, metricNamespace, metricValue, defaultValue, unit, dimensions }) => ({
        metricName,
        metricNamespace,
        metricValue,
        defaultValue,
        unit,
        dimensions: dimensions && Object.keys(dimensions).length > 0 ? dimensions : undefined,
      }),
    );
  return [
    ...(wanted.filterPattern === (existing.filterPattern ?? '') ? [] : ['filterPattern']),
    ...(canonical(transformations(wanted)) === canonical(transformations(existing))
      ? []
      : ['metricTransformations']),
  ];
}

export async function fillMetricFilters(
  logs: CloudWatchLogsClient,
  filters: readonly TemplateMetricFilter[],
): Promise<FilledGaps> {
  const filled = emptyFill('AWS::Logs::MetricFilter', 'PutMetricFilter');
  for (const filter of filters) {
    const { metricFilters = [] } = await logs.send(
      new DescribeMetricFiltersCommand({
        logGroupName: filter.logGroupName,
        filterNamePrefix: filter.filterName,
      }),
    );
    const current = metricFilters.find((candidate) => candidate.filterName === filter.filterName);
    const differences = current ? metricFilterDifferences(filter, current) : [];
    if (current && differences.length === 0) {
      filled.unchanged += 1;
      continue;
    }
    await logs.send(new PutMetricFilterCommand(filter));
    if (current) filled.corrected.push(`${filter.filterName} (${differences.join(', ')})`);
    else filled.created.push(filter.filterName);
  }
  return filled;
}

/** A subscription of the templates, evaluated. */
export interface ResolvedSubscription {
  readonly source: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  /** As SetSubscriptionAttributes takes them: JSON policies and booleans as strings. */
  readonly attributes: Record<string, string>;
}

export function resolvedSubscriptions(
  stacks: readonly SynthesizedStack[],
  values: DeployedValues,
): ResolvedSubscription[] {
  return subscriptionsOf(stacks).map(({ source, stack, topicArn, protocol, endpoint, attributes }) => ({
    source,
    topicArn: values.resolveText(topicArn, stack, `${source}.TopicArn`),
    protocol: values.resolveText(protocol, stack, `${source}.Protocol`),
    endpoint: values.resolveText(endpoint, stack, `${source}.Endpoint`),
    attributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => {
        const resolved = values.resolve(value, stack, `${source}.${name}`);
        return [name, typeof resolved === 'object' ? JSON.stringify(resolved) : String(resolved)];
      }),
    ),
  }));
}

/** The subscriptions no existing subscription of their topic matches by protocol and endpoint. */
export function missingSubscriptions(
  wanted: readonly ResolvedSubscription[],
  existing: readonly Subscription[],
): ResolvedSubscription[] {
  return wanted.filter(
    (subscription) =>
      !existing.some(
        (candidate) =>
          candidate.TopicArn === subscription.topicArn &&
          candidate.Protocol === subscription.protocol &&
          candidate.Endpoint === subscription.endpoint,
      ),
  );
}

export async function fillSubscriptions(
  sns: SNSClient,
  subscriptions: readonly ResolvedSubscription[],
): Promise<FilledGaps> {
  const existing: Subscription[] = [];
  for (const topicArn of new Set(subscriptions.map((subscription) => subscription.topicArn))) {
    let NextToken: string | undefined;
    do {
      const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
      existing.push(...(page.Subscriptions ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  }
  const missing = missingSubscriptions(subscriptions, existing);
  for (const { topicArn, protocol, endpoint, attributes } of missing) {
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: protocol,
        Endpoint: endpoint,
        Attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
        ReturnSubscriptionArn: true,
      }),
    );
  }
  return {
    type: 'AWS::SNS::Subscription',
    call: 'Subscribe',
    created: missing.map(({ protocol, endpoint }) => `${protocol}:${endpoint}`),
    corrected: [],
    unchanged: subscriptions.length - missing.length,
  };
}

function emptyFill(type: string, call: string): FilledGaps & { unchanged: number } {
  return { type, call, created: [], corrected: [], unchanged: 0 };
}

/** JSON with sorted keys (and, when `unordered`, sorted list items), to compare values. */
function canonical(value: unknown, unordered = false): string {
  const sortKeys = (item: unknown): unknown =>
    Array.isArray(item)
      ? item.map(sortKeys)
      : typeof item === 'object' && item !== null
        ? Object.fromEntries(
            Object.entries(item)
              .filter(([, entry]) => entry !== undefined)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([key, entry]) => [key, sortKeys(entry)]),
          )
        : item;
  const sorted = sortKeys(value);
  return unordered && Array.isArray(sorted)
    ? JSON.stringify(sorted.map((item) => JSON.stringify(item)).sort())
    : JSON.stringify(sorted);
}

/**
 * Creates, through the Secrets Manager API, every secret of the templates that does not exist,
 * with a value generated the way the template asks. An existing secret keeps its value.
 */
export async function createMissingSecrets(
  secretsManager: SecretsManagerClient,
  stacks: readonly SynthesizedStack[],
): Promise<FilledGaps> {
  const filled = emptyFill('AWS::SecretsManager::Secret', 'CreateSecret');
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      const properties = resource.Properties ?? {};
      const name = properties.Name;
      if (typeof name !== 'string') {
        throw new Error(
          `${stack.stackName}/${logicalId}: a secret needs a literal Name to be created outside CloudFormation`,
        );
      }
      if (await secretExists(secretsManager, name)) {
        filled.unchanged += 1;
        continue;
      }
      const generate = properties.GenerateSecretString as GenerateSecretString | undefined;
      const secretString = generate
        ? composeSecretString(generate, await randomPassword(secretsManager, generate))
        : properties.SecretString;
      if (typeof secretString !== 'string') {
        throw new Error(
          `${stack.stackName}/${logicalId}: neither GenerateSecretString nor a literal SecretString`,
        );
      }
      await secretsManager.send(
        new CreateSecretCommand({
          Name: name,
          Description: typeof properties.Description === 'string' ? properties.Description : undefined,
          SecretString: secretString,
          Tags: (properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.filter(
            (tag) => typeof tag.Value === 'string',
          ),
        }),
      );
      filled.created.push(name);
    }
  }
  return filled;
}

async function secretExists(secretsManager: SecretsManagerClient, name: string): Promise<boolean> {
  try {
    await secretsManager.send(new DescribeSecretCommand({ SecretId: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

async function randomPassword(
  secretsManager: SecretsManagerClient,
  generate: GenerateSecretString,
): Promise<string> {
  const { RandomPassword } = await secretsManager.send(
    new GetRandomPasswordCommand({
      PasswordLength: generate.PasswordLength,
      ExcludeCharacters: generate.ExcludeCharacters,
      ExcludeLowercase: generate.ExcludeLowercase,
      ExcludeNumbers: generate.ExcludeNumbers,
      ExcludePunctuation: generate.ExcludePunctuation,
      ExcludeUppercase: generate.ExcludeUppercase,
      IncludeSpace: generate.IncludeSpace,
      RequireEachIncludedType: generate.RequireEachIncludedType,
    }),
  );
  if (!RandomPassword) throw new Error('GetRandomPassword returned no password');
  return RandomPassword;
}
