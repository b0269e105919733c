/**
 * What every command-line tool of the local data plane shares (each entry point in bin/ is
 * a call of {@link runMain}): one error line, `<tool>: <what is wrong and what to do>`, and
 * the same exit codes, 1 for a failure and 2 for a command line that cannot be used.
 */

/** The command line cannot be used as given; `usage` is printed after the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** Programming mistakes, whose stack says more than their message. */
const BUGS = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * Runs `main` and exits with the code it resolves to. A tool that resolves with nothing exits
 * when its work is done, or keeps serving (the ALB, the monitor) until {@link stopOnSignals}.
 */
export function runMain(tool: string, main: () => Promise<unknown>): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`${describeFailure(tool, error)}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

export function describeFailure(tool: string, error: unknown): string {
  if (error instanceof UsageError) return `${tool}: ${error.message}\nusage: ${error.usage}`;
  if (BUGS.some((bug) => error instanceof bug)) return `${tool}: ${(error as Error).stack}`;
  return `${tool}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * SIGTERM or SIGINT calls `stop` once and exits 0 when it resolves, 1 when it fails; a second
 * signal exits 1 at once, for a caller that does not want to wait for what is in flight.
 */
export function stopOnSignals(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  log: (event: { readonly event: string; readonly signal?: string; readonly error?: string }) => void,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log({ event: 'stopping', signal });
    stop(signal).then(
      () => process.exit(0),
      (error: Error) => {
        log({ event: 'stop-failed', error: error.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The value of a variable that must be set, or an error that says who sets it. */
export function requiredEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  setBy = 'compose.yaml sets it',
): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is not set (${setBy})`);
  return value;
}
