/**
 * Log shipping end to end: a real task container writes to stdout and stderr and exits, the
 * log shipper reads it through the Docker API, and a real emulator (moto) holds the lines in
 * the awslogs stream of the task, in order, the last ones too, and once each after a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  type alb,
  LogShipper,
  type ShippedLogEvent,
  ShippingCheckpoints,
  selectEmulator,
  taskIdOf,
} from '@zama/localstack';
import type Dockerode from 'dockerode';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { emulatorClientConfig } from '../src/aws';
import { describeWithImages } from '../src/docker';
import { type RunningEmulator, startEmulator } from '../src/emulator-container';
import { platformImages } from '../src/local-platform';

const emulator = selectEmulator({ ...process.env, AWS_EMULATOR: 'moto' });
const taskImage = platformImages().node;

const LOG_GROUP = '/ecs/zama-e2e-log-shipping';
/**
 * Longer than Docker's 16 KiB log buffer, so Docker stores it in pieces. ASCII, because the
 * json-file driver itself replaces a character its buffer cuts in two.
 */
const LONG_LINE_LENGTH = 40_000;

/**
 * The task: waits until the shipper follows it, then writes to both streams, a line Docker
 * splits, a burst right before exiting and a last line without a newline. A file in the
 * container's own filesystem tells a restart (run 2) from the first run.
 */
const TASK_SCRIPT = `
const fs = require('node:fs');
const run = fs.existsSync('/tmp/ran') ? 2 : 1;
fs.writeFileSync('/tmp/ran', '');
setTimeout(() => {
  for (let i = 1; i <= 100; i++) process.stdout.write('run ' + run + ' out ' + i + '\\n');
  for (let i = 1; i <= 100; i++) process.stderr.write('run ' + run + ' err ' + i + '\\n');
  process.stdout.write('run ' + run + ' long ' + 'x'.repeat(${LONG_LINE_LENGTH}) + '\\n');
  for (let i = 101; i <= 1100; i++) process.stdout.write('run ' + run + ' out ' + i + '\\n');
  process.stderr.write('run ' + run + ' err last, without a newline');
  process.exit(3);
}, 1500);
`;

function expectedLines(run: number): { stdout: string[]; stderr: string[] } {
  const out = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `run ${run} out ${from + i}`);
  return {
    stdout: [
      ...out(1, 100),
      abbreviate(`run ${run} long ${'x'.repeat(LONG_LINE_LENGTH)}`),
      ...out(101, 1100),
    ],
    stderr: [
      ...Array.from({ length: 100 }, (_, i) => `run ${run} err ${i + 1}`),
      `run ${run} err last, without a newline`,
    ],
  };
}

async function allEvents(logs: CloudWatchLogsClient, logStreamName: string): Promise<OutputLogEvent[]> {
  const events: OutputLogEvent[] = [];
  let nextToken: string | undefined;
  for (;;) {
    const page = await logs
      .send(
        new GetLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName, startFromHead: true, nextToken }),
      )
      .catch((error: Error) => {
        if (error.name === 'ResourceNotFoundException') return { events: [], nextForwardToken: nextToken };
        throw error;
      });
    events.push(...(page.events ?? []));
    if (!page.nextForwardToken || page.nextForwardToken === nextToken || page.events?.length === 0)
      return events;
    nextToken = page.nextForwardToken;
  }
}

async function eventsOnceComplete(
  logs: CloudWatchLogsClient,
  logStreamName: string,
  count: number,
): Promise<OutputLogEvent[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const events = await allEvents(logs, logStreamName);
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A long line as its start and length, so that a failure prints readably. */
function abbreviate(message: string): string {
  return message.length > 100 ? `${message.slice(0, 20)}... (${message.length} characters)` : message;
}

/** The messages of one run that came from one of the task's streams, in stream order. */
function messagesOf(events: readonly OutputLogEvent[], run: number, source: 'out' | 'err'): string[] {
  const messages = events.map((event) => abbreviate(event.message ?? ''));
  return messages.filter((message) =>
    source === 'out'
      ? message.startsWith(`run ${run} out `) || message.startsWith(`run ${run} long `)
      : message.startsWith(`run ${run} err `),
  );
}

describeWithImages([emulator.image, taskImage])(`log shipping (${emulator.image}, ${taskImage})`, () => {
  let docker: Dockerode;
  const project = `zama-e2e-logs-${randomBytes(4).toString('hex')}`;
  let running: RunningEmulator | undefined;
  let task: StartedTestContainer | undefined;
  let shipper: LogShipper | undefined;

  beforeAll(async () => {
    // The Docker client testcontainers uses, so both talk to the same daemon.
    docker = (await getContainerRuntimeClient()).container.dockerode;
    running = await startEmulator(emulator);
    await new CloudWatchLogsClient(emulatorClientConfig(running.endpoint)).send(
      new CreateLogGroupCommand({ logGroupName: LOG_GROUP }),
    );
  });

  afterAll(async () => {
    await shipper?.stop();
    // Remove both containers even when one of them cannot be stopped.
    const removals = await Promise.allSettled([
      task?.stop({ remove: true, removeVolumes: true }),
      running?.stop(),
    ]);
    for (const removal of removals) if (removal.status === 'rejected') throw removal.reason;
  });

  it('ships every line of both streams to the task stream in order, the last ones too, and each once across a restart', async () => {
    const endpoint = (running as RunningEmulator).endpoint;
    const logs = new CloudWatchLogsClient(emulatorClientConfig(endpoint));
    const seenByListener: ShippedLogEvent[] = [];
    const diagnostics: alb.Diagnostic[] = [];
    shipper = new LogShipper({
      docker,
      logs,
      compose: { project, service: 'api' },
      logGroupName: LOG_GROUP,
      streamPrefix: 'ecs',
      containerName: 'api',
      checkpoints: new ShippingCheckpoints(
        join(mkdtempSync(join(tmpdir(), 'checkpoints-')), 'checkpoints.json'),
        {
          logGroupName: LOG_GROUP,
          creationTime: 0,
        },
      ),
      writeDiagnostic: (diagnostic) => diagnostics.push(diagnostic),
    });
    shipper.onLogEvent((event) => seenByListener.push(event));
    shipper.start();

    task = await new GenericContainer(taskImage)
      .withCommand(['node', '-e', TASK_SCRIPT])
      .withLabels({
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'api',
        'com.docker.compose.container-number': '1',
        'org.zama.e2e': 'true',
      })
      .start();
    const logStreamName = `ecs/api/${taskIdOf(task.getId())}`;
    const firstRun = expectedLines(1);
    const firstRunCount = firstRun.stdout.length + firstRun.stderr.length;

    const afterFirstRun = await eventsOnceComplete(logs, logStreamName, firstRunCount);
    expect(messagesOf(afterFirstRun, 1, 'out')).toEqual(firstRun.stdout);
    expect(messagesOf(afterFirstRun, 1, 'err')).toEqual(firstRun.stderr);
    expect(afterFirstRun).toHaveLength(firstRunCount);

    // The same container again, as a restarted task: it resumes after what was shipped.
    await docker.getContainer(task.getId()).start();
    const secondRun = expectedLines(2);
    const afterSecondRun = await eventsOnceComplete(logs, logStreamName, 2 * firstRunCount);
    expect(messagesOf(afterSecondRun, 1, 'out')).toEqual(firstRun.stdout);
    expect(messagesOf(afterSecondRun, 1, 'err')).toEqual(firstRun.stderr);
    expect(messagesOf(afterSecondRun, 2, 'out')).toEqual(secondRun.stdout);
    expect(messagesOf(afterSecondRun, 2, 'err')).toEqual(secondRun.stderr);
    expect(afterSecondRun).toHaveLength(2 * firstRunCount);

    // The restarted task's lines come after the first run's, by their Docker timestamps.
    const runs = afterSecondRun.map((event) => (event.message?.startsWith('run 1 ') ? 1 : 2));
    expect(runs).toEqual([...runs].sort());

    // The hook sees exactly what CloudWatch Logs stored. Docker orders stdout against stderr by
    // when it wrote them, not by their timestamps, so compare both in timestamp order (stable).
    await shipper.stop();
    const byTimestamp = [...seenByListener].sort((a, b) => a.timestamp - b.timestamp);
    expect(byTimestamp.map((event) => ({ ...event, message: abbreviate(event.message) }))).toEqual(
      afterSecondRun.map((event) => ({
        logGroupName: LOG_GROUP,
        logStreamName,
        timestamp: event.timestamp,
        message: abbreviate(event.message ?? ''),
      })),
    );
    // Nothing went wrong on the way: no retries, no failed reads.
    expect(diagnostics.filter((diagnostic) => diagnostic.event !== 'following-task-logs')).toEqual([]);
  });
});
