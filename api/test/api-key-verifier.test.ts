import { createApiKeyVerifier } from '../src/middleware/api-key-auth';

describe('createApiKeyVerifier', () => {
  const verify = createApiKeyVerifier(
    new Map([
      ['api_key_demo', 'demo-value'],
      ['api_key_ci', 'ci-value'],
    ]),
  );

  it('returns the name of the key whose value was presented', () => {
    expect(verify('demo-value')).toBe('api_key_demo');
    expect(verify('ci-value')).toBe('api_key_ci');
  });

  it.each([
    ['a wrong value', 'wrong-value'],
    ['a prefix of a key', 'demo-'],
    ['a key with extra characters', 'demo-value '],
    ['a key name instead of its value', 'api_key_demo'],
    ['a very long value', 'x'.repeat(10_000)],
  ])('returns undefined for %s', (_case, presented) => {
    expect(verify(presented)).toBeUndefined();
  });

  it('accepts nothing when no key is configured', () => {
    expect(createApiKeyVerifier(new Map())('anything')).toBeUndefined();
  });
});
