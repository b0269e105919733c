import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isNotification, skipReason, uniquePrefix } from '../bin/integ-aws';
import { checkProfile, PROFILES } from '../lib/profiles';

/** An environment in which the SDK finds no credentials and asks no metadata endpoint. */
function withoutCredentials(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'CDK_CONTEXT_JSON'),
  );
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

describe('make integ-aws', () => {
  test('without AWS credentials reports itself SKIPPED with the reason, never passed, and exits 0', async () => {
    // GIVEN no credentials anywhere
    // WHEN the script runs
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bin/integ-aws.ts'],
      { cwd: join(__dirname, '..'), env: withoutCredentials() },
    );
    // THEN (a non-zero exit would have rejected)
    expect(stdout).toMatch(
      /^integ-aws: SKIPPED: no AWS credentials: .+; set AWS_PROFILE or AWS_ACCESS_KEY_ID/,
    );
    expect(stdout).not.toMatch(/PASSED|deploying/);
    expect(stderr).toBe('');
  }, 30_000);

  test('skipReason names the AWS profile it could not use', async () => {
    // GIVEN a named profile that does not exist
    const saved = { ...process.env };
    Object.assign(process.env, withoutCredentials(), { AWS_PROFILE: 'no-such-profile' });
    try {
      // WHEN
      const reason = await skipReason(process.env);
      // THEN
      expect(reason).toMatch(/^no AWS credentials \(AWS_PROFILE=no-such-profile\): /);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  test('deploys under a unique prefix the dev profile accepts', () => {
    // GIVEN / WHEN
    const prefix = uniquePrefix();
    // THEN
    expect(prefix).toMatch(/^zapi-integ-[0-9a-f]{6}$/);
    expect(uniquePrefix()).not.toBe(prefix);
    expect(
      checkProfile(PROFILES.dev, {
        prefix,
        alertsEmail: 'integ-alerts@example.com',
        adminCidrs: ['192.0.2.1/32'],
      }).problems,
    ).toEqual([]);
  });

  test('recognizes the notification of a forced alarm state in an SQS message', () => {
    // GIVEN the body SNS delivers to SQS for a CloudWatch alarm
    const body = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({ AlarmName: 'zapi-integ-abc123-kong-cpu-high', NewStateValue: 'ALARM' }),
    });
    // WHEN / THEN
    expect(isNotification(body, 'zapi-integ-abc123-kong-cpu-high', 'ALARM')).toBe(true);
    expect(isNotification(body, 'zapi-integ-abc123-kong-cpu-high', 'OK')).toBe(false);
    expect(isNotification(body, 'other', 'ALARM')).toBe(false);
    expect(isNotification('not json', 'other', 'ALARM')).toBe(false);
  });
});
