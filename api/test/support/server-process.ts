import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const API_DIR = join(__dirname, '..', '..');
export const SERVER_JS = join(API_DIR, 'dist', 'server.js');

/** Compiles src/ to dist/ exactly as `npm run build -w api` does. */
export function buildServer(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: API_DIR,
    stdio: 'pipe',
  });
}

export type LogEntry = Record<string, unknown>;

/** The built server in a child process, with its stdout read as JSON log lines. */
export class ServerProcess {
  readonly entries: LogEntry[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();

  constructor(environment: NodeJS.ProcessEnv, args: string[] = [SERVER_JS]) {
    this.#child = spawn(process.execPath, args, {
      cwd: API_DIR,
      env: { PATH: process.env.PATH, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.#child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.entries.push(JSON.parse(line) as LogEntry);
      for (const wake of this.#waiters) wake();
    });
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        for (const wake of this.#waiters) wake();
        resolve({ code, signal });
      });
    });
  }

  signal(name: NodeJS.Signals): void {
    this.#child.kill(name);
  }

  /** Resolves with the first log entry that satisfies the predicate, waiting up to timeoutMs. */
  waitFor(predicate: (entry: LogEntry) => boolean, timeoutMs = 10_000): Promise<LogEntry> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.entries.find(predicate);
        if (found) {
          finish();
          resolve(found);
        } else if (this.#child.exitCode !== null) {
          finish();
          reject(new Error(`the server exited first; stderr: ${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no matching log line within ${timeoutMs} ms; got ${JSON.stringify(this.entries)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  async port(): Promise<number> {
    const listening = await this.waitFor((entry) => entry.msg === 'listening');
    return listening.port as number;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}
