import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckovFailure,
  type CheckovSkip,
  cfnLintCounts,
  checkovFailures,
  classifyCheckovFailures,
  loadCheckovSkips,
} from '../lib/template-findings';

const SKIP: CheckovSkip = {
  check: 'CKV_AWS_158',
  profiles: ['dev', 'prod'],
  resources: ['AWS::Logs::LogGroup.ApiLogGroup*'],
  reason: 'CloudWatch Logs encrypts at rest with service keys; a customer-managed key adds nothing here.',
};
const failure = (overrides: Partial<CheckovFailure> = {}): CheckovFailure => ({
  profile: 'dev',
  check: 'CKV_AWS_158',
  name: 'Ensure that CloudWatch Log Group is encrypted by KMS',
  resource: 'AWS::Logs::LogGroup.ApiLogGroup1DEDFC07',
  file: '/cdk-out-dev/Observability.template.json',
  ...overrides,
});

describe('the reviewed checkov skips', () => {
  test('infra/checks/checkov-skips.json is well-formed: a check, profiles, resources and a reason each', () => {
    // GIVEN / WHEN
    const skips = loadCheckovSkips();
    // THEN
    expect(skips.length).toBeGreaterThan(0);
    expect(new Set(skips.map((skip) => skip.check)).size).toBe(skips.length);
  });

  test('a skip without a reason is refused', () => {
    // GIVEN a list with a bare entry
    const file = join(mkdtempSync(join(tmpdir(), 'skips-')), 'skips.json');
    writeFileSync(
      file,
      JSON.stringify({ skips: [{ check: 'CKV_AWS_2', profiles: ['dev'], resources: ['*'] }] }),
    );
    // WHEN / THEN
    expect(() => loadCheckovSkips(file)).toThrow(
      /"resources" must list <type>\.<logical ID> patterns\n.*"reason" must say why/,
    );
  });
});

describe('classifyCheckovFailures', () => {
  test('accepts a failure on the list, for its profiles and resources only', () => {
    // GIVEN one listed failure, one on another resource, one of another check
    const failures = [
      failure(),
      failure({ resource: 'AWS::Logs::LogGroup.KongLogGroup4A914DE0' }),
      failure({ check: 'CKV_AWS_2', resource: 'AWS::ElasticLoadBalancingV2::Listener.Listener1' }),
    ];
    // WHEN
    const verdict = classifyCheckovFailures(failures, [SKIP], ['dev', 'prod']);
    // THEN
    expect(verdict.suppressed.map((f) => [f.resource, f.reason])).toEqual([
      ['AWS::Logs::LogGroup.ApiLogGroup1DEDFC07', SKIP.reason],
    ]);
    expect(verdict.unsuppressed.map((f) => f.resource)).toEqual([
      'AWS::Logs::LogGroup.KongLogGroup4A914DE0',
      'AWS::ElasticLoadBalancingV2::Listener.Listener1',
    ]);
    // and prod, where the listed failure did not occur, leaves the entry stale
    expect(verdict.stale).toEqual(['CKV_AWS_158 prod AWS::Logs::LogGroup.ApiLogGroup*']);
  });

  test('a skip for dev does not accept the same failure in prod', () => {
    // GIVEN a dev-only skip
    const skip = { ...SKIP, profiles: ['dev'] as const };
    // WHEN
    const verdict = classifyCheckovFailures([failure({ profile: 'prod' })], [skip], ['dev', 'prod']);
    // THEN
    expect(verdict.unsuppressed).toHaveLength(1);
    expect(verdict.stale).toEqual(['CKV_AWS_158 dev AWS::Logs::LogGroup.ApiLogGroup*']);
  });
});

describe('reading the tools', () => {
  const profileOfFile = (file: string) =>
    file.includes('cdk-out-dev') ? 'dev' : file.includes('cdk-out-prod') ? 'prod' : undefined;

  test("checkov's JSON: failed checks and passed counts by profile", () => {
    // GIVEN a list of reports as checkov prints for several files
    const output = JSON.stringify([
      {
        results: {
          passed_checks: [
            { file_path: '/cdk-out-dev/A.template.json' },
            { file_path: '/cdk-out-prod/A.template.json' },
          ],
          failed_checks: [
            {
              check_id: 'CKV_AWS_158',
              check_name: 'Ensure that CloudWatch Log Group is encrypted by KMS',
              resource: 'AWS::Logs::LogGroup.ApiLogGroup1DEDFC07',
              file_path: '/cdk-out-dev/Observability.template.json',
            },
          ],
        },
      },
    ]);
    // WHEN
    const { failures, passed } = checkovFailures(output, profileOfFile);
    // THEN
    expect(failures).toEqual([failure()]);
    expect(Object.fromEntries(passed)).toEqual({ dev: 1, prod: 1 });
  });

  test("cfn-lint's JSON: counts by level and profile", () => {
    // GIVEN two matches
    const matches = [
      {
        Level: 'Error',
        Message: 'bad',
        Filename: '/tmp/cdk-out-prod/A.template.json',
        Rule: { Id: 'E3002' },
      },
      {
        Level: 'Warning',
        Message: 'meh',
        Filename: '/tmp/cdk-out-dev/A.template.json',
        Rule: { Id: 'W3005' },
      },
    ] as const;
    // WHEN / THEN
    expect(Object.fromEntries(cfnLintCounts(matches, profileOfFile))).toEqual({
      prod: { Error: 1, Warning: 0, Informational: 0 },
      dev: { Error: 0, Warning: 1, Informational: 0 },
    });
  });
});
