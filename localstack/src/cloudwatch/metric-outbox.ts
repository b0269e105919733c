/**
 * Metric datapoints on their way to CloudWatch: queued with their own timestamps, sent one
 * PutMetricData call at a time, retried with backoff while the emulator is away or busy, and
 * bounded, so that a long outage costs the oldest datapoints (counted), never the memory.
 *
 * A call is never given up on while it is outstanding: an emulator that is paused answers it
 * when it resumes, and a call sent again meanwhile would count its datapoints twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  type PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import type { Diagnostic } from '../alb/simulated-alb';
import { retryable, retryDelays } from '../retries';

/** Where metric data goes: a {@link MetricOutbox} in the running platform, a recorder in tests. */
export interface MetricDataSink {
  putMetricData(input: PutMetricDataCommandInput): Promise<unknown>;
  /** Waits for what was handed over to be delivered, as far as the sink waits at all. */
  close?(): Promise<void>;
}

/**
 * PutMetricData takes datapoints up to two weeks old: older ones would be refused, so they are
 * dropped here and counted (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
 */
export const MAX_DATAPOINT_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** At most 1,000 metric data in one PutMetricData call. */
export const MAX_DATA_PER_CALL = 1000;
/**
 * The queue's bound: hours of the platform's datapoints (the ALB's are about a dozen per
 * 10-second interval). Past it the oldest datapoint goes first, as the least useful to an alarm.
 */
export const MAX_QUEUED_DATA = 50_000;
/** How long {@link MetricOutbox.close} waits for the emulator before counting the rest as dropped. */
export const CLOSE_DEADLINE_MS = 10_000;

interface Queued {
  readonly namespace: string;
  readonly datum: MetricDatum;
  readonly queuedAt: number;
}

export interface MetricBacklog {
  /** Datapoints waiting. */
  readonly data: number;
  /** When the oldest waiting one was handed over (ms since the epoch). */
  readonly oldestQueuedAt?: number;
  /** When CloudWatch last accepted a call. */
  readonly lastDeliveredAt?: number;
  readonly dropped: { readonly overflow: number; readonly tooOld: number; readonly rejected: number };
}

export interface MetricOutboxOptions {
  /** One PutMetricData call. */
  readonly send: (input: PutMetricDataCommandInput) => Promise<unknown>;
  /** Receives each retry and each drop, with its reason. */
  readonly writeDiagnostic: (event: Diagnostic) => void;
}

export class MetricOutbox implements MetricDataSink {
  private readonly queue: Queued[] = [];
  /** The call on its way. */
  private sent: Queued[] = [];
  private sending?: Promise<void>;
  private closing = false;
  private lastDeliveredAt?: number;
  private readonly dropped = { overflow: 0, tooOld: 0, rejected: 0 };

  constructor(private readonly options: MetricOutboxOptions) {}

  async putMetricData({ Namespace, MetricData = [] }: PutMetricDataCommandInput): Promise<void> {
    const queuedAt = Date.now();
    for (const datum of MetricData) this.queue.push({ namespace: Namespace as string, datum, queuedAt });
    const over = this.queue.length - MAX_QUEUED_DATA;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped.overflow += over;
      this.options.writeDiagnostic({
        event: 'metric-data-dropped',
        reason: `more than ${MAX_QUEUED_DATA} datapoints waiting for the emulator: the oldest are dropped`,
        metricData: over,
      });
    }
    this.sending ??= this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  get backlog(): MetricBacklog {
    return {
      data: this.sent.length + this.queue.length,
      oldestQueuedAt: (this.sent[0] ?? this.queue[0])?.queuedAt,
      lastDeliveredAt: this.lastDeliveredAt,
      dropped: { ...this.dropped },
    };
  }

  /** Waits up to {@link CLOSE_DEADLINE_MS} for the queue to empty; what is left is dropped, and said. */
  async close(): Promise<void> {
    this.closing = true;
    const deadline = sleep(CLOSE_DEADLINE_MS, 'deadline', { ref: false });
    if ((await Promise.race([this.sending ?? Promise.resolve(), deadline])) === 'deadline') {
      this.options.writeDiagnostic({
        event: 'metric-data-dropped',
        reason: `the emulator did not take them within ${CLOSE_DEADLINE_MS} ms of stopping`,
        metricData: this.queue.length,
      });
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const fresh = Date.now() - MAX_DATAPOINT_AGE_MS;
      const namespace = this.queue[0].namespace;
      let taken = 0;
      while (
        taken < this.queue.length &&
        taken < MAX_DATA_PER_CALL &&
        this.queue[taken].namespace === namespace
      ) {
        taken++;
      }
      // Out of the queue while sent, so that the bound never cuts a call that is on its way.
      this.sent = this.queue.splice(0, taken);
      const batch: MetricDatum[] = [];
      for (const { datum } of this.sent) {
        if ((datum.Timestamp?.getTime() ?? Date.now()) < fresh) this.dropped.tooOld++;
        else batch.push(datum);
      }
      if (batch.length > 0) await this.deliver(namespace, batch);
      this.sent = [];
    }
  }

  /** Until CloudWatch takes the call or refuses it for good; after close(), one attempt each. */
  private async deliver(Namespace: string, MetricData: MetricDatum[]): Promise<void> {
    const delays = retryDelays();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.send({ Namespace, MetricData });
        this.lastDeliveredAt = Date.now();
        return;
      } catch (error) {
        const { message } = error as Error;
        if (!retryable(error) || this.closing) {
          this.dropped.rejected += MetricData.length;
          this.options.writeDiagnostic({
            event: 'metric-data-dropped',
            reason: this.closing ? `stopping: ${message}` : `the emulator refused them: ${message}`,
            namespace: Namespace,
            metricData: MetricData.length,
          });
          return;
        }
        const delayMs = delays.next().value;
        this.options.writeDiagnostic({
          event: 'metric-data-retry',
          namespace: Namespace,
          metricData: MetricData.length,
          attempt,
          retryInMs: delayMs,
          error: message,
        });
        await sleep(delayMs);
      }
    }
  }
}

/**
 * An outbox that sends through this client. The client should make one attempt per call and
 * set no request timeout: the outbox retries, and only once a call has been answered.
 */
export function cloudWatchOutbox(
  cloudWatch: CloudWatchClient,
  writeDiagnostic: (event: Diagnostic) => void,
): MetricOutbox {
  return new MetricOutbox({
    send: (input) => cloudWatch.send(new PutMetricDataCommand(input)),
    writeDiagnostic,
  });
}
