import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Token } from 'aws-cdk-lib';
import { defineApp } from '../lib/app';
import { ProfileError } from '../lib/profiles';
import { cdkJsonContext, MODULES, type Module, synthesizeExample } from '../lib/synthesize';
import { platformOf } from './support';

describe('the CDK app', () => {
  test('deploys the four stacks under the profile prefix, in the profile region, to any account', () => {
    // GIVEN the dev profile
    // WHEN
    const { platform } = platformOf('dev');
    // THEN
    expect(MODULES.map((module) => platform[module].stackName)).toEqual([
      'zama-api-platform-dev-networking',
      'zama-api-platform-dev-secrets',
      'zama-api-platform-dev-observability',
      'zama-api-platform-dev-compute',
    ]);
    for (const module of MODULES) {
      expect(platform[module].region).toBe('eu-west-3');
      expect(Token.isUnresolved(platform[module].account)).toBe(true);
    }
  });

  test('wires the stacks like the seed modules: networking and secrets alone, observability on networking, compute on all', () => {
    // GIVEN the dev profile
    // WHEN
    const { platform } = platformOf('dev');
    const dependencies = (module: (typeof MODULES)[number]) =>
      platform[module].dependencies
        .map((stack) => stack.stackName.replace('zama-api-platform-dev-', ''))
        .sort();
    // THEN
    expect(dependencies('networking')).toEqual([]);
    expect(dependencies('secrets')).toEqual([]);
    expect(dependencies('observability')).toEqual(['networking']);
    expect(dependencies('compute')).toEqual(['networking', 'observability', 'secrets']);
  });

  test('fails synthesis with one clear line for an unknown profile', async () => {
    // GIVEN PLATFORM_PROFILE names no profile
    const infra = join(__dirname, '..');
    // WHEN the app runs
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: infra,
      env: { ...process.env, PLATFORM_PROFILE: 'staging' },
    });
    // THEN
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr:
        'Unknown profile "staging": choose one of local, dev, prod (with -c profile=<name> or PLATFORM_PROFILE=<name>)\n',
    });
  });

  /** An app as `cdk synth` gives bin/app.ts one: cdk.json's context, a fresh output directory. */
  const cliApp = () =>
    new App({ outdir: mkdtempSync(join(tmpdir(), 'app-test-')), context: cdkJsonContext() });

  /**
   * What bin/app.ts synthesizes with this environment, in this process (a second CDK app in a
   * child process costs several seconds of CPU to load), with the context `cdk synth` gives it.
   */
  function synthesizeWith(environment: NodeJS.ProcessEnv) {
    const app = cliApp();
    const platform = defineApp(app, environment);
    const assembly = app.synth();
    return {
      template: (module: Module) =>
        readFileSync(join(assembly.directory, platform[module].templateFile), 'utf8'),
      messages: assembly.stacks.flatMap((stack) => stack.messages),
    };
  }

  test('refuses to synthesize prod without an e-mail and a certificate, saying how to give each', () => {
    // GIVEN the prod profile and neither setting
    const app = cliApp();
    // WHEN the app is defined
    // THEN one line per problem (bin/app.ts prints the message, as for the unknown profile above),
    // before any stack exists
    let refusal: unknown;
    try {
      defineApp(app, { PLATFORM_PROFILE: 'prod' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ProfileError);
    expect((refusal as ProfileError).message).toMatch(
      /^Invalid profile "prod":\n {2}- alerts\.email is required .*ALERTS_EMAIL=<address>\n {2}- tls\.certificateArn is required .*CERTIFICATE_ARN=arn:aws:acm:eu-west-3:<account>:certificate\/<id>$/,
    );
    expect(app.node.children).toEqual([]);
  });

  test('takes the settings from the environment', () => {
    // GIVEN the dev profile with its e-mail in ALERTS_EMAIL
    // WHEN the app is defined and synthesized
    const { template, messages } = synthesizeWith({
      PLATFORM_PROFILE: 'dev',
      ALERTS_EMAIL: 'ops@example.com',
    });
    // THEN it synthesizes without a warning, subscribing that address
    expect(messages).toEqual([]);
    expect(template('observability')).toContain('"ops@example.com"');
  });

  test('protects the prod stacks, and only those, against termination', () => {
    // GIVEN / WHEN
    // what the CLI reads: the stacks' properties in the cloud assembly manifest
    const protection = (profile: 'local' | 'dev' | 'prod') => {
      const { assemblyDir } = synthesizeExample(profile);
      const { artifacts } = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as {
        artifacts: Record<string, { type: string; properties?: { terminationProtection?: boolean } }>;
      };
      return Object.values(artifacts)
        .filter((artifact) => artifact.type === 'aws:cloudformation:stack')
        .map((artifact) => artifact.properties?.terminationProtection === true);
    };
    // THEN
    expect(protection('prod')).toEqual([true, true, true, true]);
    expect(protection('dev')).toEqual([false, false, false, false]);
    expect(protection('local')).toEqual([false, false, false, false]);
  });

  test('leaves the local profile alone whatever deployment settings the environment holds', () => {
    // GIVEN settings in the environment that the local profile would reject or change with
    // WHEN the app is defined and synthesized with the local profile
    const { template, messages } = synthesizeWith({
      PLATFORM_PROFILE: 'local',
      CERTIFICATE_ARN: 'arn:aws:acm:eu-west-3:111122223333:certificate/00000000-0000-4000-8000-000000000000',
      ALERTS_EMAIL: 'ops@example.com',
    });
    // THEN it synthesizes as the repository defines it
    expect(messages).toEqual([]);
    expect(template('observability')).not.toContain('ops@example.com');
  });
});
