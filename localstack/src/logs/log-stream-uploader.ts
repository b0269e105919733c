/**
 * Ships the events of one CloudWatch Logs stream: queued in the order they were read, sent one
 * batch at a time so the stream keeps that order, retried until CloudWatch accepts them, and
 * written down as shipped in the checkpoints once it has.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Diagnostic } from '../alb/simulated-alb';
import { retryDelays } from '../retries';
import { LogReadPosition, type SavedReadPosition } from './docker-log-stream';
import { eventBytes, type LogEvent, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, takeBatch } from './log-batches';
import { type EventFingerprint, fingerprint, type ShippingCheckpoints } from './shipping-checkpoints';

/** One line as CloudWatch Logs stored it, handed to whoever derives metrics from log lines. */
export interface ShippedLogEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly message: string;
}

export interface LogStreamUploaderOptions {
  readonly logs: CloudWatchLogsClient;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Called with each batch once CloudWatch has accepted it, in stream order. */
  readonly onShipped: (events: readonly ShippedLogEvent[]) => void;
  readonly writeDiagnostic: (event: Diagnostic) => void;
  readonly checkpoints: ShippingCheckpoints;
}

interface QueuedEvent extends LogEvent {
  /** Read order, across batches. */
  readonly seq: number;
  /** On a line's last event: how far the task's log had been read once the line was. */
  readonly readPosition?: SavedReadPosition;
}

/** What the stream holds of a line: CloudWatch's fields only. */
const asLogEvent = ({ timestamp, message }: LogEvent): LogEvent => ({ timestamp, message });

/**
 * Past this many bytes queued, the shipper stops reading the task's log until some are shipped:
 * while the emulator is away, Docker's log file holds the lines, not the monitor's memory.
 */
export const MAX_QUEUED_BYTES = 4 * MAX_BATCH_BYTES;

/** PutLogEvents refuses events more than 14 days old or 2 hours ahead of its clock. */
export const MAX_EVENT_AGE_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_EVENT_AHEAD_MS = 2 * 60 * 60 * 1000;

/** How many events of a batch rejectedLogEventsInfo names: AWS documents its end indexes as exclusive, its start index as inclusive. */
function rejectedCount(
  info: {
    tooOldLogEventEndIndex?: number;
    tooNewLogEventStartIndex?: number;
    expiredLogEventEndIndex?: number;
  },
  events: number,
): number {
  const tooOld = Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0);
  const tooNew = info.tooNewLogEventStartIndex === undefined ? 0 : events - info.tooNewLogEventStartIndex;
  return Math.min(events, tooOld + tooNew);
}

/** What is waiting to be shipped, for the monitor's status. */
export interface UploaderBacklog {
  readonly events: number;
  readonly bytes: number;
  /** The timestamp of the oldest waiting event, if any. */
  readonly oldestTimestamp?: number;
}

export class LogStreamUploader {
  private readonly queue: QueuedEvent[] = [];
  private queuedBytes = 0;
  private seq = 0;
  private flushing?: Promise<void>;
  private roomWaiters: Array<() => void> = [];
  /** Events that never reached the stream, by why; each is also reported as a diagnostic. */
  readonly dropped = { tooOld: 0, tooNew: 0, rejected: 0 };
  /** When CloudWatch last accepted a batch of this stream (ms since the epoch). */
  lastShippedAt?: number;

  constructor(private readonly options: LogStreamUploaderOptions) {}

  get logStreamName(): string {
    return this.options.logStreamName;
  }

  /** Nothing queued and nothing being sent. */
  get idle(): boolean {
    return this.queue.length === 0 && this.flushing === undefined;
  }

  get backlog(): UploaderBacklog {
    let oldestTimestamp: number | undefined;
    for (const { timestamp } of this.queue) {
      if (oldestTimestamp === undefined || timestamp < oldestTimestamp) oldestTimestamp = timestamp;
    }
    return { events: this.queue.length, bytes: this.queuedBytes, oldestTimestamp };
  }

  /**
   * Makes sure the stream exists, creating it if missing, and returns where the task's log is to
   * be read from: after what the checkpoints say was shipped, or, for a stream they do not know
   * (a monitor of an earlier version), after the stream's last event. Retries until the log
   * group exists or the signal aborts.
   */
  async open(signal?: AbortSignal): Promise<LogReadPosition> {
    return this.retrying('open', signal, async () => {
      const { logGroupName, logStreamName, checkpoints } = this.options;
      const { logStreams = [] } = await this.options.logs.send(
        new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: logStreamName }),
      );
      const existing = logStreams.find((stream) => stream.logStreamName === logStreamName);
      if (!existing) await this.createStream();
      const checkpoint = checkpoints.get(logStreamName);
      if (checkpoint?.inFlight && existing && (await this.holds(checkpoint.inFlight.lastEvent))) {
        checkpoints.shipped(logStreamName, checkpoint.inFlight.position);
        return LogReadPosition.fromSaved(checkpoint.inFlight.position);
      }
      if (checkpoint) {
        if (checkpoint.shipped) checkpoints.shipped(logStreamName, checkpoint.shipped);
        return checkpoint.shipped ? LogReadPosition.fromSaved(checkpoint.shipped) : LogReadPosition.start();
      }
      const last = existing?.lastEventTimestamp;
      return last === undefined ? LogReadPosition.start() : LogReadPosition.afterMillisecond(last);
    });
  }

  /** Whether the stream holds this event: the answer to a PutLogEvents call that never came back. */
  private async holds(event: EventFingerprint): Promise<boolean> {
    const { logGroupName, logStreamName } = this.options;
    const { events = [] } = await this.options.logs.send(
      new GetLogEventsCommand({
        logGroupName,
        logStreamName,
        startTime: event.timestamp,
        endTime: event.timestamp + 1,
        startFromHead: true,
      }),
    );
    return events.some(
      (held) =>
        fingerprint({ timestamp: held.timestamp ?? 0, message: held.message ?? '' }).sha256 === event.sha256,
    );
  }

  /**
   * Queues the events of one line; `readPosition` is how far the task's log has been read with
   * it, which becomes the stream's checkpoint once the line is shipped.
   */
  enqueue(events: readonly LogEvent[], readPosition: SavedReadPosition): void {
    events.forEach((event, index) => {
      const last = index === events.length - 1;
      this.queue.push({ ...event, seq: this.seq++, ...(last ? { readPosition } : {}) });
      this.queuedBytes += eventBytes(event);
    });
    // A full batch need not wait for the next periodic flush.
    if (this.queue.length >= MAX_BATCH_EVENTS || this.queuedBytes >= MAX_BATCH_BYTES) void this.flush();
  }

  /** Resolves once fewer than {@link MAX_QUEUED_BYTES} are queued. */
  room(): Promise<void> {
    if (this.queuedBytes < MAX_QUEUED_BYTES) return Promise.resolve();
    void this.flush();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Ships everything queued, including what is queued while it runs. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = takeBatch(this.queue);
      await this.ship(batch);
      this.queuedBytes -= batch.reduce((sum, event) => sum + eventBytes(event), 0);
      if (this.queuedBytes < MAX_QUEUED_BYTES) {
        for (const resolve of this.roomWaiters.splice(0)) resolve();
      }
    }
  }

  private async ship(queued: QueuedEvent[]): Promise<void> {
    const { logGroupName, logStreamName, checkpoints } = this.options;
    const now = Date.now();
    const batch: LogEvent[] = [];
    for (const event of queued) {
      // PutLogEvents' own window: CloudWatch would reject these events, as tooOld/tooNew.
      if (event.timestamp < now - MAX_EVENT_AGE_MS) this.dropped.tooOld++;
      else if (event.timestamp > now + MAX_EVENT_AHEAD_MS) this.dropped.tooNew++;
      else batch.push(asLogEvent(event));
    }
    if (batch.length < queued.length) {
      this.options.writeDiagnostic({
        event: 'log-events-dropped',
        logGroupName,
        logStreamName,
        events: queued.length - batch.length,
        reason: 'older than 14 days or more than 2 hours ahead: PutLogEvents does not accept them',
      });
    }
    let position: QueuedEvent | undefined;
    for (const event of queued) {
      if (event.readPosition && (!position || event.seq > position.seq)) position = event;
    }
    const readPosition = position?.readPosition;
    if (batch.length === 0) {
      if (readPosition) checkpoints.shipped(logStreamName, readPosition);
      return;
    }
    if (readPosition) checkpoints.sending(logStreamName, readPosition, fingerprint(batch[batch.length - 1]));
    const accepted = await this.retrying('put', undefined, async () => {
      try {
        const { rejectedLogEventsInfo } = await this.options.logs.send(
          new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: batch }),
        );
        if (rejectedLogEventsInfo) {
          this.dropped.rejected += rejectedCount(rejectedLogEventsInfo, batch.length);
          // Events too old or too far in the future are dropped by CloudWatch itself, as for awslogs.
          this.options.writeDiagnostic({
            event: 'log-events-rejected',
            logGroupName,
            logStreamName,
            ...rejectedLogEventsInfo,
          });
        }
        return true;
      } catch (error) {
        switch ((error as Error).name) {
          // CloudWatch already holds this batch (its first answer was lost): sending it again would duplicate it.
          case 'DataAlreadyAcceptedException':
            return true;
          // The batch itself is malformed: retrying cannot help, and would hold up every later line.
          case 'InvalidParameterException':
            this.dropped.rejected += batch.length;
            this.options.writeDiagnostic({
              event: 'log-batch-dropped',
              logGroupName,
              logStreamName,
              events: batch.length,
              bytes: batch.reduce((sum, event) => sum + eventBytes(event), 0),
              error: (error as Error).message,
            });
            return false;
          // Someone deleted the stream: recreate it, then send the batch again.
          case 'ResourceNotFoundException':
            await this.createStream();
            break;
        }
        throw error;
      }
    });
    if (readPosition) checkpoints.shipped(logStreamName, readPosition);
    if (accepted) {
      this.lastShippedAt = Date.now();
      this.options.onShipped(batch.map((event) => ({ logGroupName, logStreamName, ...event })));
    }
  }

  private async createStream(): Promise<void> {
    const { logGroupName, logStreamName } = this.options;
    try {
      await this.options.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
    }
  }

  /** Runs the call until it succeeds, waiting longer after each failure, reporting every failure. */
  private async retrying<T>(
    operation: string,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    const { logGroupName, logStreamName } = this.options;
    const delays = retryDelays();
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await call();
      } catch (error) {
        const { name, message } = error as Error;
        const delayMs = delays.next().value;
        this.options.writeDiagnostic({
          event: 'log-stream-retry',
          operation,
          logGroupName,
          logStreamName,
          attempt,
          retryInMs: delayMs,
          error:
            name === 'ResourceNotFoundException' ? `${message} (has the log group been deployed?)` : message,
        });
        // Rejects only when the signal aborts, and then with the caller's reason.
        await sleep(delayMs, undefined, { signal }).catch(() => Promise.reject(signal?.reason));
      }
    }
  }
}
