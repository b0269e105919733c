import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Token } from 'aws-cdk-lib';
import { MODULES } from '../scripts/synthesize';
import { platformOf } from './support';

describe('the CDK app', () => {
  test('deploys the four stacks under the profile prefix, in the profile region, to any account', () => {
    // GIVEN the dev profile
    // WHEN
    const { platform } = platformOf('dev');
    // THEN
    expect(MODULES.map((module) => platform[module].stackName)).toEqual([
      'zama-api-platform-dev-networking',
      'zama-api-platform-dev-secrets',
      'zama-api-platform-dev-observability',
      'zama-api-platform-dev-compute',
    ]);
    for (const module of MODULES) {
      expect(platform[module].region).toBe('eu-west-3');
      expect(Token.isUnresolved(platform[module].account)).toBe(true);
    }
  });

  test('wires the stacks like the seed modules: networking and secrets alone, observability on networking, compute on all', () => {
    // GIVEN the dev profile
    // WHEN
    const { platform } = platformOf('dev');
    const dependencies = (module: (typeof MODULES)[number]) =>
      platform[module].dependencies
        .map((stack) => stack.stackName.replace('zama-api-platform-dev-', ''))
        .sort();
    // THEN
    expect(dependencies('networking')).toEqual([]);
    expect(dependencies('secrets')).toEqual([]);
    expect(dependencies('observability')).toEqual(['networking']);
    expect(dependencies('compute')).toEqual(['networking', 'observability', 'secrets']);
  });

  test('fails synthesis with one clear line for an unknown profile', async () => {
    // GIVEN PLATFORM_PROFILE names no profile
    const infra = join(__dirname, '..');
    // WHEN the app runs
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: infra,
      env: { ...process.env, PLATFORM_PROFILE: 'staging' },
    });
    // THEN
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr:
        'Unknown profile "staging": choose one of local, dev, prod (with -c profile=<name> or PLATFORM_PROFILE=<name>)\n',
    });
  });
});
