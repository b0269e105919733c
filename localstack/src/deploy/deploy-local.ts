/**
 * `npm run deploy:local`: deploys the four stacks with the local profile into the emulator at
 * AWS_ENDPOINT_URL (LocalStack, moto, ...), bootstrapping it first when needed, then creates
 * through the service APIs what the emulator's CloudFormation skipped or faked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  BOOTSTRAP_VERSION_PARAMETER,
  CLOUD_ASSEMBLY_DIR,
  PROFILES,
  QUIET_CDK_ENV,
  runCdk,
} from '@zama/infra';
import { readCloudAssembly } from '../cloud-assembly';
import { emulatorClients } from '../emulator-clients';
import { fillGapsOfDeployedStacks, probe } from './emulator-deploy';

const BOOTSTRAP_STACK = 'CDKToolkit';

/** The log prefix of what it prints, and of its errors. */
export const DEPLOY_LOCAL = 'deploy:local';

/** Resolves with 0 once the stacks are deployed and their gaps filled, else the failing CLI's code. */
export async function deployLocal(environment: NodeJS.ProcessEnv): Promise<number> {
  const endpoint = environment.AWS_ENDPOINT_URL?.trim();
  if (!endpoint) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: point it at the emulator, e.g. AWS_ENDPOINT_URL=http://127.0.0.1:4566',
    );
  }
  const unreachable = await probe(endpoint);
  if (unreachable) throw new Error(`no emulator answers at ${endpoint} (${unreachable})`);

  const region = PROFILES.local.region;
  // The CLI caches the account of each access key under CDK_HOME; emulators share the key
  // but not the account (moto 123456789012, LocalStack 000000000000), so start from none.
  const cdkHome = mkdtempSync(join(tmpdir(), 'cdk-home-'));
  process.on('exit', () => rmSync(cdkHome, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    ...environment,
    ...QUIET_CDK_ENV,
    // Emulators accept any credentials.
    AWS_ACCESS_KEY_ID: environment.AWS_ACCESS_KEY_ID || 'test',
    AWS_SECRET_ACCESS_KEY: environment.AWS_SECRET_ACCESS_KEY || 'test',
    AWS_REGION: environment.AWS_REGION || region,
    AWS_DEFAULT_REGION: environment.AWS_DEFAULT_REGION || region,
    CDK_HOME: cdkHome,
    CDK_S3_FORCE_PATH_STYLE: '1',
    // The template URL handed to the emulator's CloudFormation: the canonical S3 form, which
    // moto and LocalStack both map to their own S3 (moto cannot parse an IP-address endpoint).
    AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION:
      environment.AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION || `https://s3.${region}.amazonaws.com`,
  };
  const clientConfig = {
    endpoint,
    region,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  };
  const { cloudFormation } = emulatorClients(clientConfig);

  // The bootstrap stack does not depend on the templates, so it is created while they are
  // synthesized; the CLI finds the emulator's account from the credentials, and runs outside
  // infra/ so that it does not synthesize the app a second time.
  const bootstrapping = isBootstrapped(cloudFormation).then((bootstrapped) => {
    if (bootstrapped) return 0;
    console.log(`${DEPLOY_LOCAL}: bootstrapping ${endpoint}`);
    return runCdk(['bootstrap', `aws://unknown-account/${region}`], env, { cwd: cdkHome });
  });
  // Awaited together, so that a failure of either is reported however the two interleave.
  const [synth, bootstrap] = await Promise.all([
    runCdk(['synth', '--quiet', '-c', 'profile=local', '--output', CLOUD_ASSEMBLY_DIR], env),
    bootstrapping,
  ]);
  if (synth !== 0) return synth;
  if (bootstrap !== 0) return bootstrap;
  const stacks = readCloudAssembly(CLOUD_ASSEMBLY_DIR);

  // Direct stack operations rather than change sets: moto registers a stack's exports only
  // when the stack is created directly, and the stacks import each other's values. The explicit
  // bootstrap-version parameter spares moto the "use previous value" it cannot resolve on updates.
  // Stacks that do not depend on each other deploy at the same time: LocalStack's CloudFormation
  // finishes a stack in about a second, but the CLI looks again only after 5 s.
  const deploy = await runCdk(
    [
      'deploy',
      '--app',
      CLOUD_ASSEMBLY_DIR,
      '--all',
      '--concurrency',
      String(stacks.length),
      '--method=direct',
      '--parameters',
      `BootstrapVersion=${BOOTSTRAP_VERSION_PARAMETER}`,
      '--require-approval',
      'never',
      '--progress',
      'events',
    ],
    env,
  );
  if (deploy !== 0) return deploy;

  await fillGapsOfDeployedStacks(stacks, clientConfig, (line) => console.log(`${DEPLOY_LOCAL}: ${line}`));
  console.log(`${DEPLOY_LOCAL}: ${stacks.length} stacks deployed to ${endpoint}`);
  return 0;
}

async function isBootstrapped(cloudFormation: CloudFormationClient): Promise<boolean> {
  try {
    const { Stacks = [] } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: BOOTSTRAP_STACK }),
    );
    return Stacks.some(
      (stack) => stack.StackStatus?.endsWith('_COMPLETE') && !stack.StackStatus.startsWith('DELETE'),
    );
  } catch {
    return false;
  }
}
