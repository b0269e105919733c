/**
 * `npm run --silent fill-gaps -w @zama/localstack` (with cdklocal.env sourced), after
 * `npx cdklocal deploy --all` in infra/: creates through the service APIs what the emulator's
 * CloudFormation skipped (on moto every alarm, metric filter, subscription and secret), from the
 * cloud assembly that deploy left in cdk.out, exactly as `deploy:local` does after its own
 * deploy. Running it again changes nothing.
 *
 * It talks to the emulator with what cdklocal gave the CDK CLI: `AWS_*` credentials and region
 * only where AWS_ENVAR_ALLOWLIST names them, `test` credentials otherwise, so that it fills the
 * account the stacks went to even when real AWS credentials are in the environment.
 */
import { CLOUD_ASSEMBLY_DIR } from '@zama/infra';
import { runMain } from '../cli';
import { readCloudAssembly, type SynthesizedStack } from '../cloud-assembly';
import { fillGapsOfDeployedStacks, probe } from '../deploy/emulator-deploy';

/** cdklocal's region when AWS_REGION is not allow-listed. */
const CDKLOCAL_DEFAULT_REGION = 'us-east-1';

async function main(): Promise<number> {
  const endpoint = process.env.AWS_ENDPOINT_URL?.trim();
  if (!endpoint) {
    throw new Error(
      'AWS_ENDPOINT_URL is not set: source cdklocal.env first (set -a; . ../localstack/cdklocal.env; set +a)',
    );
  }
  const unreachable = await probe(endpoint);
  if (unreachable) throw new Error(`no emulator answers at ${endpoint} (${unreachable})`);

  const stacks = readCloudAssembly(CLOUD_ASSEMBLY_DIR);
  const allowed = new Set((process.env.AWS_ENVAR_ALLOWLIST ?? '').split(',').map((name) => name.trim()));
  const passed = (name: string) => (allowed.has(name) ? process.env[name] : undefined) || undefined;
  const region = stackRegion(stacks) ?? passed('AWS_REGION') ?? CDKLOCAL_DEFAULT_REGION;
  const clientConfig = {
    endpoint,
    region,
    credentials: {
      accessKeyId: passed('AWS_ACCESS_KEY_ID') ?? 'test',
      secretAccessKey: passed('AWS_SECRET_ACCESS_KEY') ?? 'test',
    },
  };
  await fillGapsOfDeployedStacks(stacks, clientConfig, (line) => console.log(`fill-gaps: ${line}`));
  console.log(
    `fill-gaps: ${stacks.length} stacks of ${CLOUD_ASSEMBLY_DIR} complete in ${endpoint} (${region})`,
  );
  return 0;
}

/** The one region the stacks are pinned to (`aws://<account>/<region>`), if they are. */
function stackRegion(stacks: readonly SynthesizedStack[]): string | undefined {
  const regions = new Set(
    stacks
      .map((stack) => stack.environment?.split('/')[3])
      .filter((region) => region !== undefined && region !== 'unknown-region'),
  );
  if (regions.size > 1) throw new Error(`the stacks span regions ${[...regions].join(', ')}`);
  return [...regions][0];
}

runMain('fill-gaps', main);
