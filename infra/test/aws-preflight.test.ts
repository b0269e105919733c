import {
  type AccountFacts,
  type AwsCommand,
  accountProblems,
  cdkArgumentsOf,
  parseAwsCommand,
  preflight,
  readAccountFacts,
  STACK_DEPENDENCIES,
} from '../lib/aws-preflight';
import { PROFILES } from '../lib/profiles';
import { EXAMPLE_SETTINGS } from '../lib/settings';
import { MODULES } from '../lib/synthesize';
import { platformOf } from './support';

/** The parsed command; fails the test when there is none. */
function commandOf(argv: string[], env: NodeJS.ProcessEnv): AwsCommand {
  const { command, problems } = parseAwsCommand(argv, env);
  if (!command) throw new Error(problems.join('\n'));
  return command;
}

const DEV_STACKS = MODULES.map((module) => `zama-api-platform-dev-${module}`);
const READY: AccountFacts = {
  configuredRegion: 'eu-west-3',
  bootstrapAccount: '111122223333',
  deployedStacks: new Set(DEV_STACKS),
};

describe('parseAwsCommand', () => {
  test('deploys every stack of the dev profile, prompting for broadening changes, by default', () => {
    // GIVEN no argument but the action
    // WHEN
    const command = commandOf(['deploy'], {});
    // THEN
    expect(command).toMatchObject({
      action: 'deploy',
      profileName: 'dev',
      stacks: [],
      approval: 'broadening',
    });
    expect(cdkArgumentsOf(command, PROFILES.dev)).toEqual([
      'deploy',
      '--all',
      '-c',
      'profile=dev',
      '--require-approval',
      'broadening',
    ]);
  });

  test.each([
    [{ CI: 'true' }, 'never'],
    [{ CI: '1' }, 'never'],
    [{ CI: 'false' }, 'broadening'],
    [{ APPROVAL: 'never' }, 'never'],
    [{ CI: 'true', APPROVAL: 'any-change' }, 'any-change'],
  ])('runs without a prompt when asked to (%j -> %s)', (env, approval) => {
    // GIVEN / WHEN / THEN
    expect(parseAwsCommand(['deploy'], env).command?.approval).toBe(approval);
  });

  test('deploys one stack alone, named as an argument or in STACK', () => {
    // GIVEN compute as argument, or in STACK
    // WHEN
    const byArgument = commandOf(['deploy', 'compute', '-c', 'alertsEmail=ops@example.com'], {});
    const byVariable = commandOf(['deploy'], { STACK: 'compute', CI: 'true' });
    // THEN
    expect(byArgument.stacks).toEqual(['compute']);
    expect(byVariable.stacks).toEqual(['compute']);
    expect(cdkArgumentsOf(byVariable, PROFILES.dev)).toEqual([
      'deploy',
      'zama-api-platform-dev-compute',
      '--exclusively',
      '-c',
      'profile=dev',
      '--require-approval',
      'never',
    ]);
    // and passes the CLI arguments on, reading the settings among them
    expect(byArgument.cdkArguments).toEqual(['-c', 'alertsEmail=ops@example.com']);
    expect(byArgument.settings).toEqual({ alertsEmail: 'ops@example.com' });
  });

  test('reads the settings from the environment, the -c arguments winning', () => {
    // GIVEN both
    // WHEN
    const command = commandOf(['diff', '--context', 'alertsEmail=cli@example.com'], {
      ALERTS_EMAIL: 'env@example.com',
      ADMIN_CIDRS: '198.51.100.7/32',
      PLATFORM_PROFILE: 'prod',
    });
    // THEN
    expect(command.profileName).toBe('prod');
    expect(command.settings).toEqual({ alertsEmail: 'cli@example.com', adminCidrs: ['198.51.100.7/32'] });
    expect(cdkArgumentsOf(command, PROFILES.prod)).toEqual([
      'diff',
      '--all',
      '-c',
      'profile=prod',
      '--context',
      'alertsEmail=cli@example.com',
    ]);
  });

  test('lists every bad argument, one line each', () => {
    // GIVEN an unknown stack, the local profile and an unknown approval
    // WHEN
    const { command, problems } = parseAwsCommand(['deploy', 'database'], {
      PLATFORM_PROFILE: 'local',
      APPROVAL: 'sometimes',
    });
    // THEN
    expect(command).toBeUndefined();
    expect(problems).toEqual([
      'STACK: "database" is not a stack; choose from networking, secrets, observability, compute',
      'PLATFORM_PROFILE: local deploys into an emulator: use `make deploy-local`',
      'APPROVAL: "sometimes" is not one of never, broadening, any-change',
    ]);
  });

  test('prints its usage without an action', () => {
    // GIVEN / WHEN / THEN
    expect(parseAwsCommand([], {}).problems).toEqual([
      'usage: aws.ts diff|deploy [networking|secrets|observability|compute ...] [cdk arguments]',
    ]);
  });
});

describe('accountProblems', () => {
  test('none for credentials of the profile region with the stacks a single stack needs', () => {
    // GIVEN / WHEN / THEN
    expect(accountProblems(PROFILES.dev, ['compute'], READY)).toEqual([]);
    expect(accountProblems(PROFILES.dev, [], { ...READY, configuredRegion: undefined })).toEqual([]);
  });

  test('no credentials: one line saying what to set', () => {
    // GIVEN / WHEN / THEN
    expect(
      accountProblems(PROFILES.dev, [], {
        credentialsError: 'Could not load credentials',
        deployedStacks: new Set(),
      }),
    ).toEqual([
      'AWS credentials: none found (Could not load credentials); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the dev account',
    ]);
  });

  test('credentials of the wrong region and account, and missing dependencies: one line each', () => {
    // GIVEN prod pinned to an account, credentials for another one in another region, and only
    // networking deployed
    const profile = { ...PROFILES.prod, prefix: 'zama-api-platform-prod', account: '444455556666' };
    const facts: AccountFacts = {
      configuredRegion: 'us-east-1',
      bootstrapAccount: '111122223333',
      deployedStacks: new Set(['zama-api-platform-prod-networking']),
    };
    // WHEN
    const problems = accountProblems(profile, ['compute'], facts);
    // THEN
    expect(problems).toEqual([
      'AWS_REGION: your credentials point at us-east-1, but the prod profile deploys to eu-west-3: set AWS_REGION=eu-west-3 (or unset it)',
      'account: your credentials are for account 111122223333, but the prod profile deploys to 444455556666 (-c account / PLATFORM_ACCOUNT): use credentials of 444455556666',
      'STACK: compute needs zama-api-platform-prod-secrets, which is not deployed in eu-west-3: deploy it first (make deploy-aws STACK=secrets)',
      'STACK: compute needs zama-api-platform-prod-observability, which is not deployed in eu-west-3: deploy it first (make deploy-aws STACK=observability)',
    ]);
  });

  test('an account that is not bootstrapped', () => {
    // GIVEN / WHEN / THEN
    expect(accountProblems(PROFILES.dev, [], { ...READY, bootstrapAccount: undefined })).toEqual([
      'CDKToolkit: the account of your credentials is not bootstrapped in eu-west-3: run `npx cdk bootstrap aws://unknown-account/eu-west-3` once, from the repository root (no app to synthesize there)',
    ]);
  });

  test('a stack deployed with the stacks it needs asks for none of them', () => {
    // GIVEN nothing deployed yet
    const facts = { ...READY, deployedStacks: new Set<string>() };
    // WHEN / THEN
    expect(
      accountProblems(PROFILES.dev, ['networking', 'secrets', 'observability', 'compute'], facts),
    ).toEqual([]);
  });
});

describe('preflight', () => {
  test('collects the settings problems and the account problems before anything runs', async () => {
    // GIVEN prod with a bad allow-list entry and an image digest that is not one, no e-mail, no
    // certificate, and credentials of another region
    const command = commandOf(
      ['deploy', '-c', 'adminCidrs=198.51.100.7', '-c', 'apiImage=zama/api@sha256:1234'],
      { PLATFORM_PROFILE: 'prod' },
    );
    let readFor: string | undefined;
    // WHEN
    const { problems } = await preflight(command, async (profile) => {
      readFor = profile.prefix;
      return { ...READY, configuredRegion: 'eu-central-1' };
    });
    // THEN
    expect(readFor).toBe('zama-api-platform-prod');
    expect(problems).toEqual([
      'ingress.adminCidrs: "198.51.100.7" is not an IPv4 CIDR block (-c adminCidrs / ADMIN_CIDRS)',
      'service.image "zama/api@sha256:1234": "sha256:1234" is not an image digest (sha256: and 64 lower-case hexadecimal digits) (-c apiImage / PLATFORM_API_IMAGE)',
      'alerts.email is required for the prod profile, so that alarms reach a person: give it with -c alertsEmail=<address> or ALERTS_EMAIL=<address>',
      'tls.certificateArn is required for the prod profile, whose load balancer serves HTTPS only: give an ACM certificate of eu-west-3 with -c certificateArn=arn:aws:acm:eu-west-3:<account>:certificate/<id> or CERTIFICATE_ARN=arn:aws:acm:eu-west-3:<account>:certificate/<id>',
      'AWS_REGION: your credentials point at eu-central-1, but the prod profile deploys to eu-west-3: set AWS_REGION=eu-west-3 (or unset it)',
    ]);
  });

  test('none for a complete configuration and matching credentials', async () => {
    // GIVEN prod with its settings
    const command = commandOf(['deploy', '-c', `certificateArn=${EXAMPLE_SETTINGS.prod.certificateArn}`], {
      PLATFORM_PROFILE: 'prod',
      ALERTS_EMAIL: 'ops@example.com',
    });
    // WHEN
    const { problems } = await preflight(command, async () => READY);
    // THEN
    expect(problems).toEqual([]);
  });
});

test('STACK_DEPENDENCIES are the dependencies of the synthesized stacks', () => {
  // GIVEN the dev platform
  const { platform } = platformOf('dev');
  // WHEN
  const dependencies = Object.fromEntries(
    MODULES.map((module) => [
      module,
      MODULES.filter((other) => platform[module].dependencies.includes(platform[other])),
    ]),
  );
  // THEN
  expect(dependencies).toEqual(STACK_DEPENDENCIES);
  expect(DEV_STACKS).toHaveLength(4);
});

test('readAccountFacts reports the configured region and the missing credentials without calling AWS', async () => {
  // GIVEN an SDK configuration with a region and no credentials
  const config = {
    region: 'us-east-1',
    credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
  };
  // WHEN
  const facts = await readAccountFacts(PROFILES.dev, config);
  // THEN
  expect(facts).toEqual({
    configuredRegion: 'us-east-1',
    credentialsError: 'Could not load credentials from any providers',
    deployedStacks: new Set(),
  });
});
