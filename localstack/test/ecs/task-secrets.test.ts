import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { containerSecrets, parseValueFrom, resolveSecrets } from '../../src/ecs/task-secrets';

// What CDK renders for ecs.Secret.fromSecretsManager(Secret.fromSecretNameV2(...)).
const joinedArn = (suffix: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:secret:${suffix}`,
    ],
  ],
});

function assemblyWith(containers: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
  writeFileSync(
    join(dir, 'Compute.template.json'),
    JSON.stringify({
      Resources: {
        TaskDefinition: {
          Type: 'AWS::ECS::TaskDefinition',
          Properties: { ContainerDefinitions: containers },
        },
      },
    }),
  );
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        Compute: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Compute.template.json' } },
      },
    }),
  );
  return dir;
}

describe('parseValueFrom', () => {
  it('reads the secret name from an ARN built with Fn::Join', () => {
    expect(parseValueFrom(joinedArn('zama/api-keys'))).toEqual({ secretId: 'zama/api-keys' });
  });

  it('reads a JSON key selector', () => {
    expect(parseValueFrom('arn:aws:secretsmanager:us-east-1:1:secret:db-creds:password::')).toEqual({
      secretId: 'db-creds',
      jsonKey: 'password',
    });
  });

  it('rejects a reference that is not a Secrets Manager ARN', () => {
    expect(() => parseValueFrom('arn:aws:ssm:us-east-1:1:parameter/x')).toThrow(
      /expected a Secrets Manager ARN/,
    );
    expect(() => parseValueFrom({ 'Fn::GetAtt': ['X', 'Arn'] })).toThrow(/expected a string or Fn::Join/);
  });
});

describe('containerSecrets', () => {
  it('lists the secrets of the named container', () => {
    // GIVEN a task definition with an api container and a sidecar
    const dir = assemblyWith([
      { Name: 'api', Secrets: [{ Name: 'API_KEYS', ValueFrom: joinedArn('zama/api-keys') }] },
      { Name: 'sidecar', Secrets: [{ Name: 'OTHER', ValueFrom: joinedArn('other') }] },
    ]);
    // WHEN reading the api container's secrets THEN only its own come back
    expect(containerSecrets(dir, 'api')).toEqual([{ name: 'API_KEYS', secretId: 'zama/api-keys' }]);
  });

  it('says what to do when the container is not in the assembly', () => {
    expect(() => containerSecrets(assemblyWith([{ Name: 'web' }]), 'api')).toThrow(
      /expected one container named api .* found 0: run make synth/,
    );
  });
});

describe('resolveSecrets', () => {
  const secretsManager = (values: Record<string, string>) =>
    ({
      send: async (command: GetSecretValueCommand) => ({
        SecretString: values[command.input.SecretId as string],
      }),
    }) as unknown as SecretsManagerClient;

  it('passes a whole secret through and selects a JSON key when asked', async () => {
    const client = secretsManager({ keys: '{"api_key_demo":"s3cr3t"}', db: '{"password":"pw","user":"u"}' });
    await expect(
      resolveSecrets(client, [
        { name: 'API_KEYS', secretId: 'keys' },
        { name: 'DB_PASSWORD', secretId: 'db', jsonKey: 'password' },
      ]),
    ).resolves.toEqual({ API_KEYS: '{"api_key_demo":"s3cr3t"}', DB_PASSWORD: 'pw' });
  });

  it('fails with the secret and variable names when a JSON key is missing', async () => {
    const client = secretsManager({ db: '{"user":"u"}' });
    await expect(
      resolveSecrets(client, [{ name: 'DB_PASSWORD', secretId: 'db', jsonKey: 'password' }]),
    ).rejects.toThrow('secret db has no key password (for DB_PASSWORD)');
  });
});
