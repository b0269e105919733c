/**
 * What the awslogs log driver does for an ECS task, for the local api tasks: follows each task
 * container's stdout and stderr and ships the lines to CloudWatch Logs, to the group and stream
 * the task definition's awslogs options name, in order and without losing the last lines of a
 * task that dies.
 */
import type { Readable } from 'node:stream';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type Dockerode from 'dockerode';
import { type Diagnostic, logDiagnostic } from '../alb/simulated-alb';
import { type ComposeService, listTaskContainers, type TaskContainer } from '../ecs/task-containers';
import {
  DockerLogDecoder,
  DockerLogFormatError,
  type DockerLogLine,
  type LogReadPosition,
} from './docker-log-stream';
import { lineToEvents } from './log-batches';
import { LogStreamUploader, type ShippedLogEvent } from './log-stream-uploader';
import type { ShippingCheckpoints } from './shipping-checkpoints';

export type { ShippedLogEvent } from './log-stream-uploader';

export interface LogShipperOptions {
  readonly docker: Dockerode;
  readonly logs: CloudWatchLogsClient;
  /** The compose service whose replicas are the ECS service's tasks. */
  readonly compose: ComposeService;
  /** The container definition's `awslogs-group`. */
  readonly logGroupName: string;
  /** The container definition's `awslogs-stream-prefix`. */
  readonly streamPrefix: string;
  /** The container definition's name, the middle part of each stream name. */
  readonly containerName: string;
  /** Where each stream's shipped position is kept across restarts of the shipper. */
  readonly checkpoints: ShippingCheckpoints;
  /** Receives what went wrong (and each task followed); JSON lines on stderr by default. */
  readonly writeDiagnostic?: (event: Diagnostic) => void;
}

/** What the shipper holds that CloudWatch Logs does not have yet, over every stream. */
export interface LogShippingBacklog {
  readonly events: number;
  readonly bytes: number;
  /** The timestamp of the oldest event waiting (ms since the epoch). */
  readonly oldestTimestamp?: number;
  /** When CloudWatch Logs last accepted a batch. */
  readonly lastShippedAt?: number;
  /** Events dropped since the start, by why (PutLogEvents' window, or rejected by the emulator). */
  readonly dropped: { readonly tooOld: number; readonly tooNew: number; readonly rejected: number };
}

/** New task containers are picked up within this time. */
export const DISCOVERY_INTERVAL_MS = 1000;
/** The longest a read line waits before it is sent. */
export const FLUSH_INTERVAL_MS = 1000;

/** The stream the awslogs driver writes an ECS task's container to: `prefix/container/task-id`. */
export function awslogsStreamName(streamPrefix: string, containerName: string, taskId: string): string {
  return `${streamPrefix}/${containerName}/${taskId}`;
}

interface TrackedTask {
  readonly uploader: LogStreamUploader;
  /** Undefined until the stream is open and it is known where an earlier run left off. */
  position?: LogReadPosition;
  following?: { readonly done: Promise<void>; stream?: Readable };
  /** `startedAt` of the last run whose output has been read to its end. */
  readToEndOf?: number;
  /** `startedAt` of a run whose output cannot be read (a TTY): not retried until the next run. */
  unreadableRun?: number;
}

export class LogShipper {
  private readonly writeDiagnostic: (event: Diagnostic) => void;
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly listeners = new Set<(event: ShippedLogEvent) => void>();
  private readonly stopping = new AbortController();
  private readonly droppedOfForgotten = { tooOld: 0, tooNew: 0, rejected: 0 };
  private lastShippedOfForgotten?: number;
  private discoveryTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private discovery: Promise<void> = Promise.resolve();

  constructor(private readonly options: LogShipperOptions) {
    this.writeDiagnostic = options.writeDiagnostic ?? logDiagnostic;
  }

  /**
   * Calls the listener with every line CloudWatch Logs has accepted, in stream order. Register
   * before `start()` to see every line. Returns a function that unregisters it.
   */
  onLogEvent(listener: (event: ShippedLogEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.flushTimer || this.stopping.signal.aborted) return;
    this.flushTimer = setInterval(() => {
      for (const task of this.tasks.values()) void task.uploader.flush();
    }, FLUSH_INTERVAL_MS);
    this.scheduleDiscovery(0);
  }

  /**
   * Stops following the tasks and ships every line read so far. Lines the containers write
   * later stay in Docker: a new shipper resumes after the last event each stream holds.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the log shipper is stopping'));
    clearTimeout(this.discoveryTimer);
    clearInterval(this.flushTimer);
    await this.discovery;
    for (const task of this.tasks.values()) task.following?.stream?.destroy();
    await Promise.all([...this.tasks.values()].map((task) => task.following?.done));
    await Promise.all([...this.tasks.values()].map((task) => task.uploader.flush()));
  }

  get backlog(): LogShippingBacklog {
    let events = 0;
    let bytes = 0;
    let oldestTimestamp = Number.POSITIVE_INFINITY;
    let lastShippedAt = this.lastShippedOfForgotten ?? Number.NEGATIVE_INFINITY;
    const dropped = { ...this.droppedOfForgotten };
    for (const { uploader } of this.tasks.values()) {
      const waiting = uploader.backlog;
      events += waiting.events;
      bytes += waiting.bytes;
      oldestTimestamp = Math.min(oldestTimestamp, waiting.oldestTimestamp ?? Number.POSITIVE_INFINITY);
      lastShippedAt = Math.max(lastShippedAt, uploader.lastShippedAt ?? Number.NEGATIVE_INFINITY);
      for (const reason of ['tooOld', 'tooNew', 'rejected'] as const)
        dropped[reason] += uploader.dropped[reason];
    }
    return {
      events,
      bytes,
      oldestTimestamp: Number.isFinite(oldestTimestamp) ? oldestTimestamp : undefined,
      lastShippedAt: Number.isFinite(lastShippedAt) ? lastShippedAt : undefined,
      dropped,
    };
  }

  private scheduleDiscovery(delayMs: number): void {
    this.discoveryTimer = setTimeout(() => {
      this.discovery = this.discover()
        .catch((error: Error) =>
          this.writeDiagnostic({ event: 'task-discovery-failed', error: error.message }),
        )
        .finally(() => {
          if (!this.stopping.signal.aborted) this.scheduleDiscovery(DISCOVERY_INTERVAL_MS);
        });
    }, delayMs);
  }

  private async discover(): Promise<void> {
    const containers = await listTaskContainers(this.options.docker, this.options.compose);
    for (const container of containers) {
      const task = this.tracked(container);
      if (task.following || container.lastStatus === 'PENDING') continue;
      const run = container.startedAt?.getTime();
      if (task.unreadableRun === run) continue;
      if (container.lastStatus === 'STOPPED' && task.readToEndOf === run) continue;
      const following: NonNullable<TrackedTask['following']> = {
        done: this.follow(container, task, (stream) => {
          following.stream = stream;
        }).finally(() => {
          task.following = undefined;
        }),
      };
      task.following = following;
    }
    // Forget containers that are gone once nothing of theirs is left to ship.
    const listed = new Set(containers.map((container) => container.containerId));
    for (const [containerId, task] of this.tasks) {
      if (!listed.has(containerId) && !task.following && task.uploader.idle) {
        this.tasks.delete(containerId);
        this.options.checkpoints.forget(task.uploader.logStreamName);
        for (const reason of ['tooOld', 'tooNew', 'rejected'] as const) {
          this.droppedOfForgotten[reason] += task.uploader.dropped[reason];
        }
        this.lastShippedOfForgotten = Math.max(
          this.lastShippedOfForgotten ?? 0,
          task.uploader.lastShippedAt ?? 0,
        );
      }
    }
  }

  private tracked(container: TaskContainer): TrackedTask {
    let task = this.tasks.get(container.containerId);
    if (!task) {
      const { logs, logGroupName, streamPrefix, containerName, checkpoints } = this.options;
      task = {
        uploader: new LogStreamUploader({
          logs,
          logGroupName,
          logStreamName: awslogsStreamName(streamPrefix, containerName, container.taskId),
          onShipped: (events) => this.notify(events),
          writeDiagnostic: this.writeDiagnostic,
          checkpoints,
        }),
      };
      this.tasks.set(container.containerId, task);
    }
    return task;
  }

  /**
   * Reads the container's output from where the last read stopped until Docker ends the stream:
   * when the container stops, after its last line. A running container's stream stays open.
   */
  private async follow(
    container: TaskContainer,
    task: TrackedTask,
    onStream: (stream: Readable) => void,
  ): Promise<void> {
    const { taskId } = container;
    const logStreamName = task.uploader.logStreamName;
    try {
      task.position ??= await task.uploader.open(this.stopping.signal);
      const position = task.position;
      const since = position.beginRead();
      const stream = (await this.options.docker.getContainer(container.containerId).logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(since === undefined ? {} : { since }),
      })) as Readable;
      onStream(stream);
      if (this.stopping.signal.aborted) stream.destroy();
      this.writeDiagnostic({ event: 'following-task-logs', taskId, logStreamName, since: since ?? 'start' });
      const decoder = new DockerLogDecoder();
      for await (const chunk of stream) {
        this.accept(task, position, decoder.push(chunk as Buffer));
        // Not reading on holds the lines in Docker's log while the emulator does not take them.
        await task.uploader.room();
      }
      if (this.stopping.signal.aborted) return;
      await this.drain(container, task, position);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      if (error instanceof DockerLogFormatError) task.unreadableRun = container.startedAt?.getTime();
      this.writeDiagnostic({
        event: 'task-logs-failed',
        taskId,
        logStreamName,
        error: (error as Error).message,
      });
    }
  }

  /**
   * After a follow stream ended: Docker can end it before the last lines of a container that
   * stopped, so once the container has stopped, read what its log holds after the position.
   * A running container's stream ended for another reason; the next discovery follows it again.
   */
  private async drain(container: TaskContainer, task: TrackedTask, position: LogReadPosition): Promise<void> {
    const dockerContainer = this.options.docker.getContainer(container.containerId);
    const info = await dockerContainer.inspect().catch((error: { statusCode?: number }) => {
      // Removed: its log went with it, there is nothing left to read.
      if (error.statusCode === 404) return undefined;
      throw error;
    });
    if (!info) return;
    const { State } = info;
    if (State.Running) return;
    const since = position.beginRead();
    const rest = await dockerContainer.logs({
      follow: false,
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(since === undefined ? {} : { since }),
    });
    const decoder = new DockerLogDecoder();
    this.accept(task, position, decoder.push(rest));
    // A line the task wrote without a final newline is complete once its output has ended.
    this.accept(task, position, decoder.end());
    task.readToEndOf = new Date(State.StartedAt).getTime();
    // The task's last lines need not wait for the next periodic flush.
    void task.uploader.flush();
  }

  private accept(task: TrackedTask, position: LogReadPosition, lines: readonly DockerLogLine[]): void {
    for (const line of lines) {
      if (!position.accept(line)) continue;
      task.uploader.enqueue(
        lineToEvents(Number(line.timeNanos / 1_000_000n), line.message),
        position.saved(),
      );
    }
  }

  private notify(events: readonly ShippedLogEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.writeDiagnostic({ event: 'log-event-listener-failed', error: (error as Error).message });
        }
      }
    }
  }
}
