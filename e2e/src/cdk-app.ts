import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readCloudAssembly, type SynthesizedStack } from '@zama/localstack';

const repoRoot = join(__dirname, '..', '..');
const cloudAssembly = join(repoRoot, 'infra', 'cdk.out');

/** Deploys the CDK app with the local profile through the same command users run. */
export async function deployLocal(endpoint: string): Promise<void> {
  try {
    await promisify(execFile)('npm', ['run', '--silent', 'deploy:local', '-w', '@zama/localstack'], {
      cwd: repoRoot,
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`deploy:local failed against ${endpoint}\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** The stacks of the cloud assembly that the last deploy synthesized. */
export function synthesizedStacks(): SynthesizedStack[] {
  return readCloudAssembly(cloudAssembly);
}
