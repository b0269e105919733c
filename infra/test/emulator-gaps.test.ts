import { composeSecretString } from '../scripts/emulator-gaps';

describe('composeSecretString', () => {
  test('puts the generated value at the template key, as CloudFormation does', () => {
    // GIVEN the API keys secret's GenerateSecretString
    const generate = { SecretStringTemplate: '{}', GenerateStringKey: 'api_key_demo', PasswordLength: 40 };
    // WHEN
    const secretString = composeSecretString(generate, 'generated-value');
    // THEN
    expect(JSON.parse(secretString)).toEqual({ api_key_demo: 'generated-value' });
  });

  test('keeps the other template fields', () => {
    // GIVEN the Kong Konnect secret's placeholders
    const generate = {
      SecretStringTemplate: '{"kong_api_url":"PLACEHOLDER_REPLACE_IN_CONSOLE"}',
      GenerateStringKey: 'kong_admin_token',
    };
    // WHEN
    const secretString = composeSecretString(generate, 'token');
    // THEN
    expect(JSON.parse(secretString)).toEqual({
      kong_api_url: 'PLACEHOLDER_REPLACE_IN_CONSOLE',
      kong_admin_token: 'token',
    });
  });

  test('is the bare generated value without a template, and refuses a template without a key', () => {
    // GIVEN / WHEN / THEN
    expect(composeSecretString({ PasswordLength: 8 }, 'abcdefgh')).toBe('abcdefgh');
    expect(() => composeSecretString({ SecretStringTemplate: '{}' }, 'x')).toThrow(/GenerateStringKey/);
  });
});
