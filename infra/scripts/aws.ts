/**
 * `npm run diff:aws` / `npm run deploy:aws`: the plain CDK CLI against the AWS account of the
 * caller's credentials, with the dev profile. Run `npx cdk bootstrap -c profile=dev` once per
 * account and region first.
 */
import { runCdk } from './cdk-cli';

const COMMANDS: Record<string, readonly string[]> = {
  diff: ['diff', '--all', '-c', 'profile=dev'],
  deploy: ['deploy', '--all', '-c', 'profile=dev'],
};

const command = COMMANDS[process.argv[2] ?? ''];
if (!command) {
  console.error(`usage: aws.ts ${Object.keys(COMMANDS).join('|')}`);
  process.exit(2);
}
// An endpoint variable left over from local work would send the deploy to the emulator.
const endpoint = process.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
if (endpoint) {
  console.error(`${process.argv[2]}:aws: AWS_ENDPOINT_URL is set (${endpoint}); unset it to talk to AWS`);
  process.exit(1);
}
runCdk(command).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
