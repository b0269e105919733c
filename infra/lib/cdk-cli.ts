/** Runs the CDK CLI of this workspace (the aws-cdk devDependency) from the infra directory. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DefaultStackSynthesizer } from 'aws-cdk-lib';
import { INFRA_DIR } from './synthesize';

const CDK_BIN = require.resolve('aws-cdk/bin/cdk');

/**
 * Where the scripts have `cdk synth` write the cloud assembly: cdk.json's `output`, unless
 * CLOUD_ASSEMBLY_DIR says otherwise (the compose deploy service mounts infra/ read-only).
 */
export const CLOUD_ASSEMBLY_DIR = process.env.CLOUD_ASSEMBLY_DIR?.trim() || join(INFRA_DIR, 'cdk.out');

/** The SSM parameter of the bootstrap stack's version, as `cdk deploy --parameters` names it. */
export const BOOTSTRAP_VERSION_PARAMETER = `/cdk-bootstrap/${DefaultStackSynthesizer.DEFAULT_QUALIFIER}/version`;

/**
 * Settings every CLI run from the scripts shares: nothing that needs the network (no EC2
 * metadata probe when there are no credentials, no check for a newer CLI), and no built-in
 * template validation (seconds; `make test` runs it with findings as errors).
 */
export const QUIET_CDK_ENV = {
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_VALIDATION: 'false',
} as const;

/**
 * Resolves with the CLI's exit code. Its output goes straight to this process's, or, when
 * `quiet`, only if it fails. It runs in `cwd`, by default infra/ where cdk.json names the app; a
 * command that needs no app runs elsewhere, or the CLI would synthesize it anyway.
 */
export function runCdk(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  { quiet = false, cwd = INFRA_DIR }: { quiet?: boolean; cwd?: string } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CDK_BIN, ...args], {
      cwd,
      env,
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    const output: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const status = code ?? (signal ? 128 : 1);
      if (status !== 0 && quiet) process.stderr.write(Buffer.concat(output));
      resolve(status);
    });
  });
}
