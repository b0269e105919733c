import { Match } from 'aws-cdk-lib/assertions';
import { PROFILE_NAMES } from '../lib/profiles';
import { MODULES } from '../lib/synthesize';
import { rawTemplateOf, templateOf } from './support';

describe('SecretsStack', () => {
  test('generates the API keys as a JSON object with the seed demo key', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'secrets');
    // THEN
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'zama-api-platform-dev/api-keys',
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'api_key_demo',
        PasswordLength: 40,
        ExcludePunctuation: true,
      },
    });
  });

  test('generates the database password and starts the Kong Konnect settings as placeholders', () => {
    // GIVEN the dev profile
    // WHEN
    const template = templateOf('dev', 'secrets');
    // THEN
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'zama-api-platform-dev/database-credentials',
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"api"}',
        GenerateStringKey: 'password',
      }),
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'zama-api-platform-dev/kong-konnect-config',
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"kong_api_url":"PLACEHOLDER_REPLACE_IN_CONSOLE"}',
        GenerateStringKey: 'kong_admin_token',
      }),
    });
  });

  test.each(PROFILE_NAMES)('puts no secret value in any template (%s profile)', (profile) => {
    // GIVEN any profile
    // WHEN all four stacks are synthesized
    const templates = MODULES.map((module) => JSON.stringify(rawTemplateOf(profile, module)));
    // THEN no secret is created from a literal string
    for (const template of templates) expect(template).not.toContain('"SecretString"');
  });

  test('deletes the secrets with their stack in dev and keeps them in prod', () => {
    // GIVEN the dev and prod profiles
    // WHEN
    const dev = templateOf('dev', 'secrets');
    const prod = templateOf('prod', 'secrets');
    // THEN
    expect(
      Object.values(dev.findResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' })),
    ).toHaveLength(3);
    expect(
      Object.values(prod.findResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' })),
    ).toHaveLength(3);
  });
});
