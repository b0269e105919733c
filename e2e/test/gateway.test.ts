/**
 * The API gateway end to end (compose.yaml, profile `gateway`): Kong in front of the simulated
 * ALB checks the key, the rate and the body size the way Kong Konnect does on AWS, with the keys
 * of the Secrets Manager secret the api tasks read, and follows a rotation after the documented
 * reload step. Skipped, with the reason, where the Kong image cannot be had.
 */
import { randomBytes } from 'node:crypto';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PROFILES, platformNames } from '@zama/infra';
import { gatewayLimits, readGatewayTemplate, selectEmulator } from '@zama/localstack';
import { emulatorClientConfig } from '../src/aws';
import {
  describeWithGateway,
  type GatewayPlatform,
  kongImage,
  startGatewayPlatform,
} from '../src/gateway-platform';
import { platformImages } from '../src/local-platform';
import { secondsUntil } from '../src/traffic';

const emulator = selectEmulator();
const SECRET = platformNames(PROFILES.local.prefix).secrets.apiKeys;
const limits = gatewayLimits(readGatewayTemplate());
const SUM = { numbers: [1.5, 2.5, 3] };

const sum = (baseUrl: string, key: string | undefined, body: string = JSON.stringify(SUM)) =>
  fetch(`${baseUrl}/api/v1/sum`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { [limits.keyHeader]: key }),
    },
    body,
  });

/** Kong names itself in the Server header of the responses it makes without the API. */
const answeredByGateway = (response: Response) => /^kong\//i.test(response.headers.get('server') ?? '');

describeWithGateway([emulator.image, platformImages().api, platformImages().node])(
  `API gateway (${kongImage()}, ${emulator.name})`,
  () => {
    let platform: GatewayPlatform;
    let secrets: SecretsManagerClient;
    let apiKey: string;

    beforeAll(async () => {
      platform = await startGatewayPlatform(emulator);
      secrets = new SecretsManagerClient(emulatorClientConfig(platform.emulatorEndpoint));
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET }));
      apiKey = Object.values(JSON.parse(SecretString ?? '{}') as Record<string, string>)[0];
      // The gateway is up once the ALB is; the api targets pass their health checks a little later.
      await secondsUntil(
        async () => (await fetch(`${platform.gatewayUrl}/healthz`).catch(() => undefined))?.status === 200,
        60_000,
        'health through the gateway',
      );
    });

    afterAll(async () => {
      await platform?.down();
    });

    it('refuses a request without a key, or with an unknown key, itself (401)', async () => {
      for (const key of [undefined, 'not-a-key']) {
        const response = await sum(platform.gatewayUrl, key);
        expect(response.status).toBe(401);
        expect(answeredByGateway(response)).toBe(true);
        // Kong's error body, not the API's ({"error":{"code":"UNAUTHORIZED",...}}).
        const body = await response.json();
        expect(body).toMatchObject({ message: expect.any(String) });
        expect(body).not.toHaveProperty('error');
      }
    });

    it('passes a good key on to the API, which checks it again and answers with the sum', async () => {
      const response = await sum(platform.gatewayUrl, apiKey);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ sum: 7, count: 3 });
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(response.headers.get('x-ratelimit-limit-minute')).toBe(String(limits.requestsPerMinute));
    });

    it('refuses a body over the API body limit (413) and lets one at the limit through', async () => {
      const padded = (bytes: number) => {
        const body = JSON.stringify({ ...SUM, padding: '' });
        return body.replace('"padding":""', `"padding":"${'x'.repeat(bytes - body.length)}"`);
      };
      const over = await sum(platform.gatewayUrl, apiKey, padded(limits.bodyBytes + 1));
      expect(over.status).toBe(413);
      expect(answeredByGateway(over)).toBe(true);

      const atLimit = await sum(platform.gatewayUrl, apiKey, padded(limits.bodyBytes));
      expect(atLimit.status).not.toBe(413);
    });

    it('answers health without a key', async () => {
      for (const path of ['/healthz', '/healthz/live', '/healthz/ready']) {
        const response = await fetch(`${platform.gatewayUrl}${path}`);
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }
    });

    it('honours a key rotated in Secrets Manager after the reload step, in both layers', async () => {
      const previousKey = apiKey;
      const [keyName] = Object.keys(
        JSON.parse(
          (await secrets.send(new GetSecretValueCommand({ SecretId: SECRET }))).SecretString ?? '{}',
        ),
      );
      const rotatedKey = randomBytes(20).toString('hex');
      await secrets.send(
        new PutSecretValueCommand({
          SecretId: SECRET,
          SecretString: JSON.stringify({ [keyName]: rotatedKey }),
        }),
      );
      // Nothing changes until the reload step: the gateway still has the keys it loaded.
      expect((await sum(platform.gatewayUrl, rotatedKey)).status).toBe(401);

      await platform.reloadKeys();

      const statuses = async (baseUrl: string) => ({
        rotated: (await sum(baseUrl, rotatedKey)).status,
        previous: (await sum(baseUrl, previousKey)).status,
      });
      expect(await statuses(platform.gatewayUrl)).toEqual({ rotated: 200, previous: 401 });
      // The API's own check, which an admin address reaches directly through the ALB, follows too.
      expect(await statuses(platform.albUrl)).toEqual({ rotated: 200, previous: 401 });
      apiKey = rotatedKey;
    });

    it('limits each key to the API rate: 429 with Retry-After once the minute is used up', async () => {
      // Kong counts in calendar minutes: start early in one so the burst stays inside it.
      const secondsLeft = 60 - new Date().getUTCSeconds();
      if (secondsLeft < 20) await new Promise((resolve) => setTimeout(resolve, secondsLeft * 1000 + 500));

      const BATCH = 20;
      let succeeded = 0;
      let refused: Response | undefined;
      while (!refused && succeeded <= limits.requestsPerMinute) {
        const batch = await Promise.all(
          Array.from({ length: BATCH }, () => sum(platform.gatewayUrl, apiKey)),
        );
        for (const response of batch) {
          if (response.status === 429) refused ??= response;
          else {
            expect(response.status).toBe(200);
            succeeded += 1;
          }
          await response.arrayBuffer();
        }
      }

      expect(refused).toBeDefined();
      expect(succeeded).toBeLessThanOrEqual(limits.requestsPerMinute);
      const response = refused as Response;
      expect(answeredByGateway(response)).toBe(true);
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      expect(response.headers.get('x-ratelimit-remaining-minute')).toBe('0');
    });
  },
);
