import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const repoRoot = join(__dirname, '..', '..');
const cloudAssembly = join(repoRoot, 'infra', 'cdk.out');

export interface SynthesizedStack {
  readonly stackName: string;
  readonly resources: Record<string, { Type: string }>;
}

/** Deploys the CDK app with the local profile through the same command users run. */
export async function deployLocal(endpoint: string): Promise<void> {
  try {
    await promisify(execFile)('npm', ['run', '--silent', 'deploy:local', '-w', 'infra'], {
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
  const manifest = JSON.parse(readFileSync(join(cloudAssembly, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile: string; stackName?: string } }>;
  };
  return Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([id, artifact]) => {
      const properties = artifact.properties as { templateFile: string; stackName?: string };
      const template = JSON.parse(readFileSync(join(cloudAssembly, properties.templateFile), 'utf8'));
      return { stackName: properties.stackName ?? id, resources: template.Resources ?? {} };
    });
}
