/**
 * CloudWatch Logs' limits on PutLogEvents, applied the way Docker's awslogs driver applies
 * them: over-long lines become several events, empty lines none, and a batch is cut where the
 * next event would break a limit.
 */

export interface LogEvent {
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly message: string;
}

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
/** CloudWatch counts every event as its UTF-8 message plus 26 bytes. */
export const EVENT_OVERHEAD_BYTES = 26;
/** The awslogs driver's largest event: 256 KiB including the overhead. */
export const MAX_EVENT_MESSAGE_BYTES = 262_144 - EVENT_OVERHEAD_BYTES;
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;

export function eventBytes(event: LogEvent): number {
  return Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
}

/**
 * The events one log line becomes: none for an empty line (CloudWatch rejects empty messages),
 * several for a line over the event size limit, cut between characters, never inside one.
 */
export function lineToEvents(timestamp: number, message: string): LogEvent[] {
  const events: LogEvent[] = [];
  let rest = Buffer.from(message, 'utf8');
  while (rest.length > 0) {
    let end = Math.min(rest.length, MAX_EVENT_MESSAGE_BYTES);
    // Step back over UTF-8 continuation bytes (10xxxxxx) so a character is never split.
    while (end < rest.length && (rest[end] & 0xc0) === 0x80) end--;
    events.push({ timestamp, message: rest.subarray(0, end).toString('utf8') });
    rest = rest.subarray(end);
  }
  return events;
}

/**
 * Removes from the front of the queue the longest run of events one PutLogEvents call
 * accepts, and returns it in chronological order (stable, so equal timestamps keep their
 * order). Events never move between batches: what is left stays queued in its order.
 */
export function takeBatch<E extends LogEvent>(queue: E[]): E[] {
  let count = 0;
  let bytes = 0;
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (const event of queue) {
    const size = eventBytes(event);
    const spanEarliest = Math.min(earliest, event.timestamp);
    const spanLatest = Math.max(latest, event.timestamp);
    const fits =
      count < MAX_BATCH_EVENTS &&
      bytes + size <= MAX_BATCH_BYTES &&
      spanLatest - spanEarliest <= MAX_BATCH_SPAN_MS;
    if (!fits) break;
    count++;
    bytes += size;
    earliest = spanEarliest;
    latest = spanLatest;
  }
  return queue.splice(0, count).sort((a, b) => a.timestamp - b.timestamp);
}
