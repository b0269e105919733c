/**
 * What bin/template-checks.ts makes of cfn-lint's and checkov's JSON output: counts per
 * profile, and the checkov failures matched against the one reviewed list of accepted findings
 * (infra/checks/checkov-skips.json). Pure, for the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_DIR } from './synthesize';

export const CHECKOV_SKIPS_PATH = join(INFRA_DIR, 'checks', 'checkov-skips.json');

export type CheckedProfile = 'dev' | 'prod';

export interface CheckovSkip {
  readonly check: string;
  readonly profiles: readonly CheckedProfile[];
  /** `<type>.<logical ID>`, `*` matching any characters. */
  readonly resources: readonly string[];
  readonly reason: string;
}

/** Reads and validates the reviewed list; throws naming every malformed entry. */
export function loadCheckovSkips(path: string = CHECKOV_SKIPS_PATH): CheckovSkip[] {
  const { skips } = JSON.parse(readFileSync(path, 'utf8')) as { skips?: unknown };
  if (!Array.isArray(skips)) throw new Error(`${path}: no "skips" list`);
  const problems = skips.flatMap((skip: Partial<CheckovSkip>, index) => {
    const where = `${path}: skips[${index}]`;
    return [
      ...(typeof skip.check === 'string' && /^CKV2?_AWS_\d+$/.test(skip.check)
        ? []
        : [`${where}: "check" must be a checkov AWS check id`]),
      ...(Array.isArray(skip.profiles) &&
      skip.profiles.length > 0 &&
      skip.profiles.every((p) => p === 'dev' || p === 'prod')
        ? []
        : [`${where}: "profiles" must list dev and/or prod`]),
      ...(Array.isArray(skip.resources) &&
      skip.resources.length > 0 &&
      skip.resources.every((r) => typeof r === 'string' && /^AWS::\w+::\w+\.[\w*]+$/.test(r))
        ? []
        : [`${where}: "resources" must list <type>.<logical ID> patterns`]),
      ...(typeof skip.reason === 'string' && skip.reason.length >= 60
        ? []
        : [`${where}: "reason" must say why, in at least 60 characters`]),
    ];
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return skips as CheckovSkip[];
}

/** A failed check of checkov's JSON output. */
export interface CheckovFailure {
  readonly profile: CheckedProfile;
  readonly check: string;
  readonly name: string;
  /** `<type>.<logical ID>` */
  readonly resource: string;
  readonly file: string;
}

export interface CheckovVerdict {
  readonly suppressed: ReadonlyArray<CheckovFailure & { readonly reason: string }>;
  readonly unsuppressed: readonly CheckovFailure[];
  /** Skip entries (check, profile, resource pattern) that matched no failure. */
  readonly stale: readonly string[];
}

function matches(pattern: string, resource: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return regex.test(resource);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function classifyCheckovFailures(
  failures: readonly CheckovFailure[],
  skips: readonly CheckovSkip[],
  profiles: readonly CheckedProfile[],
): CheckovVerdict {
  const suppressed: Array<CheckovFailure & { reason: string }> = [];
  const unsuppressed: CheckovFailure[] = [];
  const used = new Set<string>();
  const key = (check: string, profile: string, pattern: string) => `${check} ${profile} ${pattern}`;
  for (const failure of failures) {
    let reason: string | undefined;
    for (const skip of skips) {
      if (skip.check !== failure.check || !skip.profiles.includes(failure.profile)) continue;
      const pattern = skip.resources.find((candidate) => matches(candidate, failure.resource));
      if (pattern !== undefined) {
        used.add(key(skip.check, failure.profile, pattern));
        reason = skip.reason;
        break;
      }
    }
    if (reason === undefined) unsuppressed.push(failure);
    else suppressed.push({ ...failure, reason });
  }
  const stale = skips.flatMap((skip) =>
    skip.profiles
      .filter((profile) => profiles.includes(profile))
      .flatMap((profile) =>
        skip.resources
          .filter((pattern) => !used.has(key(skip.check, profile, pattern)))
          .map((pattern) => `${skip.check} ${profile} ${pattern}`),
      ),
  );
  return { suppressed, unsuppressed, stale };
}

/** The failed checks of `checkov -o json` (one report, or a list of them), by profile. */
export function checkovFailures(
  output: string,
  profileOfFile: (file: string) => CheckedProfile | undefined,
): { failures: CheckovFailure[]; passed: Map<CheckedProfile, number> } {
  const parsed = JSON.parse(output) as unknown;
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
    results?: {
      passed_checks?: Array<{ file_path: string }>;
      failed_checks?: Array<{ check_id: string; check_name: string; resource: string; file_path: string }>;
    };
  }>;
  const failures: CheckovFailure[] = [];
  const passed = new Map<CheckedProfile, number>();
  for (const report of reports) {
    for (const check of report.results?.passed_checks ?? []) {
      const profile = profileOfFile(check.file_path);
      if (profile) passed.set(profile, (passed.get(profile) ?? 0) + 1);
    }
    for (const check of report.results?.failed_checks ?? []) {
      const profile = profileOfFile(check.file_path);
      if (!profile) throw new Error(`checkov reported ${check.file_path}, which is no checked template`);
      failures.push({
        profile,
        check: check.check_id,
        name: check.check_name,
        resource: check.resource,
        file: check.file_path,
      });
    }
  }
  return { failures, passed };
}

/** A match of `cfn-lint --format json`. */
export interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: { readonly Start?: { readonly LineNumber?: number } };
}

export function cfnLintCounts(
  matches: readonly CfnLintMatch[],
  profileOfFile: (file: string) => CheckedProfile | undefined,
): Map<CheckedProfile, Record<CfnLintMatch['Level'], number>> {
  const counts = new Map<CheckedProfile, Record<CfnLintMatch['Level'], number>>();
  for (const match of matches) {
    const profile = profileOfFile(match.Filename);
    if (!profile) throw new Error(`cfn-lint reported ${match.Filename}, which is no checked template`);
    const count = counts.get(profile) ?? { Error: 0, Warning: 0, Informational: 0 };
    count[match.Level] += 1;
    counts.set(profile, count);
  }
  return counts;
}
