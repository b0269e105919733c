/**
 * `make check-templates`: synthesizes the dev and prod profiles offline (with the made-up
 * EXAMPLE_SETTINGS of lib/settings.ts: an example.com e-mail, prod a documentation certificate)
 * and runs cfn-lint and checkov on their templates. Prints each tool's summary and exits 1 on a
 * cfn-lint error or on a failed checkov check not accepted, with its reason, in
 * infra/checks/checkov-skips.json (and on an entry there that no longer matches anything); 2
 * when a tool is missing. cdk-nag runs in `make test` (infra/test/nag.test.ts).
 *
 * The tools: CFN_LINT and CHECKOV name them, else .local/venv-checks/bin/, else the PATH:
 *   python3 -m venv .local/venv-checks && .local/venv-checks/bin/pip install cfn-lint checkov
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { runMain } from '../lib/cli';
import { EXAMPLE_SETTINGS, settingsAsContext } from '../lib/settings';
import { INFRA_DIR, synthesizePlatform } from '../lib/synthesize';
import {
  type CfnLintMatch,
  CHECKOV_SKIPS_PATH,
  type CheckedProfile,
  cfnLintCounts,
  checkovFailures,
  classifyCheckovFailures,
  loadCheckovSkips,
} from '../lib/template-findings';

const PROFILES: readonly CheckedProfile[] = ['dev', 'prod'];
const VENV_BIN = join(INFRA_DIR, '..', '.local', 'venv-checks', 'bin');
const INSTALL = 'python3 -m venv .local/venv-checks && .local/venv-checks/bin/pip install cfn-lint checkov';

function tool(name: string, variable: string): string | undefined {
  const candidates = [process.env[variable]?.trim(), join(VENV_BIN, name), name].filter(
    (candidate): candidate is string => Boolean(candidate),
  );
  return candidates.find(
    (candidate) => spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0,
  );
}

function version(command: string): string {
  return spawnSync(command, ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
}

function main(): number {
  const cfnLint = tool('cfn-lint', 'CFN_LINT');
  const checkov = tool('checkov', 'CHECKOV');
  const missing = [...(cfnLint ? [] : ['cfn-lint (CFN_LINT)']), ...(checkov ? [] : ['checkov (CHECKOV)'])];
  if (!cfnLint || !checkov) {
    console.error(`check-templates: not found: ${missing.join(', ')}; install with: ${INSTALL}`);
    return 2;
  }
  const skips = loadCheckovSkips();

  // The example settings, given explicitly: nothing here is ever deployed.
  const outdirs = new Map<CheckedProfile, string>();
  for (const profile of PROFILES) {
    const { app } = synthesizePlatform(profile, { context: settingsAsContext(EXAMPLE_SETTINGS[profile]) });
    outdirs.set(profile, app.outdir);
  }
  const templates = PROFILES.flatMap((profile) => {
    const dir = outdirs.get(profile) as string;
    return readdirSync(dir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => join(dir, file));
  });
  const profileOfFile = (file: string) =>
    PROFILES.find((profile) => file.includes(basename(outdirs.get(profile) as string)));
  console.log(
    `check-templates: ${templates.length} templates of ${PROFILES.join(' and ')}, synthesized with EXAMPLE_SETTINGS (lib/settings.ts)`,
  );

  let failed = false;

  // cfn-lint: exit status is a bit mask (2 errors, 4 warnings, 8 informational); the JSON says which.
  const lint = spawnSync(cfnLint, ['--format', 'json', ...templates], { encoding: 'utf8' });
  if (lint.status === null || lint.status === 1 || lint.stdout.trim() === '') {
    console.error(`check-templates: cfn-lint did not run: ${lint.stderr || lint.error?.message}`);
    return 1;
  }
  const matches = JSON.parse(lint.stdout) as CfnLintMatch[];
  const lintCounts = cfnLintCounts(matches, profileOfFile);
  for (const profile of PROFILES) {
    const count = lintCounts.get(profile) ?? { Error: 0, Warning: 0, Informational: 0 };
    console.log(
      `${version(cfnLint)}: ${profile}: ${count.Error} errors, ${count.Warning} warnings, ${count.Informational} informational`,
    );
    if (count.Error > 0) failed = true;
  }
  for (const match of matches) {
    const line = match.Location?.Start?.LineNumber;
    console.log(
      `  ${match.Level} ${match.Rule.Id} ${relative(tmpdir(), match.Filename)}${line ? `:${line}` : ''}: ${match.Message}`,
    );
  }

  // checkov, offline (--skip-download), run from the temporary directory so paths stay short.
  const scan = spawnSync(
    checkov,
    [
      '--framework',
      'cloudformation',
      '--output',
      'json',
      '--compact',
      '--skip-download',
      ...templates.flatMap((file) => ['--file', file]),
    ],
    { encoding: 'utf8', cwd: tmpdir(), maxBuffer: 64 * 1024 * 1024 },
  );
  if (scan.status === null || scan.stdout.trim() === '') {
    console.error(`check-templates: checkov did not run: ${scan.stderr || scan.error?.message}`);
    return 1;
  }
  const { failures, passed } = checkovFailures(scan.stdout, profileOfFile);
  const verdict = classifyCheckovFailures(failures, skips, PROFILES);
  const skipsFile = relative(join(INFRA_DIR, '..'), CHECKOV_SKIPS_PATH);
  for (const profile of PROFILES) {
    const count = (list: ReadonlyArray<{ profile: CheckedProfile }>) =>
      list.filter((failure) => failure.profile === profile).length;
    console.log(
      `checkov ${version(checkov)}: ${profile}: ${passed.get(profile) ?? 0} passed, ${count(failures)} failed: ${count(verdict.suppressed)} accepted in ${skipsFile}, ${count(verdict.unsuppressed)} not`,
    );
  }
  for (const failure of verdict.unsuppressed) {
    console.log(
      `  NOT ACCEPTED ${failure.check} (${failure.name}) ${failure.profile}: ${failure.resource} in ${basename(failure.file)}`,
    );
  }
  for (const entry of verdict.stale) console.log(`  STALE ${skipsFile}: ${entry} matches no failed check`);
  if (verdict.unsuppressed.length > 0 || verdict.stale.length > 0) failed = true;

  console.log(`check-templates: ${failed ? 'FAILED' : 'passed'} (cdk-nag runs in make test)`);
  return failed ? 1 : 0;
}

runMain('check-templates', async () => main());
