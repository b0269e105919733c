import {
  DockerLogDecoder,
  DockerLogFormatError,
  type DockerLogLine,
  LogReadPosition,
  type LogSource,
  parseDockerTimestamp,
} from '../../src/logs/docker-log-stream';

/** One message as Docker's logs endpoint multiplexes it: 8-byte header, then the payload. */
function frame(source: LogSource, payload: string | Buffer): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = source === 'stdout' ? 1 : 2;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

const T1 = '2026-11-25T23:30:00.000000001Z';
const T2 = '2026-11-25T23:30:00.000000002Z';
const T3 = '2026-11-25T23:30:00.000000003Z';
const nanos = (timestamp: string) => parseDockerTimestamp(timestamp);

function decodeAll(chunks: readonly Buffer[]): DockerLogLine[] {
  const decoder = new DockerLogDecoder();
  return [...chunks.flatMap((chunk) => decoder.push(chunk)), ...decoder.end()];
}

describe('parseDockerTimestamp', () => {
  it.each([
    ['2026-11-25T23:30:00.123456789Z', 1_795_649_400_123_456_789n],
    // RFC 3339 with trailing zeros trimmed, as Go's RFC3339Nano writes them.
    ['2026-11-25T23:30:00.1234Z', 1_795_649_400_123_400_000n],
    ['2026-11-25T23:30:00Z', 1_795_649_400_000_000_000n],
    ['2026-11-26T00:30:00.5+01:00', 1_795_649_400_500_000_000n],
  ])('reads %s', (text, expected) => {
    expect(parseDockerTimestamp(text)).toBe(expected);
  });

  it.each([['hello'], ['2026-11-25 23:30:00Z'], ['2026-11-25T23:30:00.1234567890Z']])(
    'refuses %j: the logs were not requested with timestamps',
    (text) => {
      expect(() => parseDockerTimestamp(text)).toThrow(DockerLogFormatError);
    },
  );
});

describe('DockerLogDecoder', () => {
  const stream = Buffer.concat([
    frame('stdout', `${T1} first\n`),
    frame('stderr', `${T2} warn: ünïcödé ✓\n`),
    frame('stdout', `${T3} third\n`),
  ]);
  const expected: DockerLogLine[] = [
    { source: 'stdout', timeNanos: nanos(T1), message: 'first' },
    { source: 'stderr', timeNanos: nanos(T2), message: 'warn: ünïcödé ✓' },
    { source: 'stdout', timeNanos: nanos(T3), message: 'third' },
  ];

  it('demultiplexes stdout and stderr, keeping the order Docker sent them in', () => {
    expect(decodeAll([stream])).toEqual(expected);
  });

  it('gives the same lines wherever the chunks split the stream, even inside a header or a character', () => {
    for (let split = 1; split < stream.length; split++) {
      expect({ split, lines: decodeAll([stream.subarray(0, split), stream.subarray(split)]) }).toEqual({
        split,
        lines: expected,
      });
    }
  });

  it('gives the same lines when the stream arrives one byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(decodeAll(bytes)).toEqual(expected);
  });

  it('joins the pieces Docker splits a long line into, even where a cut falls inside a character', () => {
    const line = Buffer.from(`${'é'.repeat(5)}!`, 'utf8');
    // Docker repeats the first piece's timestamp on every piece; only the last ends the line.
    const pieces = [
      line.subarray(0, 3),
      line.subarray(3, 8),
      Buffer.concat([line.subarray(8), Buffer.from('\n')]),
    ];
    const lines = decodeAll([
      ...pieces.map((piece) => frame('stdout', Buffer.concat([Buffer.from(`${T1} `), piece]))),
      frame('stdout', `${T2} next\n`),
    ]);
    expect(lines).toEqual([
      { source: 'stdout', timeNanos: nanos(T1), message: 'ééééé!' },
      { source: 'stdout', timeNanos: nanos(T2), message: 'next' },
    ]);
  });

  it('keeps a split line on one source whole while the other source writes in between', () => {
    const lines = decodeAll([
      frame('stdout', `${T1} start of `),
      frame('stderr', `${T2} meanwhile\n`),
      frame('stdout', `${T1} a line\n`),
    ]);
    expect(lines).toEqual([
      { source: 'stderr', timeNanos: nanos(T2), message: 'meanwhile' },
      { source: 'stdout', timeNanos: nanos(T1), message: 'start of a line' },
    ]);
  });

  it('ends a line without a newline when the next message has another timestamp (the next run of the container)', () => {
    const lines = decodeAll([frame('stderr', `${T1} last words`), frame('stderr', `${T2} new run\n`)]);
    expect(lines).toEqual([
      { source: 'stderr', timeNanos: nanos(T1), message: 'last words' },
      { source: 'stderr', timeNanos: nanos(T2), message: 'new run' },
    ]);
  });

  it('returns a last line without a newline when the stream ends', () => {
    const decoder = new DockerLogDecoder();
    expect(decoder.push(frame('stdout', `${T1} bye`))).toEqual([]);
    expect(decoder.end()).toEqual([{ source: 'stdout', timeNanos: nanos(T1), message: 'bye' }]);
  });

  it('keeps empty lines (the batcher decides what CloudWatch gets)', () => {
    expect(decodeAll([frame('stdout', `${T1} \n`)])).toEqual([
      { source: 'stdout', timeNanos: nanos(T1), message: '' },
    ]);
  });

  it('says so when the stream is not multiplexed, as from a container with a TTY', () => {
    expect(() => new DockerLogDecoder().push(Buffer.from(`${T1} raw tty output\n`))).toThrow(
      /TTY.*run the task without a TTY/,
    );
  });
});

describe('LogReadPosition', () => {
  const line = (source: LogSource, timestamp: string) => ({ source, timeNanos: nanos(timestamp) });

  it('reads the whole log the first time', () => {
    const position = LogReadPosition.start();
    expect(position.beginRead()).toBeUndefined();
    expect([line('stdout', T1), line('stderr', T1)].map((l) => position.accept(l))).toEqual([true, true]);
  });

  it('starts the next read a little before the latest line read, and skips what was read', () => {
    const position = LogReadPosition.start();
    position.beginRead();
    for (const read of [line('stdout', T1), line('stdout', T2), line('stderr', T1)]) position.accept(read);

    // 5 s before T2 = 2026-11-25T23:29:55.000000002Z.
    expect(position.beginRead()).toBe('1795649395.000000002');
    const reread = [
      line('stdout', T1),
      line('stderr', T1),
      line('stdout', T2),
      line('stderr', T2),
      line('stdout', T3),
    ];
    expect(reread.map((l) => position.accept(l))).toEqual([false, false, false, true, true]);
  });

  it('skips only as many lines of a shared timestamp as were read', () => {
    const position = LogReadPosition.start();
    position.beginRead();
    position.accept(line('stdout', T1));
    position.accept(line('stdout', T1));
    position.beginRead();
    const reread = [line('stdout', T1), line('stdout', T1), line('stdout', T1)];
    expect(reread.map((l) => position.accept(l))).toEqual([false, false, true]);
  });

  it('keeps skipping what an earlier read saw when a read ends early and another starts', () => {
    const position = LogReadPosition.start();
    position.beginRead();
    position.accept(line('stdout', T1));
    position.beginRead();
    expect(position.accept(line('stdout', T1))).toBe(false);
    expect(position.accept(line('stdout', T2))).toBe(true);
    position.beginRead();
    expect(
      [line('stdout', T1), line('stdout', T2), line('stdout', T3)].map((l) => position.accept(l)),
    ).toEqual([false, false, true]);
  });

  it('after an earlier run of the shipper, skips every line up to the end of the last shipped millisecond', () => {
    const lastShippedMs = Number(nanos(T1) / 1_000_000n);
    const position = LogReadPosition.afterMillisecond(lastShippedMs);
    expect(position.beginRead()).toBe('1795649395.000999999');
    const nextMillisecond = '2026-11-25T23:30:00.001Z';
    expect(
      [line('stdout', T3), line('stderr', T2), line('stderr', nextMillisecond)].map((l) =>
        position.accept(l),
      ),
    ).toEqual([false, false, true]);
  });
});
