/**
 * `npm run synth`: the cloud assembly in cdk.out, offline and without credentials. The profile
 * comes from PLATFORM_PROFILE (default: local); the stacks are account-agnostic.
 */
import { QUIET_CDK_ENV, runCdk } from './cdk-cli';

runCdk(['synth', '--quiet'], { ...process.env, ...QUIET_CDK_ENV }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
