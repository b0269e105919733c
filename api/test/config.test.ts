import { ConfigError, loadConfig } from '../src/config';

const KEYS = JSON.stringify({ api_key_demo: 's3cr3t-value' });

function configError(environment: NodeJS.ProcessEnv): string {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected loadConfig to reject the environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ API_KEYS: KEYS });
    expect(config).toEqual({
      port: 8080,
      logLevel: 'info',
      logFormat: 'json',
      nodeEnv: 'development',
      apiKeys: new Map([['api_key_demo', 's3cr3t-value']]),
      authDisabled: false,
      faultInjectionEnabled: false,
      rateLimitPerMinute: 600,
      authFailuresPerMinute: 20,
      shutdownGraceMs: 20000,
      bodyLimitBytes: 16384,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '3000',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      NODE_ENV: 'production',
      API_KEYS: JSON.stringify({ a: 'one', b: 'two' }),
      RATE_LIMIT_PER_MINUTE: '30',
      AUTH_FAILURES_PER_MINUTE: '5',
      SHUTDOWN_GRACE_MS: '5000',
      BODY_LIMIT_BYTES: '1024',
      FAULT_INJECTION_ENABLED: 'true',
    });
    expect(config).toMatchObject({
      port: 3000,
      logLevel: 'debug',
      logFormat: 'pretty',
      nodeEnv: 'production',
      authDisabled: false,
      rateLimitPerMinute: 30,
      authFailuresPerMinute: 5,
      shutdownGraceMs: 5000,
      bodyLimitBytes: 1024,
      faultInjectionEnabled: true,
    });
    expect([...config.apiKeys]).toEqual([
      ['a', 'one'],
      ['b', 'two'],
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ API_KEYS: KEYS, PORT: '', LOG_LEVEL: '' })).toMatchObject({
      port: 8080,
      logLevel: 'info',
    });
  });

  it.each([
    ['PORT', 'abc', 'PORT must be an integer from 0 to 65535'],
    ['PORT', '65536', 'PORT must be an integer from 0 to 65535'],
    ['PORT', '-1', 'PORT must be an integer from 0 to 65535'],
    ['PORT', '80.5', 'PORT must be an integer from 0 to 65535'],
    ['LOG_LEVEL', 'trace', 'LOG_LEVEL must be one of debug, info, warn, error'],
    ['LOG_FORMAT', 'xml', 'LOG_FORMAT must be one of json, pretty'],
    ['NODE_ENV', 'Prod uction', 'NODE_ENV must be a lower-case name such as development or production'],
    ['AUTH_DISABLED', 'yes', 'AUTH_DISABLED must be true or false'],
    ['FAULT_INJECTION_ENABLED', '1', 'FAULT_INJECTION_ENABLED must be true or false'],
    ['RATE_LIMIT_PER_MINUTE', '0', 'RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000'],
    ['AUTH_FAILURES_PER_MINUTE', '0', 'AUTH_FAILURES_PER_MINUTE must be an integer from 1 to 10000'],
    ['SHUTDOWN_GRACE_MS', '50', 'SHUTDOWN_GRACE_MS must be an integer from 100 to 600000'],
    ['BODY_LIMIT_BYTES', '1e6', 'BODY_LIMIT_BYTES must be an integer from 64 to 10485760'],
  ])('rejects %s=%s in one line that names it and what is allowed', (name, value, expected) => {
    const message = configError({ API_KEYS: KEYS, [name]: value });
    expect(message).toBe(`invalid configuration: ${expected}`);
    expect(message).not.toContain('\n');
  });

  it('names every invalid variable at once', () => {
    expect(configError({ API_KEYS: KEYS, PORT: 'x', LOG_FORMAT: 'y' })).toBe(
      'invalid configuration: PORT must be an integer from 0 to 65535; LOG_FORMAT must be one of json, pretty',
    );
  });

  describe('API_KEYS', () => {
    it.each([
      ['missing', {}],
      ['empty', { API_KEYS: '' }],
      ['an empty object', { API_KEYS: '{}' }],
      ['missing while AUTH_DISABLED=false', { AUTH_DISABLED: 'false' }],
    ])('refuses to start when it is %s', (_case, environment) => {
      expect(configError(environment)).toMatch(
        /^invalid configuration: API_KEYS is required .*; set AUTH_DISABLED=true to run without authentication$/,
      );
    });

    it('may be absent when AUTH_DISABLED=true is set explicitly', () => {
      const config = loadConfig({ AUTH_DISABLED: 'true' });
      expect(config.authDisabled).toBe(true);
      expect(config.apiKeys.size).toBe(0);
    });

    it.each([
      ['not JSON', 'api_key_demo=s3cr3t-value'],
      ['a JSON array', '["s3cr3t-value"]'],
      ['a JSON string', '"s3cr3t-value"'],
      ['an object with an empty value', '{"api_key_demo":""}'],
      ['an object with an empty name', '{"":"s3cr3t-value"}'],
      ['an object with a number value', '{"api_key_demo":12345}'],
    ])('rejects %s without echoing any of it', (_case, value) => {
      const message = configError({ API_KEYS: value });
      expect(message).toBe(
        'invalid configuration: API_KEYS must be a JSON object of key names to non-empty key values, e.g. {"api_key_demo":"..."}',
      );
      expect(message).not.toContain('s3cr3t');
    });
  });
});
