/**
 * Ships the events of one CloudWatch Logs stream: queued in the order they were read, sent one
 * batch at a time so the stream keeps that order, retried until CloudWatch accepts them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Diagnostic } from '../alb/simulated-alb';
import { eventBytes, type LogEvent, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, takeBatch } from './log-batches';

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
}

export const FIRST_RETRY_DELAY_MS = 250;
export const MAX_RETRY_DELAY_MS = 5000;

export class LogStreamUploader {
  private readonly queue: LogEvent[] = [];
  private queuedBytes = 0;
  private flushing?: Promise<void>;

  constructor(private readonly options: LogStreamUploaderOptions) {}

  get logStreamName(): string {
    return this.options.logStreamName;
  }

  /** Nothing queued and nothing being sent. */
  get idle(): boolean {
    return this.queue.length === 0 && this.flushing === undefined;
  }

  /**
   * Makes sure the stream exists, creating it if missing, and returns the timestamp of its last
   * event: where an earlier run of the shipper left off. Retries until the log group exists or
   * the signal aborts.
   */
  async open(signal?: AbortSignal): Promise<number | undefined> {
    return this.retrying('open', signal, async () => {
      const { logGroupName, logStreamName } = this.options;
      const { logStreams = [] } = await this.options.logs.send(
        new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: logStreamName }),
      );
      const existing = logStreams.find((stream) => stream.logStreamName === logStreamName);
      if (existing) return existing.lastEventTimestamp;
      await this.createStream();
      return undefined;
    });
  }

  enqueue(events: readonly LogEvent[]): void {
    for (const event of events) {
      this.queue.push(event);
      this.queuedBytes += eventBytes(event);
    }
    // A full batch need not wait for the next periodic flush.
    if (this.queue.length >= MAX_BATCH_EVENTS || this.queuedBytes >= MAX_BATCH_BYTES) void this.flush();
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
      this.queuedBytes -= batch.reduce((sum, event) => sum + eventBytes(event), 0);
      await this.ship(batch);
    }
  }

  private async ship(batch: LogEvent[]): Promise<void> {
    const { logGroupName, logStreamName } = this.options;
    const accepted = await this.retrying('put', undefined, async () => {
      try {
        const { rejectedLogEventsInfo } = await this.options.logs.send(
          new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: batch }),
        );
        if (rejectedLogEventsInfo) {
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
    if (accepted) {
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
    for (let attempt = 1, delayMs = FIRST_RETRY_DELAY_MS; ; attempt++) {
      signal?.throwIfAborted();
      try {
        return await call();
      } catch (error) {
        const { name, message } = error as Error;
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
        delayMs = Math.min(delayMs * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }
}
