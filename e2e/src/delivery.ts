/**
 * What the faults suite counts: tagged requests through the ALB, each of which makes its task
 * write two log lines (the request's line and, with the fault switch on `error-logs`, an error
 * line), compared with what CloudWatch Logs holds of them; the ALB's RequestCount datapoints
 * compared with its access log; the alarm notifications compared with the state changes.
 */
import { execFileSync } from 'node:child_process';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type DeployedNames, readInbox } from '@zama/localstack';
import { monitorStateChanges, notifiesOn, stateChangeMillis } from './alarm-notifications';
import { emulatorClientConfig } from './aws';

/** A docker command's standard output; the containers' own stderr (their diagnostics) is not wanted here. */
const docker = (...args: string[]) =>
  execFileSync('docker', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });

/** The names the platform's deploy resolved, as the monitor read them. */
export function deployedNames(monitorId: string): DeployedNames {
  return JSON.parse(docker('exec', monitorId, 'cat', '/platform/deployed-names.json')) as DeployedNames;
}

export interface TaggedTraffic {
  stop(): Promise<{ sent: number; failed: number }>;
}

/**
 * `workers` clients sending POST /api/v1/sum one after another, each request with its own
 * X-Request-ID `<tag>-<n>`, which the task's log lines carry. About 13 requests a second with
 * two workers: under the api's rate limit (600 a minute per task), so that every answer is 200
 * unless a fault causes another.
 */
export function taggedTraffic(albUrl: string, apiKey: string, tag: string, workers = 2): TaggedTraffic {
  let running = true;
  let sent = 0;
  let failed = 0;
  const worker = async () => {
    while (running) {
      const id = `${tag}-${sent++}`;
      try {
        const response = await fetch(`${albUrl}/api/v1/sum`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'x-request-id': id },
          body: '{"numbers":[1,2]}',
        });
        await response.arrayBuffer();
        if (response.status !== 200) failed++;
      } catch {
        failed++;
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  return {
    async stop() {
      running = false;
      await all;
      return { sent, failed };
    },
  };
}

/** One tagged line: which request, which of its lines, and its Docker timestamp (ms). */
interface TaggedLine {
  readonly key: string;
  readonly timestamp: number;
  readonly ingestionTime?: number;
}

function taggedKey(message: string, tag: string): string | undefined {
  if (!message.includes(tag)) return undefined;
  try {
    const { request_id, msg } = JSON.parse(message) as { request_id?: string; msg?: string };
    return request_id?.startsWith(`${tag}-`) ? `${request_id} ${msg}` : undefined;
  } catch {
    return undefined;
  }
}

/** Docker's RFC 3339 nanosecond timestamp, cut to the millisecond as the awslogs driver does. */
const dockerMillis = (stamp: string) => Date.parse(`${stamp.slice(0, 23)}Z`);

/** The tagged lines every api task container of the project wrote, by task id, in Docker's order. */
export function writtenLines(project: string, tag: string): Map<string, TaggedLine[]> {
  const ids = docker(
    'ps',
    '-aq',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    'label=com.docker.compose.service=api',
  )
    .split('\n')
    .filter(Boolean);
  const written = new Map<string, TaggedLine[]>();
  for (const id of ids) {
    const lines: TaggedLine[] = [];
    for (const line of docker('logs', '--timestamps', id).split('\n')) {
      const space = line.indexOf(' ');
      const key = taggedKey(line.slice(space + 1), tag);
      if (key) lines.push({ key, timestamp: dockerMillis(line.slice(0, space)) });
    }
    written.set(id, lines);
  }
  return written;
}

/** The tagged events each stream of the log group holds, by stream name, in the stream's order. */
export async function arrivedLines(
  endpoint: string,
  logGroupName: string,
  tag: string,
): Promise<Map<string, TaggedLine[]>> {
  const logs = new CloudWatchLogsClient(emulatorClientConfig(endpoint));
  const arrived = new Map<string, TaggedLine[]>();
  try {
    const { logStreams = [] } = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
    for (const { logStreamName } of logStreams) {
      const lines: TaggedLine[] = [];
      let nextToken: string | undefined;
      for (;;) {
        const page = await logs.send(
          new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken }),
        );
        for (const { message = '', timestamp = 0, ingestionTime } of page.events ?? []) {
          const key = taggedKey(message, tag);
          if (key) lines.push({ key, timestamp, ingestionTime });
        }
        if ((page.events ?? []).length === 0 || page.nextForwardToken === nextToken) break;
        nextToken = page.nextForwardToken;
      }
      arrived.set(logStreamName as string, lines);
    }
  } finally {
    logs.destroy();
  }
  return arrived;
}

export interface DeliveryCounts {
  readonly written: number;
  readonly arrived: number;
  readonly duplicated: number;
  /** Arrived later than the bound after the fault ended. */
  readonly late: number;
  readonly dropped: number;
  /** Lines whose stream holds them in another order than the task wrote them, or with another timestamp. */
  readonly outOfOrder: number;
  readonly wrongTimestamp: number;
}

/** Compares each task's lines with its awslogs stream (`<prefix>/<container>/<task id>`). */
export function compareDelivery(
  written: Map<string, TaggedLine[]>,
  arrived: Map<string, TaggedLine[]>,
  lateAfter: number,
): DeliveryCounts {
  let [writtenCount, arrivedCount, duplicated, late, dropped, outOfOrder, wrongTimestamp] = [
    0, 0, 0, 0, 0, 0, 0,
  ];
  for (const [containerId, lines] of written) {
    const stream = [...arrived.keys()].find((name) => name.endsWith(`/${containerId.slice(0, 32)}`));
    const held = stream ? (arrived.get(stream) ?? []) : [];
    writtenCount += lines.length;
    arrivedCount += held.length;
    const heldKeys = new Map<string, TaggedLine>();
    for (const line of held) {
      if (heldKeys.has(line.key)) duplicated++;
      else heldKeys.set(line.key, line);
      if (line.ingestionTime !== undefined && line.ingestionTime > lateAfter) late++;
    }
    for (const line of lines) {
      const found = heldKeys.get(line.key);
      if (!found) dropped++;
      else if (found.timestamp !== line.timestamp) wrongTimestamp++;
    }
    // The stream's order is by timestamp (stable); the task's lines are in timestamp order too.
    const order = (list: readonly TaggedLine[]) => [...new Set(list.map((line) => line.key))];
    const writtenOrder = order(lines).filter((key) => heldKeys.has(key));
    const heldOrder = order(held);
    outOfOrder += writtenOrder.filter((key, index) => heldOrder[index] !== key).length;
  }
  return {
    written: writtenCount,
    arrived: arrivedCount,
    duplicated,
    late,
    dropped,
    outOfOrder,
    wrongTimestamp,
  };
}

/** ALB access-log entries (the ALB's stdout) whose time falls in [from, to). */
export function accessLogEntries(albId: string, from: number, to: number): number {
  return docker('logs', albId)
    .split('\n')
    .filter((line) => line.startsWith('http '))
    .map((line) => Date.parse(line.split(' ')[1].replace(/(\.\d{3})\d*Z$/, '$1Z')))
    .filter((time) => time >= from && time < to).length;
}

/**
 * The sum of the target group's RequestCount datapoints in [from, to). The ALB publishes
 * RequestCount per load balancer and per load balancer and target group, as AWS does; the
 * second is read because LocalStack's GetMetricData matches dimensions as a subset, so that a
 * LoadBalancer-only query sums both (docs/emulators.md). With one target group and every
 * request forwarded the two are the same on AWS.
 */
export async function requestCountSum(
  endpoint: string,
  names: Pick<DeployedNames, 'loadBalancerFullName' | 'targetGroupFullName'>,
  from: number,
  to: number,
): Promise<number> {
  const cloudWatch = new CloudWatchClient(emulatorClientConfig(endpoint));
  try {
    const { MetricDataResults = [] } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(from),
        EndTime: new Date(to),
        MetricDataQueries: [
          {
            Id: 'requests',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'RequestCount',
                Dimensions: [
                  { Name: 'LoadBalancer', Value: names.loadBalancerFullName },
                  { Name: 'TargetGroup', Value: names.targetGroupFullName },
                ],
              },
              Period: 5,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    return (MetricDataResults[0]?.Values ?? []).reduce((sum, value) => sum + value, 0);
  } finally {
    cloudWatch.destroy();
  }
}

/** An AWS notification's StateChangeTime (`2026-12-04T05:14:20.389+0000`) as ms since the epoch. */
export interface NotificationComparison {
  /**
   * `<alarm> <state>` of each state change since `since` whose state notifies a topic, sorted.
   * Target tracking's alarms act on their scaling policy only, so they send no notification.
   */
  readonly changes: string[];
  /** `<alarm> <state>` of each notification in the inbox for a change since `since`, sorted. */
  readonly notified: string[];
}

/** The monitor's state changes (its `alarm-state-changed` lines) and the inbox's notifications since `since`. */
export async function notificationsAndChanges(
  monitorId: string,
  endpoint: string,
  inboxUrl: string,
  since: number,
): Promise<NotificationComparison> {
  const config = emulatorClientConfig(endpoint);
  const cloudWatch = new CloudWatchClient(config);
  const sqs = new SQSClient(config);
  try {
    const notifies = await notifiesOn(cloudWatch);
    const changes = monitorStateChanges(monitorId)
      .filter((change) => Date.parse(change.time) >= since && notifies(change.alarm, change.to))
      .map((change) => `${change.alarm} ${change.to}`);
    const notified = (await readInbox(sqs, inboxUrl))
      .filter(({ notification }) => stateChangeMillis(notification.StateChangeTime) >= since)
      .map(({ notification }) => `${notification.AlarmName} ${notification.NewStateValue}`);
    return { changes: changes.sort(), notified: notified.sort() };
  } finally {
    cloudWatch.destroy();
    sqs.destroy();
  }
}
