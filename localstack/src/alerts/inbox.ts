/**
 * The local alerts inbox: the SQS queue the local profile subscribes to the alerts topic.
 * Reading it leaves the messages where they are, so `make alerts` can be run again and the
 * e2e suites can wait for one notification among many (one reader at a time).
 *
 * `make alerts` runs it in the monitor service, whose environment has the emulator's endpoint
 * (AWS_ENDPOINT_URL) and the platform's names (DEPLOYED_NAMES_FILE), the inbox among them.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type AlarmNotification, parseAlarmNotification } from '../cloudwatch/alarm-notification';

export interface ReceivedNotification {
  readonly messageId: string;
  readonly notification: AlarmNotification;
}

/** Long enough to receive every message once; they are made visible again right after. */
const READ_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * Every notification in the inbox, oldest state change first; nothing is deleted. Messages
 * are hidden while being read (an SQS receive otherwise keeps answering with the same first
 * ten), then made visible again at once.
 */
export async function readInbox(sqs: SQSClient, queueUrl: string): Promise<ReceivedNotification[]> {
  const received: ReceivedNotification[] = [];
  const receiptHandles: string[] = [];
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: READ_VISIBILITY_TIMEOUT_SECONDS,
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) break;
      for (const { MessageId, Body, ReceiptHandle } of Messages) {
        if (ReceiptHandle) receiptHandles.push(ReceiptHandle);
        if (MessageId && Body)
          received.push({ messageId: MessageId, notification: parseAlarmNotification(Body) });
      }
    }
  } finally {
    for (let start = 0; start < receiptHandles.length; start += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles.slice(start, start + 10).map((ReceiptHandle, index) => ({
            Id: String(index),
            ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
  return received.sort((a, b) =>
    a.notification.StateChangeTime.localeCompare(b.notification.StateChangeTime),
  );
}

/** One line per notification: time, alarm, old -> new state, reason. */
export function formatInbox(received: readonly ReceivedNotification[]): string {
  if (received.length === 0) return '  (no notifications yet)';
  return received
    .map(
      ({ notification: n }) =>
        `  ${n.StateChangeTime}  ${n.AlarmName}  ${n.OldStateValue} -> ${n.NewStateValue}\n      ${n.NewStateReason}`,
    )
    .join('\n');
}
