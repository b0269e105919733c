/**
 * What ECS and Container Insights publish about a service's tasks, computed from Docker's
 * container stats: `AWS/ECS` CPUUtilization and MemoryUtilization against the task
 * definition's CPU units and memory, and `ECS/ContainerInsights` RunningTaskCount.
 */
import type { MetricDatum, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type Dockerode from 'dockerode';
import { type Diagnostic, logDiagnostic } from '../alb/simulated-alb';
import type { MetricDataSink } from '../cloudwatch/metric-outbox';
import { type ComposeService, listTaskContainers, type TaskContainer } from './task-containers';

/** The dimension values of the ECS service, as the task definition's service names them. */
export interface EcsServiceDimensions {
  readonly clusterName: string;
  readonly serviceName: string;
}

/**
 * The part of Docker's container stats (`GET /containers/{id}/stats`) the utilizations need.
 * A container that stops or is removed while being read gives a partial answer.
 */
export interface ContainerStatsSample {
  readonly cpu_stats?: CpuStats;
  readonly precpu_stats?: CpuStats;
  readonly memory_stats?: {
    readonly usage?: number;
    readonly stats?: Readonly<Record<string, number>>;
  };
}

interface CpuStats {
  readonly cpu_usage: { readonly total_usage: number; readonly percpu_usage?: readonly number[] };
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
}

/** ECS counts CPU in units of 1/1024 vCPU: a task definition's `cpu: 256` is a quarter of a vCPU. */
export const CPU_UNITS_PER_VCPU = 1024;

/**
 * The task's CPU use in percent of its task definition's CPU units, from the usage between
 * Docker's previous and current reading. Above 100 when the task bursts beyond its reservation,
 * as on ECS. Undefined when the sample has no previous reading (a stopped container, the first read).
 */
export function cpuUtilization(stats: ContainerStatsSample, taskCpuUnits: number): number | undefined {
  const { cpu_stats: current, precpu_stats: previous } = stats;
  if (current?.system_cpu_usage === undefined || previous?.system_cpu_usage === undefined) return undefined;
  const usedNanos = current.cpu_usage.total_usage - previous.cpu_usage.total_usage;
  // The host's CPU time over all its CPUs, so usedNanos / elapsedNanos is a share of the whole host.
  const elapsedNanos = current.system_cpu_usage - previous.system_cpu_usage;
  const hostCpus = current.online_cpus || current.cpu_usage.percpu_usage?.length;
  if (!hostCpus || elapsedNanos <= 0 || usedNanos < 0) return undefined;
  const vCpusUsed = (usedNanos / elapsedNanos) * hostCpus;
  return ((vCpusUsed * CPU_UNITS_PER_VCPU) / taskCpuUnits) * 100;
}

/**
 * The task's memory in percent of its task definition's memory, counting what `docker stats`
 * counts: usage without the inactive page cache, which the kernel reclaims before it would
 * kill the task. Undefined for a container that is not running.
 */
export function memoryUtilization(stats: ContainerStatsSample, taskMemoryMiB: number): number | undefined {
  const { usage, stats: counters = {} } = stats.memory_stats ?? {};
  if (usage === undefined) return undefined;
  // cgroup v1 names the hierarchy's total `total_inactive_file`; cgroup v2 has only `inactive_file`.
  const inactiveFile = counters.total_inactive_file ?? counters.inactive_file ?? 0;
  const used = inactiveFile < usage ? usage - inactiveFile : usage;
  return (used / (taskMemoryMiB * 1024 * 1024)) * 100;
}

export interface TaskUtilization {
  readonly taskId: string;
  readonly cpuUtilization?: number;
  readonly memoryUtilization?: number;
}

/** The service's task counts, as Container Insights reports them. */
export interface TaskCounts {
  readonly running: number;
  readonly pending: number;
  /** The service's desired count, where a scheduler says it. */
  readonly desired?: number;
}

/**
 * The PutMetricData requests for one sampling round. Each task's utilization is one value of
 * the service-level metric, so Average, Minimum and Maximum over a period are taken over the
 * tasks' samples as on ECS. RunningTaskCount is published even when it is 0: an alarm on too
 * few tasks must see a breaching 0, not missing data. PendingTaskCount and DesiredTaskCount
 * are Container Insights' service metrics too.
 */
export function telemetryMetricData(
  dimensions: EcsServiceDimensions,
  counts: TaskCounts,
  utilizations: readonly TaskUtilization[],
  timestamp: Date,
): PutMetricDataCommandInput[] {
  const Dimensions = [
    { Name: 'ClusterName', Value: dimensions.clusterName },
    { Name: 'ServiceName', Value: dimensions.serviceName },
  ];
  const perTask = (MetricName: string, values: Array<number | undefined>): MetricDatum[] => {
    const samples = values.filter((value): value is number => value !== undefined);
    if (samples.length === 0) return [];
    return [
      {
        MetricName,
        Dimensions,
        Timestamp: timestamp,
        ...valuesAndCounts(samples),
        Unit: 'Percent',
        StorageResolution: 1,
      },
    ];
  };
  const ecsMetrics = [
    ...perTask(
      'CPUUtilization',
      utilizations.map((task) => task.cpuUtilization),
    ),
    ...perTask(
      'MemoryUtilization',
      utilizations.map((task) => task.memoryUtilization),
    ),
  ];
  return [
    ...(ecsMetrics.length > 0 ? [{ Namespace: 'AWS/ECS', MetricData: ecsMetrics }] : []),
    {
      Namespace: 'ECS/ContainerInsights',
      MetricData: [
        ['RunningTaskCount', counts.running] as const,
        ['PendingTaskCount', counts.pending] as const,
        ...(counts.desired === undefined ? [] : [['DesiredTaskCount', counts.desired] as const]),
      ].map(([MetricName, Value]) => ({
        MetricName,
        Dimensions,
        Timestamp: timestamp,
        Value,
        Unit: 'Count' as const,
        StorageResolution: 1,
      })),
    },
  ];
}

/** PutMetricData wants each distinct value once, with how often it occurred. */
function valuesAndCounts(samples: readonly number[]): { Values: number[]; Counts: number[] } {
  const counts = new Map<number, number>();
  for (const sample of samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
  return { Values: [...counts.keys()], Counts: [...counts.values()] };
}

export interface TaskTelemetryOptions {
  readonly docker: Dockerode;
  /** Where the datapoints go: the monitor's MetricOutbox, which holds them while the emulator is away. */
  readonly sink: MetricDataSink;
  /** The compose service whose replicas are the ECS service's tasks. */
  readonly compose: ComposeService;
  readonly dimensions: EcsServiceDimensions;
  /** The task definition's `cpu`, in CPU units (1024 = 1 vCPU). */
  readonly taskCpuUnits: number;
  /** The task definition's `memory`, in MiB. */
  readonly taskMemoryMiB: number;
  /** Time between the starts of two sampling rounds, e.g. 5000. */
  readonly intervalMs: number;
  /** The service's desired count, from its scheduler. @default - no DesiredTaskCount */
  readonly desiredCount?: () => Promise<number | undefined>;
  /** Receives failed rounds; JSON lines on stderr by default. */
  readonly writeDiagnostic?: (event: Diagnostic) => void;
}

/** Samples the service's tasks every interval and publishes their metrics until stopped. */
export class TaskTelemetry {
  private readonly writeDiagnostic: (event: Diagnostic) => void;
  private timer?: NodeJS.Timeout;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: TaskTelemetryOptions) {
    for (const name of ['taskCpuUnits', 'taskMemoryMiB', 'intervalMs'] as const) {
      if (!(options[name] > 0)) {
        throw new RangeError(
          `${name} must be a positive number, got ${options[name]}: check the task definition`,
        );
      }
    }
    this.writeDiagnostic = options.writeDiagnostic ?? logDiagnostic;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.schedule(0);
  }

  /** Stops sampling and waits for a round in progress to finish publishing. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: sample every running task, then publish. */
  async publishOnce(): Promise<void> {
    const tasks = await listTaskContainers(this.options.docker, this.options.compose);
    const running = tasks.filter((task) => task.lastStatus === 'RUNNING');
    const utilizations = await Promise.all(running.map((task) => this.sample(task)));
    const counts = {
      running: running.length,
      pending: tasks.filter((task) => task.lastStatus === 'PENDING').length,
      desired: await this.options.desiredCount?.(),
    };
    const requests = telemetryMetricData(this.options.dimensions, counts, utilizations, new Date());
    for (const request of requests) {
      await this.options.sink.putMetricData(request);
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.round = this.publishOnce()
        .catch((error: Error) =>
          this.writeDiagnostic({ event: 'task-telemetry-failed', error: error.message }),
        )
        .finally(() => {
          if (!this.stopped) this.schedule(Math.max(0, this.options.intervalMs - (Date.now() - started)));
        });
    }, delayMs);
  }

  private async sample(task: TaskContainer): Promise<TaskUtilization> {
    let stats: ContainerStatsSample;
    try {
      // Without one-shot, Docker reads twice about a second apart, so precpu_stats is filled in.
      stats = await this.options.docker.getContainer(task.containerId).stats({ stream: false });
    } catch (error) {
      // The task stopped since it was listed: it contributes no sample, as on ECS.
      this.writeDiagnostic({
        event: 'task-stats-failed',
        taskId: task.taskId,
        error: (error as Error).message,
      });
      return { taskId: task.taskId };
    }
    return {
      taskId: task.taskId,
      cpuUtilization: cpuUtilization(stats, this.options.taskCpuUnits),
      memoryUtilization: memoryUtilization(stats, this.options.taskMemoryMiB),
    };
  }
}
