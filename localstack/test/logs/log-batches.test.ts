import {
  EVENT_OVERHEAD_BYTES,
  eventBytes,
  type LogEvent,
  lineToEvents,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_MESSAGE_BYTES,
  takeBatch,
} from '../../src/logs/log-batches';

const T = 1_795_649_400_000;

describe('lineToEvents', () => {
  it('makes one event of a line', () => {
    expect(lineToEvents(T, 'GET /healthz 200')).toEqual([{ timestamp: T, message: 'GET /healthz 200' }]);
  });

  it('makes no event of an empty line, which CloudWatch would reject', () => {
    expect(lineToEvents(T, '')).toEqual([]);
  });

  it('splits a line over the event size limit like the awslogs driver, never inside a character', () => {
    // Odd-sized ASCII prefix, then 2-byte characters: the byte limit falls inside one.
    const line = `x${'é'.repeat(MAX_EVENT_MESSAGE_BYTES)}`;
    const events = lineToEvents(T, line);
    // The first cut steps back one byte to the character's start; the second falls between two.
    expect(events.map((event) => Buffer.byteLength(event.message))).toEqual([
      MAX_EVENT_MESSAGE_BYTES - 1,
      MAX_EVENT_MESSAGE_BYTES,
      2,
    ]);
    expect(events.map((event) => event.message).join('')).toBe(line);
    expect(events.every((event) => event.timestamp === T)).toBe(true);
  });
});

describe('eventBytes', () => {
  it('counts the UTF-8 bytes of the message plus the per-event overhead', () => {
    expect(eventBytes({ timestamp: T, message: 'héllo' })).toBe(6 + EVENT_OVERHEAD_BYTES);
  });
});

describe('takeBatch', () => {
  const events = (count: number, message = 'line', timestamp = T): LogEvent[] =>
    Array.from({ length: count }, () => ({ timestamp, message }));

  it.each([
    ['at most 10,000 events', () => events(MAX_BATCH_EVENTS + 1), [MAX_BATCH_EVENTS, 1]],
    [
      'at most 1 MiB counting the overhead',
      // 4 events of 256 KiB - 26 bytes fill 1 MiB exactly; the fifth starts the next batch.
      () => events(5, 'x'.repeat(MAX_EVENT_MESSAGE_BYTES)),
      [4, 1],
    ],
    [
      'never more than 24 hours between its first and last event',
      () => [
        { timestamp: T, message: 'a' },
        { timestamp: T + MAX_BATCH_SPAN_MS, message: 'b' },
        { timestamp: T + MAX_BATCH_SPAN_MS + 1, message: 'c' },
      ],
      [2, 1],
    ],
  ])('cuts a batch at %s', (_, makeQueue, sizes) => {
    const queue = makeQueue();
    const batches: number[] = [];
    while (queue.length > 0) batches.push(takeBatch(queue).length);
    expect(batches).toEqual(sizes);
  });

  it('fills a batch up to 1 MiB exactly', () => {
    const queue = events(4, 'x'.repeat(MAX_EVENT_MESSAGE_BYTES));
    const batch = takeBatch(queue);
    expect(batch.reduce((sum, event) => sum + eventBytes(event), 0)).toBe(MAX_BATCH_BYTES);
  });

  it('sorts a batch by timestamp, keeping the order of equal timestamps', () => {
    const queue: LogEvent[] = [
      { timestamp: T + 2, message: 'stdout, later' },
      { timestamp: T + 1, message: 'stderr, written after but earlier' },
      { timestamp: T + 2, message: 'stdout, later still' },
      { timestamp: T, message: 'earliest' },
    ];
    expect(takeBatch(queue).map((event) => event.message)).toEqual([
      'earliest',
      'stderr, written after but earlier',
      'stdout, later',
      'stdout, later still',
    ]);
    expect(queue).toEqual([]);
  });

  it('never moves an event into an earlier batch, even one with an earlier timestamp', () => {
    const queue = [
      ...events(MAX_BATCH_EVENTS, 'first batch', T + 10),
      { timestamp: T, message: 'late but early' },
    ];
    const first = takeBatch(queue);
    expect(new Set(first.map((event) => event.message))).toEqual(new Set(['first batch']));
    expect(takeBatch(queue)).toEqual([{ timestamp: T, message: 'late but early' }]);
  });

  it('takes nothing from an empty queue', () => {
    expect(takeBatch([])).toEqual([]);
  });
});
