import { LOCALSTACK_FREE_TAG, selectEmulator } from '../src/emulator';

describe('selectEmulator', () => {
  it('defaults to the last free LocalStack tag', () => {
    // GIVEN no emulator settings WHEN selecting THEN LocalStack's free image on 4566
    const emulator = selectEmulator({});
    expect(emulator).toMatchObject({
      name: 'localstack',
      image: `localstack/localstack:${LOCALSTACK_FREE_TAG}`,
      port: 4566,
      environment: {},
    });
  });

  it('switches LocalStack to the current image and passes the token when one is set', () => {
    const emulator = selectEmulator({ LOCALSTACK_AUTH_TOKEN: 'ls-token' });
    expect(emulator.image).toBe('localstack/localstack:latest');
    expect(emulator.environment).toEqual({ LOCALSTACK_AUTH_TOKEN: 'ls-token' });
  });

  it('selects moto with its public image and server port', () => {
    expect(selectEmulator({ AWS_EMULATOR: 'moto' })).toMatchObject({
      name: 'moto',
      image: 'motoserver/moto:5.2.5',
      port: 5000,
      healthPath: '/moto-api/',
    });
  });

  it('lets an image variable override the public name (registry-less builds)', () => {
    expect(selectEmulator({ AWS_EMULATOR: 'moto', MOTO_IMAGE: 'zama-local/moto:5.2.5' }).image).toBe(
      'zama-local/moto:5.2.5',
    );
    expect(selectEmulator({ LOCALSTACK_IMAGE: 'mirror/localstack:4.14.0' }).image).toBe(
      'mirror/localstack:4.14.0',
    );
  });

  it('rejects an unknown emulator with a message naming the choices', () => {
    expect(() => selectEmulator({ AWS_EMULATOR: 'ministack' })).toThrow(
      "AWS_EMULATOR=ministack is not supported: set it to 'localstack' or 'moto'",
    );
  });
});
