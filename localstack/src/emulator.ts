/**
 * Which AWS emulator the local platform and the e2e suites run against, chosen
 * with one variable (`AWS_EMULATOR`), so that every suite stays emulator-agnostic.
 */
import { pinned, pinnedVersions } from './versions';

export type EmulatorName = 'localstack' | 'moto';

export interface Emulator {
  readonly name: EmulatorName;
  /** Image to run; a public name unless overridden (e.g. by `make images`). */
  readonly image: string;
  /** Container port of the AWS API endpoint. */
  readonly port: number;
  /** Path that answers 200 once the emulator accepts API calls. */
  readonly healthPath: string;
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Whether SetAlarmState runs the alarm's actions (publishes to its topics) itself, as
   * LocalStack's CloudWatch does and moto's does not.
   */
  readonly runsAlarmActions: boolean;
  /**
   * Whether DescribeAlarmHistory answers with the state changes SetAlarmState made, as
   * LocalStack's does; moto does not implement it (it answers 500).
   */
  readonly keepsAlarmHistory: boolean;
  /**
   * Whether the emulator serves the ECS API (moto does; LocalStack only with an auth token),
   * where the local scheduler mirrors the service's desired count, so that DescribeServices
   * shows it.
   */
  readonly servesEcs: boolean;
  /**
   * Where an emulator that would evaluate alarms and apply metric filters itself reports the
   * start hooks it ran, one of which switches that off (see localstack/emulator-init); absent
   * for an emulator that does neither (moto).
   */
  readonly initScriptsPath?: string;
}

/** The last LocalStack tag that runs without an auth token. */
export const LOCALSTACK_FREE_TAG = pinnedVersions().get('LOCALSTACK_VERSION') as string;

export class EmulatorConfigError extends Error {}

export function selectEmulator(env: NodeJS.ProcessEnv = process.env): Emulator {
  const name = env.AWS_EMULATOR?.trim() || 'localstack';
  switch (name) {
    case 'moto':
      return {
        name,
        image: pinned('MOTO_IMAGE', env),
        port: 5000,
        healthPath: '/moto-api/',
        environment: {},
        runsAlarmActions: false,
        keepsAlarmHistory: false,
        servesEcs: true,
      };
    case 'localstack': {
      const token = env.LOCALSTACK_AUTH_TOKEN?.trim();
      return {
        name,
        image:
          env.LOCALSTACK_IMAGE?.trim() || `localstack/localstack:${token ? 'latest' : LOCALSTACK_FREE_TAG}`,
        port: 4566,
        healthPath: '/_localstack/health',
        environment: token ? { LOCALSTACK_AUTH_TOKEN: token } : {},
        runsAlarmActions: true,
        keepsAlarmHistory: true,
        servesEcs: token !== undefined && token !== '',
        initScriptsPath: '/_localstack/init',
      };
    }
    default:
      throw new EmulatorConfigError(
        `AWS_EMULATOR=${name} is not supported: set it to 'localstack' or 'moto'`,
      );
  }
}
