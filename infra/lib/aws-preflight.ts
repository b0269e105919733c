/**
 * What `npm run diff:aws` / `npm run deploy:aws` (bin/aws.ts) check before the CDK CLI runs:
 * the profile and its deployment settings, the credentials (their region and account against
 * the profile's, the bootstrap stack) and, for one stack alone, that the stacks it needs are
 * deployed. Every problem is one line naming what to change; nothing is deployed when there is
 * one. Separate from aws.ts so that the tests can call it.
 */
import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { checkProfile, type PlatformProfile, PROFILES, type ProfileName } from './profiles';
import { contextFromEnvironment, type DeploymentSettings, readSettings } from './settings';
import { MODULES, type Module } from './synthesize';

/** The stacks each stack imports from or reads by name (lib/platform.ts; a test keeps them equal). */
export const STACK_DEPENDENCIES: Readonly<Record<Module, readonly Module[]>> = {
  networking: [],
  secrets: [],
  observability: ['networking'],
  compute: ['networking', 'secrets', 'observability'],
};

export const APPROVALS = ['never', 'broadening', 'any-change'] as const;
export type Approval = (typeof APPROVALS)[number];

export interface AwsCommand {
  readonly action: 'diff' | 'deploy';
  readonly profileName: ProfileName;
  /** Empty: every stack. */
  readonly stacks: readonly Module[];
  readonly approval: Approval;
  /** Passed to the CLI as given (e.g. `-c alertsEmail=...`). */
  readonly cdkArguments: readonly string[];
  /** From the environment and `-c` arguments, the latter winning. */
  readonly settings: DeploymentSettings;
}

/**
 * `aws.ts <diff|deploy> [<stack>...] [<cdk arguments>]`, with `STACK` (comma-separated stacks),
 * `PLATFORM_PROFILE` (dev or prod, default dev) and `APPROVAL` (never, broadening, any-change;
 * default never when `CI` is set, else the CLI's broadening) from the environment.
 */
export function parseAwsCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { command?: AwsCommand; problems: string[] } {
  const problems: string[] = [];
  const [action, ...rest] = argv;
  if (action !== 'diff' && action !== 'deploy') {
    return { problems: [`usage: aws.ts diff|deploy [${MODULES.join('|')} ...] [cdk arguments]`] };
  }
  const firstOption = rest.findIndex((arg) => arg.startsWith('-'));
  const positional = firstOption < 0 ? rest : rest.slice(0, firstOption);
  const cdkArguments = firstOption < 0 ? [] : rest.slice(firstOption);
  const requested = [
    ...positional,
    ...(env.STACK ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  ];
  const stacks: Module[] = [];
  for (const name of requested) {
    if ((MODULES as readonly string[]).includes(name)) {
      if (!stacks.includes(name as Module)) stacks.push(name as Module);
    } else problems.push(`STACK: "${name}" is not a stack; choose from ${MODULES.join(', ')}`);
  }

  const contextArguments = contextOf(cdkArguments);
  const profileName = (contextArguments.profile ?? env.PLATFORM_PROFILE?.trim()) || 'dev';
  if (profileName === 'local') {
    problems.push('PLATFORM_PROFILE: local deploys into an emulator: use `make deploy-local`');
  } else if (!(['dev', 'prod'] as const).includes(profileName as 'dev')) {
    problems.push(`PLATFORM_PROFILE: "${profileName}" is not an AWS profile; choose dev or prod`);
  }

  const ci = env.CI !== undefined && !['', '0', 'false'].includes(env.CI.trim().toLowerCase());
  const approvalValue = env.APPROVAL?.trim() || (ci ? 'never' : 'broadening');
  if (!(APPROVALS as readonly string[]).includes(approvalValue)) {
    problems.push(`APPROVAL: "${approvalValue}" is not one of ${APPROVALS.join(', ')}`);
  }

  const lookup = (key: string) => contextArguments[key];
  const settings = readSettings((key) => lookup(key) ?? contextFromEnvironment(env, lookup)[key]);
  if (problems.length > 0) return { problems };
  return {
    problems,
    command: {
      action,
      profileName: profileName as ProfileName,
      stacks,
      approval: approvalValue as Approval,
      cdkArguments,
      settings,
    },
  };
}

/** `-c key=value` / `--context key=value` / `--context=key=value` arguments as a map. */
function contextOf(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const inline = /^--context=(.*)$/.exec(arg)?.[1];
    const pair = inline ?? (arg === '-c' || arg === '--context' ? args[++i] : undefined);
    const match = pair === undefined ? null : /^([^=]+)=(.*)$/.exec(pair);
    if (match) context[match[1] as string] = match[2] as string;
  }
  return context;
}

/** What the credentials and the account tell about a deploy of `profile`. */
export interface AccountFacts {
  /** The region the SDK resolves (AWS_REGION, AWS_DEFAULT_REGION, the shared config), if any. */
  readonly configuredRegion?: string;
  /** Why no credentials could be loaded, if so. */
  readonly credentialsError?: string;
  /** The account of the bootstrap stack in the profile's region, when it exists. */
  readonly bootstrapAccount?: string;
  /** Stack names deployed and complete in the profile's region. */
  readonly deployedStacks: ReadonlySet<string>;
}

/** One line per problem of a deploy of `stacks` (empty: all) with these credentials. */
export function accountProblems(
  profile: PlatformProfile,
  stacks: readonly Module[],
  facts: AccountFacts,
): string[] {
  if (facts.credentialsError !== undefined) {
    return [
      `AWS credentials: none found (${facts.credentialsError}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the ${profile.name} account`,
    ];
  }
  const problems: string[] = [];
  if (facts.configuredRegion !== undefined && facts.configuredRegion !== profile.region) {
    problems.push(
      `AWS_REGION: your credentials point at ${facts.configuredRegion}, but the ${profile.name} profile deploys to ${profile.region}: set AWS_REGION=${profile.region} (or unset it)`,
    );
  }
  if (facts.bootstrapAccount === undefined) {
    problems.push(
      `CDKToolkit: the account of your credentials is not bootstrapped in ${profile.region}: run \`npx cdk bootstrap aws://unknown-account/${profile.region}\` once, from the repository root (no app to synthesize there)`,
    );
  } else if (profile.account !== undefined && facts.bootstrapAccount !== profile.account) {
    problems.push(
      `account: your credentials are for account ${facts.bootstrapAccount}, but the ${profile.name} profile deploys to ${profile.account} (-c account / PLATFORM_ACCOUNT): use credentials of ${profile.account}`,
    );
  }
  const needed = new Set(stacks.flatMap((stack) => STACK_DEPENDENCIES[stack]));
  for (const dependency of MODULES.filter((module) => needed.has(module) && !stacks.includes(module))) {
    const name = `${profile.prefix}-${dependency}`;
    if (!facts.deployedStacks.has(name)) {
      problems.push(
        `STACK: ${stacks.join(', ')} needs ${name}, which is not deployed in ${profile.region}: deploy it first (make deploy-aws STACK=${dependency})`,
      );
    }
  }
  return problems;
}

/** Reads the {@link AccountFacts} with the SDK's default credentials. */
export async function readAccountFacts(
  profile: PlatformProfile,
  config: CloudFormationClientConfig = {},
): Promise<AccountFacts> {
  const configured = new CloudFormationClient(config);
  let configuredRegion: string | undefined;
  try {
    configuredRegion = await configured.config.region();
  } catch {
    // No region configured: the stacks name theirs.
  }
  try {
    await configured.config.credentials();
  } catch (error) {
    return { configuredRegion, credentialsError: (error as Error).message, deployedStacks: new Set() };
  }
  const cloudFormation = new CloudFormationClient({ ...config, region: profile.region });
  const stackId = async (stackName: string) => {
    try {
      const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = Stacks[0];
      const complete = stack?.StackStatus?.endsWith('_COMPLETE') && !stack.StackStatus.startsWith('DELETE');
      return complete ? stack?.StackId : undefined;
    } catch (error) {
      if ((error as Error).name === 'ValidationError') return undefined; // "does not exist"
      throw error;
    }
  };
  // arn:aws:cloudformation:<region>:<account>:stack/CDKToolkit/<id>
  const bootstrapAccount = (await stackId('CDKToolkit'))?.split(':')[4];
  const deployedStacks = new Set<string>();
  for (const module of MODULES) {
    const name = `${profile.prefix}-${module}`;
    if (await stackId(name)) deployedStacks.add(name);
  }
  return { configuredRegion, bootstrapAccount, deployedStacks };
}

/** Every problem of the command, without contacting AWS when the configuration alone fails. */
export async function preflight(
  command: AwsCommand,
  readFacts: (profile: PlatformProfile) => Promise<AccountFacts> = readAccountFacts,
): Promise<{ profile: PlatformProfile; problems: string[] }> {
  const { resolved, problems } = checkProfile(PROFILES[command.profileName], command.settings);
  const facts = await readFacts(resolved);
  return { profile: resolved, problems: [...problems, ...accountProblems(resolved, command.stacks, facts)] };
}

/** The CDK CLI arguments of the command. */
export function cdkArgumentsOf(command: AwsCommand, profile: PlatformProfile): string[] {
  const selection =
    command.stacks.length === 0
      ? ['--all']
      : [...command.stacks.map((stack) => `${profile.prefix}-${stack}`), '--exclusively'];
  return [
    command.action,
    ...selection,
    '-c',
    `profile=${command.profileName}`,
    ...(command.action === 'deploy' ? ['--require-approval', command.approval] : []),
    ...command.cdkArguments,
  ];
}
