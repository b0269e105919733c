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
 * TASK_SERVICE (the compose service of the tasks, default `api`), SCHEDULER_URL (the scheduler's
 * endpoint, for Container Insights' DesiredTaskCount), MONITOR_STATE_DIR (a directory of the
 * platform's volume: each log stream's checkpoint, the notifications not yet published and the
 * alarm history). The Docker socket must be mounted; the compose project is read
 * from this container's own labels.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import Dockerode from 'dockerode';
import { logDiagnostic } from '../alb/simulated-alb';
import { requiredEnv } from '../cli';
import { alarmPeriodsSeconds, readCloudAssembly } from '../cloud-assembly';
import { ALARM_HISTORY_FILE_NAME, AlarmHistoryFile } from '../cloudwatch/alarm-history';
import { AlarmRunner } from '../cloudwatch/alarm-runner';
import { cloudWatchOutbox } from '../cloudwatch/metric-outbox';
import { NotificationOutbox } from '../cloudwatch/notification-outbox';
import { readDeployedNames } from '../deployed-names-file';
import { ownComposeService } from '../ecs/task-containers';
import { TaskTelemetry } from '../ecs/task-telemetry';
import { selectEmulator } from '../emulator';
import { emulatorClientConfig, emulatorClients } from '../emulator-clients';
import { verifyAlarmsLeftToMonitor } from '../emulator-init';
import { LogShipper } from '../logs/log-shipper';
import { MetricFilters } from '../logs/metric-filters';
import { ShippingCheckpoints } from '../logs/shipping-checkpoints';
import { every, serviceLog } from '../long-running';
import { PlatformWatch } from './platform-watch';
import { MONITOR_STATUS_FILE, monitorStatus } from './status';

const TELEMETRY_INTERVAL_MS = 5000;
/**
 * Alarms are evaluated five times per shortest alarm period of the templates: a breach is seen
 * within a fifth of a period of its closing (2 s with the local profile's 10-second periods).
 */
const ALARM_ROUNDS_PER_PERIOD = 5;
const METRIC_FILTER_WINDOW_MS = 2000;
/** Touched after every alarm round; compose's health check reads its age. */
const HEARTBEAT_FILE = '/tmp/monitor-heartbeat';
/** While the emulator has forgotten the platform, the monitor says so this often. */
const PLATFORM_LOST_REPEAT_MS = 60_000;
/** The backlog in the status file is this fresh, whether the emulator answers or not. */
const STATUS_INTERVAL_MS = 1000;

export const log = serviceLog('monitor');

/** The service's desired count from the scheduler's DescribeServices, or undefined while it does not answer. */
async function desiredCountFrom(schedulerUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(new URL('/services', schedulerUrl), { signal: AbortSignal.timeout(2000) });
    const { services } = (await response.json()) as { services: Array<{ desiredCount: number }> };
    return services[0]?.desiredCount;
  } catch {
    return undefined;
  }
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
  const schedulerUrl = env.SCHEDULER_URL?.trim();
  const stateDir = requiredEnv('MONITOR_STATE_DIR', env);
  const metrics = cloudWatchOutbox(cloudWatch, logDiagnostic);

  const telemetry = new TaskTelemetry({
    docker,
    sink: metrics,
    compose,
    dimensions: { clusterName: names.clusterName, serviceName: names.serviceName },
    taskCpuUnits: names.cpu,
    taskMemoryMiB: names.memoryMiB,
    intervalMs: TELEMETRY_INTERVAL_MS,
    desiredCount: schedulerUrl ? () => desiredCountFrom(schedulerUrl) : undefined,
  });

  // The filters as the emulator holds them, which the deploy made match the templates.
  const { metricFilters = [] } = await logs.send(
    new DescribeMetricFiltersCommand({ logGroupName: names.logGroupName }),
  );
  const filters = new MetricFilters(metricFilters);
  const { logGroups = [] } = await logs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroupName }),
  );
  const logGroup = logGroups.find((group) => group.logGroupName === names.logGroupName);
  const checkpoints = new ShippingCheckpoints(
    join(stateDir, 'log-checkpoints.json'),
    { logGroupName: names.logGroupName, creationTime: logGroup?.creationTime ?? 0 },
    (reason) => log({ event: 'log-checkpoints-discarded', reason }),
  );
  const shipper = new LogShipper({
    docker,
    logs,
    compose,
    logGroupName: names.logGroupName,
    streamPrefix: names.streamPrefix,
    containerName: names.containerName,
    checkpoints,
  });
  shipper.onLogEvent((event) => filters.add(event));
  const publishFilterMetrics = async () => {
    for (const { namespace, datum } of filters.drain(new Date())) {
      await metrics.putMetricData({ Namespace: namespace, MetricData: [datum] });
    }
  };

  const notifications = emulator.runsAlarmActions
    ? undefined
    : new NotificationOutbox(clients.sns, join(stateDir, 'notifications.json'), log);
  // Where the emulator keeps no alarm history, the console reads the monitor's record instead.
  const history = emulator.keepsAlarmHistory
    ? undefined
    : new AlarmHistoryFile(join(stateDir, ALARM_HISTORY_FILE_NAME));
  const alarms = new AlarmRunner({ cloudWatch, notifications, history, log });

  const platform = new PlatformWatch({
    present: async () => {
      const { logGroups = [] } = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: names.logGroupName }),
      );
      return logGroups.some((group) => group.logGroupName === names.logGroupName);
    },
    log,
    repeatEveryMs: PLATFORM_LOST_REPEAT_MS,
  });
  let shipping: Promise<void> | undefined;
  /** Telemetry and log shipping stop: lines stay in Docker until a monitor of a new deploy ships them. */
  const stopShipping = () => {
    shipping ??= Promise.all([telemetry.stop(), shipper.stop(), stopFilterMetrics()]).then(() => undefined);
    return shipping;
  };

  telemetry.start();
  shipper.start();
  const stopFilterMetrics = every(METRIC_FILTER_WINDOW_MS, 'metric-filters', publishFilterMetrics, log);
  const stopAlarms = every(
    alarmIntervalMs,
    'alarm-evaluation',
    async () => {
      const state = await platform.check();
      if (state === 'lost') {
        // Unhealthy from now on: compose and `make local-status` show it.
        rmSync(HEARTBEAT_FILE, { force: true });
        await stopShipping();
        return;
      }
      if (state === 'redeployed') {
        // Names and filters may have changed: a fresh monitor (compose restarts it) reads them again.
        process.kill(process.pid, 'SIGTERM');
        return;
      }
      await alarms.evaluate(new Date());
      writeFileSync(HEARTBEAT_FILE, '');
    },
    log,
  );
  const stopStatus = every(
    STATUS_INTERVAL_MS,
    'status',
    async () =>
      writeFileSync(
        MONITOR_STATUS_FILE,
        JSON.stringify(monitorStatus(shipper.backlog, metrics.backlog, notifications?.backlog)),
      ),
    log,
  );
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
    Promise.all([stopAlarms(), stopShipping(), stopStatus()])
      .then(publishFilterMetrics)
      .then(() => metrics.close());
}
