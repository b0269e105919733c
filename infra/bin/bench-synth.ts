/**
 * `npm run bench:synth`: wall time of `cdk synth` of all four stacks, as `make synth` runs it
 * (CLI, app through tsx, no built-in template validation), for each profile, plus one run with
 * the validation to show what it costs; then the resource count of each stack.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { QUIET_CDK_ENV, runCdk } from '../lib/cdk-cli';
import { runMain } from '../lib/cli';
import { PROFILE_NAMES, type ProfileName } from '../lib/profiles';
import { EXAMPLE_SETTINGS, settingsAsContext } from '../lib/settings';

interface Run {
  readonly profile: ProfileName;
  readonly validation: boolean;
  readonly seconds: number;
  readonly stacks: CloudFormationStackArtifact[];
}

async function synth(profile: ProfileName, validation: boolean): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const env = { ...process.env, ...QUIET_CDK_ENV, CDK_VALIDATION: validation ? 'true' : 'false' };
  const started = process.hrtime.bigint();
  // dev and prod need deployment settings: the made-up ones every offline synthesis uses.
  const settings = Object.entries(settingsAsContext(EXAMPLE_SETTINGS[profile])).flatMap(([key, value]) => [
    '-c',
    `${key}=${value}`,
  ]);
  const code = await runCdk(
    ['synth', '--quiet', '-c', `profile=${profile}`, ...settings, '-o', outdir],
    env,
    {
      quiet: true,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`cdk synth (${profile}) exited with ${code}`);
  return { profile, validation, seconds, stacks: new CloudAssembly(outdir).stacks };
}

async function main(): Promise<number> {
  const runs: Run[] = [];
  for (const profile of PROFILE_NAMES) runs.push(await synth(profile, false));
  runs.push(await synth('dev', true));

  console.log(`\ncdk synth of the four stacks (wall time, Node ${process.version})\n`);
  console.log('| profile | built-in validation | seconds |');
  console.log('|---|---|---:|');
  for (const run of runs)
    console.log(`| ${run.profile} | ${run.validation ? 'yes' : 'no'} | ${run.seconds.toFixed(1)} |`);

  console.log('\nresources per stack\n');
  const stackNames = runs[0]?.stacks.map((stack) => stack.id) ?? [];
  console.log(`| profile | ${stackNames.join(' | ')} | total |`);
  console.log(`|---|${stackNames.map(() => '---:|').join('')}---:|`);
  for (const run of runs.filter((r) => !r.validation)) {
    const counts = run.stacks.map((stack) => Object.keys(stack.template.Resources).length);
    console.log(`| ${run.profile} | ${counts.join(' | ')} | ${counts.reduce((a, b) => a + b, 0)} |`);
  }
  return 0;
}

runMain('bench:synth', main);
