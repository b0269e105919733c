/**
 * `npm run synth`: the cloud assembly in cdk.out, offline and without credentials. The profile
 * comes from PLATFORM_PROFILE (default: local); the stacks are account-agnostic.
 */
import { QUIET_CDK_ENV, runCdk } from '../lib/cdk-cli';
import { runMain } from '../lib/cli';

runMain('synth', () => runCdk(['synth', '--quiet'], { ...process.env, ...QUIET_CDK_ENV }));
