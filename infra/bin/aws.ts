/**
 * `npm run diff:aws` / `npm run deploy:aws`: the CDK CLI against the AWS account of the caller's
 * credentials, with the dev profile (or PLATFORM_PROFILE=prod).
 *
 *   npm run deploy:aws -w infra                     # every stack, in dependency order
 *   npm run deploy:aws -w infra -- compute          # one stack alone (or STACK=compute)
 *   APPROVAL=never npm run deploy:aws -w infra      # no prompt (the default when CI is set)
 *
 * Before the CLI runs, scripts/aws-preflight.ts checks the settings the profile needs (alerts
 * e-mail, certificate, allowed addresses, image), the credentials' region and account, the
 * bootstrap stack and, for one stack alone, the stacks it needs: every problem is printed on
 * one line and nothing is deployed. Bootstrap once per account and region first:
 * `npx cdk bootstrap aws://unknown-account/eu-west-3` from the repository root.
 */

import { cdkArgumentsOf, parseAwsCommand, preflight } from './aws-preflight';
import { runCdk } from './cdk-cli';

async function main(): Promise<number> {
  const label = `${process.argv[2] ?? 'aws'}:aws`;
  const fail = (problems: readonly string[]) => {
    for (const problem of problems) console.error(`${label}: ${problem}`);
    console.error(`${label}: nothing was run against AWS`);
    return 1;
  };
  // An endpoint variable left over from local work would send the deploy to the emulator.
  const endpoint = process.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
  if (endpoint) return fail([`AWS_ENDPOINT_URL is set (${endpoint}); unset it to talk to AWS`]);

  const { command, problems } = parseAwsCommand(process.argv.slice(2), process.env);
  if (!command) {
    if (!problems[0]?.startsWith('usage:')) return fail(problems);
    console.error(problems[0]);
    return 2;
  }
  const checked = await preflight(command);
  if (checked.problems.length > 0) return fail(checked.problems);
  const args = cdkArgumentsOf(command, checked.profile);
  console.log(`${label}: cdk ${args.join(' ')}`);
  return runCdk(args);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
