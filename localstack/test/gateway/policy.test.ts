/**
 * The gateway enforces the API's own limits and reads the keys the API reads, for every profile:
 * these tests fail when the policy and the synthesized task definition disagree.
 */

import { type AppState, apiKeyCheck, loadConfig } from '@zama/api';
import { PROFILE_NAMES, PROFILES, type ProfileName, platformNames, synthesizeExample } from '@zama/infra';
import { apiKeysSecretId, gatewayLimits, readGatewayTemplate } from '../../src/gateway/render';

interface ContainerDefinition {
  Name: string;
  Environment?: Array<{ Name: string; Value: string }>;
}

/** The api container's environment and the cloud assembly directory of one profile. */
function synthesizedApi(profile: ProfileName): {
  environment: Record<string, string>;
  cloudAssemblyDir: string;
} {
  // dev and prod need an alerts e-mail (prod a certificate) to synthesize: the example ones.
  const { assemblyDir, templates } = synthesizeExample(profile);
  const containers = Object.values(templates.compute.Resources)
    .filter((resource) => resource.Type === 'AWS::ECS::TaskDefinition')
    .flatMap((resource) => (resource.Properties?.ContainerDefinitions as ContainerDefinition[]) ?? []);
  const api = containers.find((container) => container.Name === 'api');
  if (!api) throw new Error(`the ${profile} profile synthesizes no api container`);
  const environment = Object.fromEntries((api.Environment ?? []).map(({ Name, Value }) => [Name, Value]));
  return { environment, cloudAssemblyDir: assemblyDir };
}

const limits = gatewayLimits(readGatewayTemplate());

describe.each(PROFILE_NAMES)('the gateway policy and the %s profile', (profile) => {
  const { environment, cloudAssemblyDir } = synthesizedApi(profile);
  // What the api tasks of this profile enforce: their environment, the API's defaults for the rest.
  const api = loadConfig({ ...environment, AUTH_DISABLED: 'true' });

  it('allows each key as many requests per minute as the API does', () => {
    expect(limits.requestsPerMinute).toBe(api.rateLimitPerMinute);
  });

  it('refuses request bodies above the API body limit, to the byte', () => {
    expect(limits.bodyBytes).toBe(api.bodyLimitBytes);
  });

  it('reads its consumers from the secret the api tasks get as API_KEYS', () => {
    expect(apiKeysSecretId(cloudAssemblyDir)).toBe(platformNames(PROFILES[profile].prefix).secrets.apiKeys);
  });
});

describe('the key header', () => {
  it('is the header the API takes its key from, so a key passed on by the gateway is checked again', () => {
    const check = apiKeyCheck(new Map([['api_key_demo', 'the-key']]));
    const headers: Record<string, string> = { [limits.keyHeader.toLowerCase()]: 'the-key' };
    const ctx = { get: (name: string) => headers[name.toLowerCase()] ?? '', state: {} as AppState };
    check(ctx as never);
    expect(ctx.state.apiKeyName).toBe('api_key_demo');
  });
});
