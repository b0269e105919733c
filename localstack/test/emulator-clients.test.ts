import { emulatorClientConfig, emulatorClients } from '../src/emulator-clients';

describe('emulatorClientConfig', () => {
  test('points at the emulator with the test credentials every emulator accepts', () => {
    expect(emulatorClientConfig({ AWS_ENDPOINT_URL: 'http://emulator:4566' })).toEqual({
      endpoint: 'http://emulator:4566',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  test('takes the region and credentials the environment gives', () => {
    const config = emulatorClientConfig({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_DEFAULT_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'key',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.region).toBe('eu-west-3');
    expect(config.credentials).toEqual({ accessKeyId: 'key', secretAccessKey: 'secret' });
  });

  test('never falls back to AWS: without AWS_ENDPOINT_URL it says who sets it', () => {
    expect(() => emulatorClientConfig({}, 'run it as `make alerts` does')).toThrow(
      'AWS_ENDPOINT_URL is not set (run it as `make alerts` does)',
    );
  });
});

describe('emulatorClients', () => {
  const clients = emulatorClients(emulatorClientConfig({ AWS_ENDPOINT_URL: 'http://emulator:4566' }));

  test('makes each client once, on first use', () => {
    expect(clients.sqs).toBe(clients.sqs);
    expect(clients.sns).not.toBe(clients.sqs);
  });

  test('every client talks to the emulator', async () => {
    for (const client of [clients.cloudFormation, clients.cloudWatch, clients.logs, clients.secretsManager]) {
      const endpoint = await client.config.endpoint?.();
      expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe('http://emulator:4566');
    }
  });
});
