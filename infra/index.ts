/**
 * The package's one door (`@zama/infra`): what the local data plane and the e2e suites may use
 * of the CDK app. It knows no emulator; the emulator side lives in @zama/localstack.
 */

export { BOOTSTRAP_VERSION_PARAMETER, CLOUD_ASSEMBLY_DIR, QUIET_CDK_ENV, runCdk } from './lib/cdk-cli';
export { LOCAL_ALARM_PERIOD_METADATA } from './lib/compute-stack';
export { type PlatformNames, PORTS, platformNames } from './lib/names';
export {
  ALARM_KEYS,
  type AlarmKey,
  type PlatformProfile,
  PROFILE_NAMES,
  PROFILES,
  type ProfileName,
} from './lib/profiles';
export { EXAMPLE_SETTINGS, settingsAsContext } from './lib/settings';
export {
  type CfnResource,
  type CfnTemplate,
  type ExampleSynthesis,
  INFRA_DIR,
  MODULES,
  type Module,
  synthesizeExample,
  synthesizePlatform,
} from './lib/synthesize';
