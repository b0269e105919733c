/**
 * What the log shipper has delivered of each stream, kept in a file of the platform's volume so
 * that a monitor that crashed or was restarted resumes every stream where the last one stopped:
 * each line exactly once, even when several lines share a millisecond (a stream's
 * lastEventTimestamp cannot tell those apart, and on AWS it is only eventually consistent).
 *
 * A batch is written down as in flight before PutLogEvents and as shipped after CloudWatch
 * accepted it. A monitor that died in between cannot know which way the call went, so
 * {@link LogStreamUploader.open} asks the stream whether the batch's last event is there.
 *
 * The file belongs to one log group as deployed (its name and creation time): a group deployed
 * anew, after the emulator lost its state, starts from an empty file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeWhole } from '../files';
import type { SavedReadPosition } from './docker-log-stream';

/** An event as a batch's last one: its timestamp and a digest of its message. */
export interface EventFingerprint {
  readonly timestamp: number;
  readonly sha256: string;
}

export interface StreamCheckpoint {
  /** Everything the task wrote up to here is in CloudWatch Logs. */
  readonly shipped?: SavedReadPosition;
  /** A PutLogEvents call whose answer has not come back yet. */
  readonly inFlight?: { readonly position: SavedReadPosition; readonly lastEvent: EventFingerprint };
}

/** The deployed log group the checkpoints belong to. */
export interface LogGroupIdentity {
  readonly logGroupName: string;
  /** DescribeLogGroups' creationTime. */
  readonly creationTime: number;
}

interface CheckpointFile {
  readonly logGroup: LogGroupIdentity;
  readonly streams: Record<string, StreamCheckpoint>;
}

export function fingerprint(event: {
  readonly timestamp: number;
  readonly message: string;
}): EventFingerprint {
  return { timestamp: event.timestamp, sha256: createHash('sha256').update(event.message).digest('hex') };
}

export class ShippingCheckpoints {
  private readonly streams: Map<string, StreamCheckpoint>;

  /**
   * Reads the file if it exists and belongs to this log group; a file of an earlier deploy, or one
   * that cannot be read, is replaced on the first write (what it said is passed to `discarded`).
   */
  constructor(
    private readonly file: string,
    private readonly logGroup: LogGroupIdentity,
    discarded: (reason: string) => void = () => {},
  ) {
    this.streams = new Map(Object.entries(this.read(discarded)));
  }

  get(logStreamName: string): StreamCheckpoint | undefined {
    return this.streams.get(logStreamName);
  }

  sending(logStreamName: string, position: SavedReadPosition, lastEvent: EventFingerprint): void {
    const { shipped } = this.streams.get(logStreamName) ?? {};
    this.write(logStreamName, { shipped, inFlight: { position, lastEvent } });
  }

  shipped(logStreamName: string, position: SavedReadPosition): void {
    this.write(logStreamName, { shipped: position });
  }

  /** The stream's task is gone and everything of it is shipped. */
  forget(logStreamName: string): void {
    if (this.streams.delete(logStreamName)) this.save();
  }

  private write(logStreamName: string, checkpoint: StreamCheckpoint): void {
    this.streams.set(logStreamName, checkpoint);
    this.save();
  }

  /** A crash while saving leaves the old file or the new one, never half of one. */
  private save(): void {
    const content: CheckpointFile = { logGroup: this.logGroup, streams: Object.fromEntries(this.streams) };
    writeWhole(this.file, JSON.stringify(content));
  }

  private read(discarded: (reason: string) => void): Record<string, StreamCheckpoint> {
    let content: CheckpointFile;
    try {
      content = JSON.parse(readFileSync(this.file, 'utf8')) as CheckpointFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        discarded(
          `${this.file} cannot be read (${(error as Error).message}): streams resume from CloudWatch Logs`,
        );
      }
      return {};
    }
    const { logGroupName, creationTime } = content.logGroup ?? {};
    if (logGroupName !== this.logGroup.logGroupName || creationTime !== this.logGroup.creationTime) {
      discarded(
        `${this.file} belongs to log group ${logGroupName} created at ${creationTime}, not to the one deployed now (${this.logGroup.logGroupName}, created at ${this.logGroup.creationTime}): every stream starts anew`,
      );
      return {};
    }
    return content.streams ?? {};
  }
}
