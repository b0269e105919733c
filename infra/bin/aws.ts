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
 * bootstrap stack and, for one stack alone, the stacks it needs, and for a deploy of the API
 * image asset (no image named) that Docker answers: every problem is printed on one line and
 * nothing is deployed. The CLI runs bin/app.ts, which bundles the API before the asset is
 * fingerprinted; `cdk deploy` then builds api/Dockerfile and pushes it to the bootstrap ECR
 * repository. Bootstrap once per account and region first:
 * `npx cdk bootstrap aws://unknown-account/eu-west-3` from the repository root.
 */

import { spawnSync } from 'node:child_process';
import { cdkArgumentsOf, parseAwsCommand, preflight } from '../lib/aws-preflight';
import { runCdk } from '../lib/cdk-cli';
import { runMain } from '../lib/cli';

/** Whether the Docker engine the CDK CLI builds image assets with answers (CDK_DOCKER, like the CLI). */
function dockerAnswers(): boolean {
  return spawnSync(process.env.CDK_DOCKER ?? 'docker', ['info'], { stdio: 'ignore' }).status === 0;
}

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
  // Without a named image the deploy builds the API image asset (api/Dockerfile) with Docker.
  const buildsImage = command.action === 'deploy' && checked.profile.service.image === undefined;
  const refusals = [
    ...checked.problems,
    ...(buildsImage && !dockerAnswers()
      ? [
          `the ${checked.profile.name} profile deploys the API image asset, which cdk deploy builds with Docker, and \`${process.env.CDK_DOCKER ?? 'docker'} info\` does not answer: start Docker, or name an existing image with -c apiImage=<repository>@sha256:<digest> or PLATFORM_API_IMAGE`,
        ]
      : []),
  ];
  if (refusals.length > 0) return fail(refusals);
  const args = cdkArgumentsOf(command, checked.profile);
  console.log(`${label}: cdk ${args.join(' ')}`);
  return runCdk(args);
}
runMain(`${process.argv[2] ?? 'aws'}:aws`, main);
