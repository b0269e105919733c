/**
 * Rendering the file Kong loads: the committed policy plus one consumer per key of the API keys
 * secret, written where the gateway reads it; keys never appear in a message.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type DeckFile, parseDeckFile } from '../../src/gateway/deck-file';
import { writeGatewayConfig } from '../../src/gateway/gateway-config';
import {
  apiKeysSecretId,
  consumersFromSecret,
  gatewayConfigYaml,
  gatewayLimits,
  readGatewayTemplate,
  renderGatewayConfig,
} from '../../src/gateway/render';

const SECRET = 'zama-api-platform-local/api-keys';

/** A cloud assembly whose api container gets `API_KEYS` from the given secret reference. */
function assemblyWithApiKeys(valueFrom: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-assembly-'));
  const taskDefinition = {
    Type: 'AWS::ECS::TaskDefinition',
    Properties: {
      ContainerDefinitions: [{ Name: 'api', Secrets: [{ Name: 'API_KEYS', ValueFrom: valueFrom }] }],
    },
  };
  writeFileSync(
    join(dir, 'Compute.template.json'),
    JSON.stringify({ Resources: { TaskDefinition: taskDefinition } }),
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

const secretArn = (suffix: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${suffix}`;

/** Answers GetSecretValue with the given value and records what was asked. */
function fakeSecretsManager(secretString: string | undefined) {
  const asked: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      asked.push(command.input);
      return { SecretString: secretString };
    },
  } as unknown as SecretsManagerClient;
  return { client, asked };
}

describe('consumersFromSecret', () => {
  it('makes one consumer per key, named after it', () => {
    expect(consumersFromSecret('{"api_key_demo":"k1","partner":"k2"}', SECRET)).toEqual([
      { username: 'api_key_demo', keyauth_credentials: [{ key: 'k1' }] },
      { username: 'partner', keyauth_credentials: [{ key: 'k2' }] },
    ]);
  });

  it.each([
    ['not JSON', 'secret-value-123', /it is not JSON/],
    ['a JSON array', '["secret-value-123"]', /must be a JSON object/],
    ['an empty object', '{}', /holds no key/],
    [
      'an object with a key that is not a string',
      '{"a":"secret-value-123","b":42}',
      /not a non-empty string: b$/,
    ],
    ['an object with an empty key', '{"a":"secret-value-123","b":""}', /not a non-empty string: b$/],
  ])('refuses a secret that is %s, naming the secret but no value', (_, secretString, problem) => {
    const refuse = () => consumersFromSecret(secretString, SECRET);
    expect(refuse).toThrow(problem);
    expect(refuse).toThrow(new RegExp(SECRET));
    expect(refuse).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-value-123') }),
    );
  });
});

describe('renderGatewayConfig', () => {
  const template = readGatewayTemplate();
  const consumers = consumersFromSecret('{"api_key_demo":"k1"}', SECRET);

  it('adds the consumers and keeps the policy', () => {
    const rendered = renderGatewayConfig(template, { consumers });
    expect(rendered.consumers).toEqual(consumers);
    expect(rendered.services).toEqual(template.services);
  });

  it('forwards to the given upstream, as when rendering for Kong Konnect', () => {
    const upstreamUrl = 'http://zama-api-platform-dev-alb-123.eu-west-3.elb.amazonaws.com:8080';
    const rendered = renderGatewayConfig(template, { consumers, upstreamUrl });
    expect(rendered.services.map((service) => service.url)).toEqual([upstreamUrl]);
    expect(rendered.services[0].routes).toEqual(template.services[0].routes);
  });

  it('refuses an upstream that is not a URL', () => {
    expect(() => renderGatewayConfig(template, { consumers, upstreamUrl: 'alb:8080' })).toThrow(/url/);
  });
});

describe('gatewayConfigYaml', () => {
  it('is the same configuration in YAML, headed by a warning that it holds keys', () => {
    const rendered = renderGatewayConfig(readGatewayTemplate(), {
      consumers: consumersFromSecret('{"api_key_demo":"k1"}', SECRET),
    });
    const yaml = gatewayConfigYaml(rendered, SECRET);
    expect(yaml).toMatch(/^# .*\n# It holds API keys: keep it out of the repository\.\n/);
    expect(parseDeckFile(yaml, 'the rendered file')).toEqual(rendered);
  });
});

describe('gatewayLimits', () => {
  const withSizeLimit = (
    allowed_payload_size: number,
    size_unit: 'bytes' | 'kilobytes' | 'megabytes',
  ): DeckFile => {
    const file = structuredClone(readGatewayTemplate());
    const plugin = file.services[0].routes[0].plugins?.find(
      (entry) => entry.name === 'request-size-limiting',
    );
    if (plugin?.name !== 'request-size-limiting') throw new Error('the template lost its size limit');
    plugin.config = { ...plugin.config, allowed_payload_size, size_unit };
    return file;
  };

  it.each([
    [16384, 'bytes', 16384],
    [16, 'kilobytes', 16384],
    [1, 'megabytes', 1048576],
  ] as const)('reads %d %s as %d bytes', (size, unit, bytes) => {
    expect(gatewayLimits(withSizeLimit(size, unit)).bodyBytes).toBe(bytes);
  });

  it('refuses a policy whose api route lost one of its checks', () => {
    const file = structuredClone(readGatewayTemplate());
    file.services[0].routes[0].plugins = file.services[0].routes[0].plugins?.filter(
      (entry) => entry.name !== 'rate-limiting',
    );
    expect(() => gatewayLimits(file)).toThrow(
      /route api must enable key-auth, rate-limiting and request-size-limiting/,
    );
  });
});

describe('apiKeysSecretId', () => {
  it('is the secret the api container gets whole as API_KEYS', () => {
    expect(apiKeysSecretId(assemblyWithApiKeys(secretArn(SECRET)))).toBe(SECRET);
  });

  it('refuses a reference to one JSON key of a secret: the gateway needs every key', () => {
    expect(() => apiKeysSecretId(assemblyWithApiKeys(`${secretArn(SECRET)}:api_key_demo::`))).toThrow(
      /gets no whole secret as API_KEYS/,
    );
  });
});

describe('writeGatewayConfig', () => {
  it('reads the api tasks secret and writes the rendered file whole, readable by the gateway', async () => {
    const configFile = join(mkdtempSync(join(tmpdir(), 'gateway-config-')), 'gateway', 'kong.yaml');
    const { client, asked } = fakeSecretsManager('{"api_key_demo":"k1"}');

    const { config } = await writeGatewayConfig(client, {
      cloudAssemblyDir: assemblyWithApiKeys(secretArn(SECRET)),
      configFile,
    });

    expect(asked).toEqual([{ SecretId: SECRET }]);
    expect(parseDeckFile(readFileSync(configFile, 'utf8'), configFile)).toEqual(config);
    expect(config.consumers?.map((consumer) => consumer.username)).toEqual(['api_key_demo']);
    expect(statSync(configFile).mode & 0o777).toBe(0o644);
  });

  it('says which secret has no string value', async () => {
    const { client } = fakeSecretsManager(undefined);
    await expect(
      writeGatewayConfig(client, {
        cloudAssemblyDir: assemblyWithApiKeys(secretArn(SECRET)),
        configFile: join(mkdtempSync(join(tmpdir(), 'gateway-config-')), 'kong.yaml'),
      }),
    ).rejects.toThrow(`secret ${SECRET} has no string value`);
  });
});
