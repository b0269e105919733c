/**
 * Alarm notifications the monitor owes SNS, kept in a file of the platform's volume until
 * Publish has taken each one. The state change is already in the emulator (SetAlarmState came
 * first), so no later round would send it again: without this, a notification whose Publish
 * failed, or whose monitor crashed, would never go out. Notifications go in order, one at a time.
 *
 * Two windows remain, each as long as one file write: a monitor killed between the emulator's
 * answer to SetAlarmState and {@link NotificationOutbox.add} loses that notification, and one
 * killed between Publish's answer and the file write sends it again after its restart.
 */
import { readFileSync } from 'node:fs';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { writeWhole } from '../files';
import { retryable } from '../retries';

export interface PendingNotification {
  readonly alarmName: string;
  readonly newState: string;
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
  /** When the state changed (ms since the epoch). */
  readonly changedAt: number;
}

export interface NotificationBacklog {
  readonly waiting: number;
  readonly oldestChangedAt?: number;
  readonly lastDeliveredAt?: number;
  /** Refused by the emulator for good (a topic that does not exist): dropped and logged. */
  readonly dropped: number;
}

export class NotificationOutbox {
  private readonly pending: PendingNotification[];
  private lastDeliveredAt?: number;
  private dropped = 0;
  private delivering?: Promise<void>;

  constructor(
    private readonly sns: SNSClient,
    private readonly file: string,
    private readonly log: (event: Record<string, unknown>) => void,
  ) {
    this.pending = this.read();
    if (this.pending.length > 0) {
      this.log({ event: 'alarm-notifications-resumed', waiting: this.pending.length });
    }
  }

  get backlog(): NotificationBacklog {
    return {
      waiting: this.pending.length,
      oldestChangedAt: this.pending[0]?.changedAt,
      lastDeliveredAt: this.lastDeliveredAt,
      dropped: this.dropped,
    };
  }

  add(notifications: readonly PendingNotification[]): void {
    if (notifications.length === 0) return;
    this.pending.push(...notifications);
    this.save();
  }

  /**
   * Publishes what is waiting, oldest first, until done or until the emulator does not answer
   * (the rest waits for the next call). One delivery at a time.
   */
  deliver(): Promise<void> {
    this.delivering ??= this.drain().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const next = this.pending[0];
      try {
        await this.sns.send(
          new PublishCommand({ TopicArn: next.topicArn, Subject: next.subject, Message: next.message }),
        );
        this.lastDeliveredAt = Date.now();
        this.log({
          event: 'alarm-notification-sent',
          alarm: next.alarmName,
          state: next.newState,
          topic: next.topicArn,
        });
      } catch (error) {
        if (retryable(error)) {
          this.log({
            event: 'alarm-notification-retry',
            alarm: next.alarmName,
            waiting: this.pending.length,
            error: (error as Error).message,
          });
          return;
        }
        this.dropped++;
        this.log({
          event: 'alarm-notification-dropped',
          alarm: next.alarmName,
          topic: next.topicArn,
          reason: `the emulator refused it: ${(error as Error).message}`,
        });
      }
      this.pending.shift();
      this.save();
    }
  }

  private save(): void {
    writeWhole(this.file, JSON.stringify(this.pending));
  }

  private read(): PendingNotification[] {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as PendingNotification[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log({
          event: 'alarm-notifications-unreadable',
          file: this.file,
          error: (error as Error).message,
        });
      }
      return [];
    }
  }
}
