/**
 * The `monitor` service of compose.yaml: what CloudWatch and the ECS agent do for the api
 * tasks on AWS, done here for the compose replicas through the Docker API.
 *
 * - task telemetry: CPUUtilization and MemoryUtilization (AWS/ECS), RunningTaskCount
 *   (ECS/ContainerInsights);
 * - the awslogs driver: every task's stdout and stderr into its CloudWatch Logs stream, with
 *   the log group's metric filters turned into metrics;
 * - alarm evaluation with SetAlarmState and the alarm notifications.
 *
 * Environment: AWS_ENDPOINT_URL (the emulator), AWS_REGION, AWS_EMULATOR (localstack|moto),
 * PLATFORM_NAMES_FILE (written by the deploy service), TASK_SERVICE (the compose service of
 * the tasks, default `api`). The Docker socket must be mounted; the compose project is read
 * from this container's own labels.
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import Dockerode from 'dockerode';
import { AlarmRunner } from '../cloudwatch/alarm-runner';
import type { ComposeService } from '../ecs/task-containers';
import { TaskTelemetry } from '../ecs/task-telemetry';
import { selectEmulator } from '../emulator';
import { verifyAlarmsLeftToMonitor } from '../emulator-init';
import { LogShipper } from '../logs/log-shipper';
import { MetricFilters } from '../logs/metric-filters';
import { readPlatformNames } from '../platform-names-file';

const TELEMETRY_INTERVAL_MS = 5000;
/** Half the local alarm period: a breach is seen within a couple of seconds of its period closing. */
const ALARM_INTERVAL_MS = 2000;
const METRIC_FILTER_WINDOW_MS = 2000;
/** Touched after every alarm round; compose's health check reads its age. */
const HEARTBEAT_FILE = '/tmp/monitor-heartbeat';

const log = (event: Record<string, unknown>) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'monitor', ...event })}\n`,
  );

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is not set (compose.yaml sets it for the monitor service)`);
  return value;
}

/** The compose project this container belongs to, which the task replicas share. */
async function ownComposeService(docker: Dockerode, service: string): Promise<ComposeService> {
  let labels: Record<string, string>;
  try {
    labels = (await docker.getContainer(hostname()).inspect()).Config.Labels ?? {};
  } catch (error) {
    throw new Error(
      `cannot inspect this container through the Docker API (${(error as Error).message}): mount /var/run/docker.sock`,
    );
  }
  const project = labels['com.docker.compose.project'];
  if (!project) throw new Error('this container has no compose project label: run it with docker compose');
  return { project, service };
}

/** Repeats `round` every interval, never two at a time, until stopped. */
function every(intervalMs: number, what: string, round: () => Promise<void>): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const run = () => {
    const started = Date.now();
    current = round()
      .catch((error: Error) => log({ event: `${what}-failed`, error: error.message }))
      .then(() => {
        if (!stopped) timer = setTimeout(run, Math.max(0, intervalMs - (Date.now() - started)));
      });
  };
  run();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}

async function main(): Promise<void> {
  const clientConfig = {
    endpoint: required('AWS_ENDPOINT_URL'),
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const names = readPlatformNames(required('PLATFORM_NAMES_FILE'));
  const emulator = selectEmulator(process.env);
  await verifyAlarmsLeftToMonitor(emulator, clientConfig.endpoint);
  const docker = new Dockerode();
  const compose = await ownComposeService(docker, process.env.TASK_SERVICE?.trim() || 'api');
  const cloudWatch = new CloudWatchClient(clientConfig);
  const logs = new CloudWatchLogsClient(clientConfig);

  const telemetry = new TaskTelemetry({
    docker,
    cloudWatch,
    compose,
    dimensions: { clusterName: names.clusterName, serviceName: names.serviceName },
    taskCpuUnits: names.cpu,
    taskMemoryMiB: names.memoryMiB,
    intervalMs: TELEMETRY_INTERVAL_MS,
  });

  // The filters as the emulator holds them, which the deploy made match the templates.
  const { metricFilters = [] } = await logs.send(
    new DescribeMetricFiltersCommand({ logGroupName: names.logGroupName }),
  );
  const filters = new MetricFilters(metricFilters);
  const shipper = new LogShipper({
    docker,
    logs,
    compose,
    logGroupName: names.logGroupName,
    streamPrefix: names.streamPrefix,
    containerName: names.containerName,
  });
  shipper.onLogEvent((event) => filters.add(event));
  const publishFilterMetrics = async () => {
    for (const { namespace, datum } of filters.drain(new Date())) {
      await cloudWatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [datum] }));
    }
  };

  const alarms = new AlarmRunner({
    cloudWatch,
    sns: new SNSClient(clientConfig),
    publishNotifications: !emulator.runsAlarmActions,
    log,
  });

  telemetry.start();
  shipper.start();
  const stopFilterMetrics = every(METRIC_FILTER_WINDOW_MS, 'metric-filters', publishFilterMetrics);
  const stopAlarms = every(ALARM_INTERVAL_MS, 'alarm-evaluation', async () => {
    await alarms.evaluate(new Date());
    writeFileSync(HEARTBEAT_FILE, '');
  });
  log({
    event: 'started',
    compose,
    emulator: emulator.name,
    metricFilters: metricFilters.map(({ filterName }) => filterName),
    notifications: emulator.runsAlarmActions ? 'by the emulator' : 'published by the monitor',
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log({ event: 'stopping', signal });
    // The log shipper drains what the tasks wrote last before the metrics are published.
    Promise.all([telemetry.stop(), shipper.stop(), stopAlarms()])
      .then(() => stopFilterMetrics())
      .then(publishFilterMetrics)
      .then(
        () => process.exit(0),
        (error: Error) => {
          log({ event: 'stop-failed', error: error.message });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`monitor cannot start: ${error.message}\n`);
  process.exit(1);
});
