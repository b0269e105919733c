import pino, { type DestinationStream } from 'pino';

/**
 * A pino destination that gathers the lines written during one turn of the event loop and hands
 * them to its target in one write when the turn ends. Under load that is one system call for many
 * request lines instead of one each, and a response leaves before its log line is written.
 *
 * Writes stay synchronous (no worker thread holds a line in flight), so flushSync() writes every
 * pending line, in order: pino calls it after each fatal line, and stdoutDestination() when the
 * process exits. Only a SIGKILL can lose lines: those of the turn under way.
 */
export class BatchedDestination implements DestinationStream {
  #pending = '';

  constructor(private readonly target: { write(data: string): unknown }) {}

  write(line: string): void {
    if (this.#pending === '') setImmediate(this.flushSync);
    this.#pending += line;
  }

  /** Writes the pending lines now. */
  readonly flushSync = (): void => {
    if (this.#pending === '') return;
    const lines = this.#pending;
    this.#pending = '';
    this.target.write(lines);
  };
}

/** Batched lines on stdout, written by a synchronous sonic-boom, flushed when the process exits. */
export function stdoutDestination(): BatchedDestination {
  const destination = new BatchedDestination(pino.destination({ dest: 1, sync: true }));
  process.on('exit', destination.flushSync);
  return destination;
}
