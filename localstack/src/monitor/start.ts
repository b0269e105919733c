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
 * DEPLOYED_NAMES_FILE (written by the deploy service), CLOUD_ASSEMBLY_DIR (the alarm periods),
 * TASK_SERVICE (the compose service of the tasks, default `api`). The Docker socket must be mounted; the compose project is read
 * from this container's own labels.
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import Dockerode from 'dockerode';
import { requiredEnv } from '../cli';
import { alarmPeriodsSeconds, readCloudAssembly } from '../cloud-assembly';
import { AlarmRunner } from '../cloudwatch/alarm-runner';
import { readDeployedNames } from '../deployed-names-file';
import type { ComposeService } from '../ecs/task-containers';
import { TaskTelemetry } from '../ecs/task-telemetry';
import { selectEmulator } from '../emulator';
import { emulatorClientConfig, emulatorClients } from '../emulator-clients';
import { verifyAlarmsLeftToMonitor } from '../emulator-init';
import { LogShipper } from '../logs/log-shipper';
import { MetricFilters } from '../logs/metric-filters';

const TELEMETRY_INTERVAL_MS = 5000;
/**
 * Alarms are evaluated five times per shortest alarm period of the templates: a breach is seen
 * within a fifth of a period of its closing (2 s with the local profile's 10-second periods).
 */
const ALARM_ROUNDS_PER_PERIOD = 5;
const METRIC_FILTER_WINDOW_MS = 2000;
/** Touched after every alarm round; compose's health check reads its age. */
const HEARTBEAT_FILE = '/tmp/monitor-heartbeat';

export const log = (event: Record<string, unknown>) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'monitor', ...event })}\n`,
  );

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

/** Starts every part of the monitor; resolves with what stops them, once their last data is out. */
export async function startMonitor(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const clients = emulatorClients(emulatorClientConfig(env));
  const { cloudWatch, logs } = clients;
  const names = readDeployedNames(requiredEnv('DEPLOYED_NAMES_FILE', env));
  const alarmIntervalMs =
    (Math.min(...alarmPeriodsSeconds(readCloudAssembly(requiredEnv('CLOUD_ASSEMBLY_DIR', env)))) * 1000) /
    ALARM_ROUNDS_PER_PERIOD;
  const emulator = selectEmulator(env);
  await verifyAlarmsLeftToMonitor(emulator, clients.config.endpoint);
  const docker = new Dockerode();
  const compose = await ownComposeService(docker, env.TASK_SERVICE?.trim() || 'api');

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
    sns: clients.sns,
    publishNotifications: !emulator.runsAlarmActions,
    log,
  });

  telemetry.start();
  shipper.start();
  const stopFilterMetrics = every(METRIC_FILTER_WINDOW_MS, 'metric-filters', publishFilterMetrics);
  const stopAlarms = every(alarmIntervalMs, 'alarm-evaluation', async () => {
    await alarms.evaluate(new Date());
    writeFileSync(HEARTBEAT_FILE, '');
  });
  log({
    event: 'started',
    alarmIntervalMs,
    compose,
    emulator: emulator.name,
    metricFilters: metricFilters.map(({ filterName }) => filterName),
    notifications: emulator.runsAlarmActions ? 'by the emulator' : 'published by the monitor',
  });

  // The log shipper drains what the tasks wrote last before the metrics are published.
  return () =>
    Promise.all([telemetry.stop(), shipper.stop(), stopAlarms()])
      .then(() => stopFilterMetrics())
      .then(publishFilterMetrics);
}
