/**
 * Turns the byte stream of Docker's container logs endpoint (`timestamps: true`, no TTY)
 * back into log lines: undoes the stdout/stderr multiplexing whatever the chunking, reads
 * each message's timestamp, and joins the pieces Docker splits long lines into.
 */

export type LogSource = 'stdout' | 'stderr';

export interface DockerLogLine {
  readonly source: LogSource;
  /** Docker's timestamp of the line, in nanoseconds since the epoch. */
  readonly timeNanos: bigint;
  /** The line without its timestamp and newline. */
  readonly message: string;
}

export class DockerLogFormatError extends Error {
  override readonly name = 'DockerLogFormatError';
}

interface Frame {
  readonly source: LogSource;
  readonly payload: Buffer;
}

const FRAME_HEADER_BYTES = 8;
const FRAME_SOURCES: Readonly<Record<number, LogSource>> = { 1: 'stdout', 2: 'stderr' };

/**
 * Splits Docker's multiplexed stream into its frames: an 8-byte header (stream type, three
 * zero bytes, big-endian payload length) then the payload, one log message per frame.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= FRAME_HEADER_BYTES) {
      const source = FRAME_SOURCES[this.pending[0]];
      if (!source) {
        throw new DockerLogFormatError(
          `unexpected stream type ${this.pending[0]} in a multiplexed log frame: a container with a TTY (tty: true) writes one raw stream, which the log shipper does not read; run the task without a TTY`,
        );
      }
      const end = FRAME_HEADER_BYTES + this.pending.readUInt32BE(4);
      if (this.pending.length < end) break;
      frames.push({ source, payload: this.pending.subarray(FRAME_HEADER_BYTES, end) });
      this.pending = this.pending.subarray(end);
    }
    return frames;
  }
}

// RFC 3339 with up to nine fractional digits (Docker pads them to nine, but trimmed ones parse too).
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of a timestamp as Docker writes it. */
export function parseDockerTimestamp(text: string): bigint {
  const match = TIMESTAMP.exec(text);
  const wholeSecondMs = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(wholeSecondMs)) {
    throw new DockerLogFormatError(
      `log message without a leading timestamp (${JSON.stringify(text.slice(0, 40))}): request the logs with timestamps: true`,
    );
  }
  return BigInt(wholeSecondMs) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

interface PartialLine {
  readonly timeNanos: bigint;
  readonly pieces: Buffer[];
}

/**
 * The lines of one container's log stream. Docker splits lines longer than its buffer (16 KiB)
 * into several messages with the same timestamp, and only the last ends with a newline; those
 * pieces are joined back into one line. Bytes are decoded only once a line is complete,
 * so a multi-byte character cut between pieces stays whole.
 */
export class DockerLogDecoder {
  private readonly frames = new FrameDecoder();
  private readonly partial: Partial<Record<LogSource, PartialLine>> = {};

  push(chunk: Buffer): DockerLogLine[] {
    return this.frames.push(chunk).flatMap((frame) => this.readMessage(frame));
  }

  /** Lines whose newline never came because the output ended (the process exited mid-line). */
  end(): DockerLogLine[] {
    const lines = (['stdout', 'stderr'] as const).flatMap((source) => {
      const partial = this.partial[source];
      return partial ? [{ source, timeNanos: partial.timeNanos, message: decode(partial.pieces) }] : [];
    });
    this.partial.stdout = undefined;
    this.partial.stderr = undefined;
    return lines;
  }

  private readMessage({ source, payload }: Frame): DockerLogLine[] {
    const space = payload.indexOf(0x20);
    const messageTime = parseDockerTimestamp(
      payload.subarray(0, space === -1 ? payload.length : space).toString(),
    );
    const content = space === -1 ? Buffer.alloc(0) : payload.subarray(space + 1);
    const lines: DockerLogLine[] = [];
    const pending = this.partial[source];
    if (pending && pending.timeNanos !== messageTime) {
      // Docker gives every piece of a split line the first piece's timestamp. A message with
      // another one starts a new line: the pending one ended without a newline when its
      // process exited (this message comes from the container's next run).
      lines.push({ source, timeNanos: pending.timeNanos, message: decode(pending.pieces) });
      this.partial[source] = undefined;
    }
    let start = 0;
    for (let newline = content.indexOf(0x0a); newline !== -1; newline = content.indexOf(0x0a, start)) {
      const partial = this.partial[source];
      this.partial[source] = undefined;
      lines.push({
        source,
        timeNanos: partial?.timeNanos ?? messageTime,
        message: decode([...(partial?.pieces ?? []), content.subarray(start, newline)]),
      });
      start = newline + 1;
    }
    if (start < content.length) {
      const partial = this.partial[source] ?? { timeNanos: messageTime, pieces: [] };
      partial.pieces.push(content.subarray(start));
      this.partial[source] = partial;
    }
    return lines;
  }
}

function decode(pieces: readonly Buffer[]): string {
  return Buffer.concat(pieces).toString('utf8');
}

interface SourcePosition {
  /** The latest timestamp read from this source, */
  readonly timeNanos: bigint;
  /** and how many of its lines carried it: Docker's `since` is inclusive and lines can share one. */
  readonly linesAtTime: number;
}

/** A {@link LogReadPosition} in JSON: nanoseconds as a decimal string, `null` lines for "all of them". */
export type SavedReadPosition = Readonly<
  Partial<Record<LogSource, { readonly timeNanos: string; readonly linesAtTime: number | null }>>
>;

/**
 * Docker writes stdout and stderr lines to its log in the order it receives them, which can
 * differ slightly from their timestamps; reading again from a little before the latest line
 * read catches a line of one source that was written after later lines of the other.
 */
export const REREAD_OVERLAP_NANOS = 5_000_000_000n;

/**
 * How far a container's log has been read, so that a new read (after the container restarted,
 * a follow stream ended early, or the connection dropped) starts where the last one stopped
 * without shipping a line twice. Each source's lines are in timestamp order, so the position
 * is kept per source.
 */
export class LogReadPosition {
  private skip: Partial<Record<LogSource, SourcePosition & { skipped: number }>> = {};

  private constructor(private readonly read: Partial<Record<LogSource, SourcePosition>>) {}

  /** Nothing read yet: the whole log is new. */
  static start(): LogReadPosition {
    return new LogReadPosition({});
  }

  /** Everything up to the end of this millisecond is already in CloudWatch (its last event's timestamp). */
  static afterMillisecond(timestampMs: number): LogReadPosition {
    const shipped = {
      timeNanos: BigInt(timestampMs) * 1_000_000n + 999_999n,
      linesAtTime: Number.POSITIVE_INFINITY,
    };
    return new LogReadPosition({ stdout: shipped, stderr: shipped });
  }

  /** A position saved by {@link saved}: where a shipper that stopped or crashed had got to. */
  static fromSaved(saved: SavedReadPosition): LogReadPosition {
    const read: Partial<Record<LogSource, SourcePosition>> = {};
    for (const source of ['stdout', 'stderr'] as const) {
      const position = saved[source];
      if (position) {
        read[source] = {
          timeNanos: BigInt(position.timeNanos),
          linesAtTime: position.linesAtTime ?? Number.POSITIVE_INFINITY,
        };
      }
    }
    return new LogReadPosition(read);
  }

  /** The position as JSON can hold it: everything accepted so far counts as read. */
  saved(): SavedReadPosition {
    const saved: { -readonly [S in LogSource]?: SavedReadPosition[S] } = {};
    for (const source of ['stdout', 'stderr'] as const) {
      const position = this.read[source];
      if (position) {
        saved[source] = {
          timeNanos: position.timeNanos.toString(),
          linesAtTime: Number.isFinite(position.linesAtTime) ? position.linesAtTime : null,
        };
      }
    }
    return saved;
  }

  /** Starts a new read and returns Docker's `since` for it (seconds.nanoseconds), if any. */
  beginRead(): string | undefined {
    this.skip = {};
    for (const source of ['stdout', 'stderr'] as const) {
      const position = this.read[source];
      if (position) this.skip[source] = { ...position, skipped: 0 };
    }
    let latest: bigint | undefined;
    for (const { timeNanos } of Object.values(this.read)) {
      if (latest === undefined || timeNanos > latest) latest = timeNanos;
    }
    if (latest === undefined) return undefined;
    const since = latest > REREAD_OVERLAP_NANOS ? latest - REREAD_OVERLAP_NANOS : 0n;
    return `${since / 1_000_000_000n}.${(since % 1_000_000_000n).toString().padStart(9, '0')}`;
  }

  /** Whether a line of the current read is new, moving the position past it if so. */
  accept(line: { readonly source: LogSource; readonly timeNanos: bigint }): boolean {
    const skip = this.skip[line.source];
    if (skip && line.timeNanos < skip.timeNanos) return false;
    if (skip && line.timeNanos === skip.timeNanos && skip.skipped < skip.linesAtTime) {
      skip.skipped++;
      return false;
    }
    const read = this.read[line.source];
    this.read[line.source] =
      read && read.timeNanos === line.timeNanos
        ? { timeNanos: read.timeNanos, linesAtTime: read.linesAtTime + 1 }
        : { timeNanos: line.timeNanos, linesAtTime: 1 };
    return true;
  }
}
