/**
 * The one place the local data plane makes AWS SDK clients: every one of them talks to the
 * emulator, never to AWS's own endpoints, so the endpoint is required.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { requiredEnv } from './cli';

export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** For callers that must not pile up retries against a slow emulator. @default - the SDK's */
  readonly maxAttempts?: number;
  /** @default - the SDK's */
  readonly requestHandler?: {
    readonly connectionTimeout?: number;
    readonly requestTimeout?: number;
    /** Without it, the SDK only warns when requestTimeout passes and goes on waiting. */
    readonly throwOnRequestTimeout?: boolean;
  };
}

/** The local profile's region, which every emulator deploy uses. */
const EMULATOR_REGION = 'us-east-1';

/**
 * The emulator of a compose service or a shell: AWS_ENDPOINT_URL (required), AWS_REGION or
 * AWS_DEFAULT_REGION, and the `test` credentials every emulator accepts unless others are given.
 */
export function emulatorClientConfig(
  env: NodeJS.ProcessEnv = process.env,
  setBy = 'compose.yaml sets it; by hand, point it at the emulator, e.g. http://127.0.0.1:4566',
): EmulatorClientConfig {
  return {
    endpoint: requiredEnv('AWS_ENDPOINT_URL', env, setBy),
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || EMULATOR_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID || 'test',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY || 'test',
    },
  };
}

/** One client per service, made on first use. */
export class EmulatorClients {
  readonly #made = new Map<string, unknown>();

  constructor(readonly config: EmulatorClientConfig) {}

  get cloudFormation(): CloudFormationClient {
    return this.#client(CloudFormationClient);
  }
  get cloudWatch(): CloudWatchClient {
    return this.#client(CloudWatchClient);
  }
  get logs(): CloudWatchLogsClient {
    return this.#client(CloudWatchLogsClient);
  }
  get ecs(): ECSClient {
    return this.#client(ECSClient);
  }
  get elbv2(): ElasticLoadBalancingV2Client {
    return this.#client(ElasticLoadBalancingV2Client);
  }
  get secretsManager(): SecretsManagerClient {
    return this.#client(SecretsManagerClient);
  }
  get sns(): SNSClient {
    return this.#client(SNSClient);
  }
  get sqs(): SQSClient {
    return this.#client(SQSClient);
  }

  #client<C>(Client: new (config: EmulatorClientConfig) => C): C {
    let client = this.#made.get(Client.name) as C | undefined;
    if (!client) {
      client = new Client(this.config);
      this.#made.set(Client.name, client);
    }
    return client;
  }
}

export function emulatorClients(config: EmulatorClientConfig = emulatorClientConfig()): EmulatorClients {
  return new EmulatorClients(config);
}
