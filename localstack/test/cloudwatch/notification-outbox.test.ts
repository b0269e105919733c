import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { NotificationOutbox, type PendingNotification } from '../../src/cloudwatch/notification-outbox';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:zama-alerts';

const notification = (alarmName: string, newState = 'ALARM'): PendingNotification => ({
  alarmName,
  newState,
  topicArn: TOPIC,
  subject: `${newState}: "${alarmName}" in US East (N. Virginia)`,
  message: `{"AlarmName":"${alarmName}"}`,
  changedAt: 1,
});

/** SNS that fails as scripted, then takes every Publish. */
function sns(failures: unknown[] = []) {
  const published: string[] = [];
  const client = {
    send: async (command: PublishCommand) => {
      const failure = failures.shift();
      if (failure) throw failure;
      published.push(command.input.Subject as string);
      return {};
    },
  } as unknown as SNSClient;
  return { client, published };
}

const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const noTopic = Object.assign(new Error('Topic does not exist'), {
  name: 'NotFound',
  $metadata: { httpStatusCode: 404 },
});
const file = () => join(mkdtempSync(join(tmpdir(), 'notifications-')), 'notifications.json');

describe('NotificationOutbox', () => {
  it('publishes each notification once, in order, and forgets it once SNS has it', async () => {
    const endpoint = sns();
    const path = file();
    const outbox = new NotificationOutbox(endpoint.client, path, () => {});
    outbox.add([notification('a'), notification('b', 'OK')]);
    await outbox.deliver();
    expect(endpoint.published).toEqual([
      'ALARM: "a" in US East (N. Virginia)',
      'OK: "b" in US East (N. Virginia)',
    ]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([]);
    expect(outbox.backlog).toEqual(expect.objectContaining({ waiting: 0, dropped: 0 }));
  });

  it('keeps a notification SNS did not take for the next round, in front of later ones', async () => {
    const endpoint = sns([down]);
    const outbox = new NotificationOutbox(endpoint.client, file(), () => {});
    outbox.add([notification('a')]);
    await outbox.deliver();
    expect(endpoint.published).toEqual([]);
    expect(outbox.backlog.waiting).toBe(1);
    outbox.add([notification('b')]);
    await outbox.deliver();
    expect(endpoint.published).toEqual([
      'ALARM: "a" in US East (N. Virginia)',
      'ALARM: "b" in US East (N. Virginia)',
    ]);
  });

  it('publishes after a restart what the monitor before it still owed, and nothing it had sent', async () => {
    const path = file();
    const before = new NotificationOutbox(sns([down]).client, path, () => {});
    before.add([notification('owed')]);
    await before.deliver();
    const endpoint = sns();
    const events: Record<string, unknown>[] = [];
    const after = new NotificationOutbox(endpoint.client, path, (event) => events.push(event));
    await after.deliver();
    expect(endpoint.published).toEqual(['ALARM: "owed" in US East (N. Virginia)']);
    expect(events[0]).toEqual({ event: 'alarm-notifications-resumed', waiting: 1 });
  });

  it('drops a notification to a topic that does not exist, counting it and saying why', async () => {
    const endpoint = sns([noTopic]);
    const events: Record<string, unknown>[] = [];
    const outbox = new NotificationOutbox(endpoint.client, file(), (event) => events.push(event));
    outbox.add([notification('a'), notification('b')]);
    await outbox.deliver();
    expect(endpoint.published).toEqual(['ALARM: "b" in US East (N. Virginia)']);
    expect(outbox.backlog.dropped).toBe(1);
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'alarm-notification-dropped',
        reason: 'the emulator refused it: Topic does not exist',
      }),
    );
  });
});
