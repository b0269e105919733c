import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const infraDir = join(__dirname, '..', '..', 'infra');

/**
 * The README's "Deploying into an emulator by hand", command for command, as a user runs it
 * from infra/ in a fresh shell (a subshell there, so that nothing stays set for `cdk deploy`).
 */
export const CDKLOCAL_SEQUENCE = [
  'set -a; . ../localstack/cdklocal.env; set +a',
  'npx cdklocal bootstrap',
  'npx cdklocal deploy --all',
  'npm run --silent fill-gaps -w @zama/localstack',
] as const;

export interface TimedCommand {
  readonly command: string;
  readonly seconds: number;
}

/**
 * Variables of the calling shell that would stand in for cdklocal.env's settings, so that the
 * sequence can only pass on what the project supplies.
 */
const SHELL_SETTINGS = /^(CDK_|AWS_ENDPOINT_URL|PLATFORM_PROFILE$|CLOUD_ASSEMBLY_DIR$)/;

/**
 * Runs {@link CDKLOCAL_SEQUENCE} against the emulator at `endpoint` (in place of cdklocal.env's
 * default, the local platform's) and resolves with how long each command took. The shell traces
 * each command as it starts (`set -x`), which is where the times come from. Rejects with the end
 * of the output when a command fails.
 */
export function runCdklocalSequence(endpoint: string): Promise<TimedCommand[]> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SHELL_SETTINGS.test(name)));
  const commands: readonly string[] = CDKLOCAL_SEQUENCE.slice(1);
  // cdklocal.env makes a CDK_HOME in TMPDIR at each sourcing: here, one that goes afterwards.
  const scratch = mkdtempSync(join(tmpdir(), 'cdklocal-e2e-'));
  return new Promise<TimedCommand[]>((resolve, reject) => {
    const child = spawn('sh', ['-xec', CDKLOCAL_SEQUENCE.join('\n')], {
      cwd: infraDir,
      env: { ...env, AWS_ENDPOINT_URL: endpoint, TMPDIR: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const started: { command: string; at: number }[] = [];
    const collect = () => {
      let partial = '';
      return (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          output.push(line);
          const command = line.startsWith('+ ') ? line.slice(2).trim() : undefined;
          if (command && commands.includes(command)) started.push({ command, at: Date.now() });
        }
      };
    };
    child.stdout.on('data', collect());
    child.stderr.on('data', collect());
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || started.length !== commands.length) {
        reject(
          new Error(
            `the cdklocal sequence failed against ${endpoint} (exit ${code}):\n${output.slice(-80).map(clip).join('\n')}`,
          ),
        );
        return;
      }
      const ended = Date.now();
      resolve(
        started.map(({ command, at }, i) => ({
          command,
          seconds: ((started[i + 1]?.at ?? ended) - at) / 1000,
        })),
      );
    });
  }).finally(() => rmSync(scratch, { recursive: true, force: true }));
}

/** A minified source line in a stack trace would otherwise fill the report. */
function clip(line: string): string {
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
