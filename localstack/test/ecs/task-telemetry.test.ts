import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import type Dockerode from 'dockerode';
import type { MetricDataSink } from '../../src/cloudwatch/metric-outbox';
import {
  type ContainerStatsSample,
  cpuUtilization,
  memoryUtilization,
  TaskTelemetry,
  telemetryMetricData,
} from '../../src/ecs/task-telemetry';
import busy from './fixtures/stats-cgroup-v1-busy.json';
import pageCache from './fixtures/stats-cgroup-v1-page-cache.json';
import cgroupV2 from './fixtures/stats-cgroup-v2.json';
import stopped from './fixtures/stats-stopped.json';

const fixtures: Record<string, ContainerStatsSample> = {
  // Real `docker stats` readings: a busy loop capped at 0.25 CPU (cgroup v1), a task with 96 MiB
  // of inactive page cache (cgroup v1), a cgroup v2 reading, and a container that is not running.
  'cgroup v1, busy': busy,
  'cgroup v1, page cache': pageCache,
  'cgroup v2': cgroupV2,
  stopped,
};

describe('cpuUtilization', () => {
  it.each([
    // 0.2536 of the host's 2 CPUs over the last second, against a quarter vCPU.
    ['cgroup v1, busy', 256, 101.456368],
    ['cgroup v1, busy', 1024, 25.364092],
    ['cgroup v1, page cache', 256, 0.09224],
    // 0.5 s of CPU time in 1 s on a 4-CPU host: half a vCPU.
    ['cgroup v2', 256, 200],
    ['cgroup v2', 512, 100],
    ['cgroup v2', 2048, 25],
  ])('%s with cpu %i: %f %', (fixture, cpuUnits, percent) => {
    expect(cpuUtilization(fixtures[fixture], cpuUnits)).toBeCloseTo(percent, 5);
  });

  it('counts the CPUs from percpu_usage where Docker reports no online_cpus (older cgroup v1 daemons)', () => {
    const { online_cpus: _current, ...cpuStats } = busy.cpu_stats;
    const { online_cpus: _previous, ...precpuStats } = busy.precpu_stats;
    expect(cpuUtilization({ ...busy, cpu_stats: cpuStats, precpu_stats: precpuStats }, 256)).toBeCloseTo(
      101.456368,
      5,
    );
  });

  it('has no value without a previous reading: a container that is not running', () => {
    expect(cpuUtilization(stopped, 256)).toBeUndefined();
  });

  it('has no value from a partial answer for a container removed while being read', () => {
    expect(cpuUtilization({ memory_stats: {} }, 256)).toBeUndefined();
  });

  it('has no value when the host clock did not advance between the readings', () => {
    expect(cpuUtilization({ ...cgroupV2, precpu_stats: cgroupV2.cpu_stats }, 256)).toBeUndefined();
  });
});

describe('memoryUtilization', () => {
  it.each([
    ['cgroup v1, busy', 512, 19.246674],
    // 265 MiB used of which 96 MiB is inactive page cache: 169 MiB counts, as in `docker stats`.
    ['cgroup v1, page cache', 512, 33.049011],
    // 200 MiB used, 50 MiB inactive_file.
    ['cgroup v2', 512, 29.296875],
    ['cgroup v2', 1024, 14.6484375],
  ])('%s with memory %i MiB: %f %', (fixture, memoryMiB, percent) => {
    expect(memoryUtilization(fixtures[fixture], memoryMiB)).toBeCloseTo(percent, 5);
  });

  it('has no value for a container that is not running, or removed while being read', () => {
    expect(memoryUtilization(stopped, 512)).toBeUndefined();
    expect(memoryUtilization({}, 512)).toBeUndefined();
  });
});

describe('telemetryMetricData', () => {
  const dimensions = { clusterName: 'zama-local-cluster', serviceName: 'zama-local-api' };
  const Dimensions = [
    { Name: 'ClusterName', Value: 'zama-local-cluster' },
    { Name: 'ServiceName', Value: 'zama-local-api' },
  ];
  const timestamp = new Date('2026-11-25T23:30:00Z');

  it('publishes one value per task for the utilizations and the running task count', () => {
    expect(
      telemetryMetricData(
        dimensions,
        { running: 2, pending: 1, desired: 3 },
        [
          { taskId: 'a', cpuUtilization: 40, memoryUtilization: 20 },
          { taskId: 'b', cpuUtilization: 80, memoryUtilization: 30 },
        ],
        timestamp,
      ),
    ).toEqual([
      {
        Namespace: 'AWS/ECS',
        MetricData: [
          {
            MetricName: 'CPUUtilization',
            Dimensions,
            Timestamp: timestamp,
            Values: [40, 80],
            Counts: [1, 1],
            Unit: 'Percent',
            StorageResolution: 1,
          },
          {
            MetricName: 'MemoryUtilization',
            Dimensions,
            Timestamp: timestamp,
            Values: [20, 30],
            Counts: [1, 1],
            Unit: 'Percent',
            StorageResolution: 1,
          },
        ],
      },
      {
        Namespace: 'ECS/ContainerInsights',
        MetricData: [
          {
            MetricName: 'RunningTaskCount',
            Dimensions,
            Timestamp: timestamp,
            Value: 2,
            Unit: 'Count',
            StorageResolution: 1,
          },
          {
            MetricName: 'PendingTaskCount',
            Dimensions,
            Timestamp: timestamp,
            Value: 1,
            Unit: 'Count',
            StorageResolution: 1,
          },
          {
            MetricName: 'DesiredTaskCount',
            Dimensions,
            Timestamp: timestamp,
            Value: 3,
            Unit: 'Count',
            StorageResolution: 1,
          },
        ],
      },
    ]);
  });

  it('lists a value shared by several tasks once, with its count, so the average stays right', () => {
    const [ecs] = telemetryMetricData(
      dimensions,
      { running: 3, pending: 0 },
      [
        { taskId: 'a', cpuUtilization: 50, memoryUtilization: 10 },
        { taskId: 'b', cpuUtilization: 50, memoryUtilization: 10 },
        { taskId: 'c', cpuUtilization: 20, memoryUtilization: 10 },
      ],
      timestamp,
    );
    expect(ecs.MetricData?.map(({ MetricName, Values, Counts }) => ({ MetricName, Values, Counts }))).toEqual(
      [
        { MetricName: 'CPUUtilization', Values: [50, 20], Counts: [2, 1] },
        { MetricName: 'MemoryUtilization', Values: [10], Counts: [3] },
      ],
    );
  });

  it('leaves out a task without a sample rather than counting it as 0', () => {
    const [ecs] = telemetryMetricData(
      dimensions,
      { running: 2, pending: 0 },
      [{ taskId: 'a', cpuUtilization: 70, memoryUtilization: 25 }, { taskId: 'b' }],
      timestamp,
    );
    expect(ecs.MetricData?.map(({ Values }) => Values)).toEqual([[70], [25]]);
  });

  it('publishes a running task count of 0 when no task runs, and no utilization', () => {
    expect(telemetryMetricData(dimensions, { running: 0, pending: 0 }, [], timestamp)).toEqual([
      {
        Namespace: 'ECS/ContainerInsights',
        MetricData: [
          expect.objectContaining({ MetricName: 'RunningTaskCount', Value: 0, Dimensions }),
          expect.objectContaining({ MetricName: 'PendingTaskCount', Value: 0, Dimensions }),
        ],
      },
    ]);
  });
});

describe('TaskTelemetry', () => {
  const containerId = (n: number) => `${String(n).repeat(8)}${'a'.repeat(56)}`;

  /** A Docker daemon with the given containers of the compose service and their stats. */
  function fakeDocker(containers: Array<{ state: string; stats: ContainerStatsSample }>): Dockerode {
    return {
      listContainers: async () => containers.map((_, index) => ({ Id: containerId(index + 1), Labels: {} })),
      getContainer: (id: string) => {
        const container = containers[Number(id[0]) - 1];
        return {
          inspect: async () => ({
            Id: id,
            State: {
              Status: container.state,
              StartedAt: '2026-11-25T23:00:00Z',
              FinishedAt: '0001-01-01T00:00:00Z',
            },
          }),
          stats: async () => container.stats,
        };
      },
    } as unknown as Dockerode;
  }

  function recordingSink(): { sink: MetricDataSink; sent: PutMetricDataCommandInput[] } {
    const sent: PutMetricDataCommandInput[] = [];
    return { sink: { putMetricData: async (input) => sent.push(input) }, sent };
  }

  const options = {
    compose: { project: 'zama', service: 'api' },
    dimensions: { clusterName: 'cluster', serviceName: 'service' },
    taskCpuUnits: 512,
    taskMemoryMiB: 512,
    intervalMs: 5000,
  };

  it('samples the running tasks only and publishes their utilizations and counts', async () => {
    const cloudWatch = recordingSink();
    const telemetry = new TaskTelemetry({
      ...options,
      docker: fakeDocker([
        { state: 'running', stats: cgroupV2 },
        { state: 'exited', stats: stopped },
        { state: 'running', stats: busy },
        { state: 'created', stats: stopped },
      ]),
      sink: cloudWatch.sink,
      desiredCount: async () => 3,
    });
    await telemetry.publishOnce();
    expect(
      cloudWatch.sent.flatMap(({ Namespace, MetricData = [] }) =>
        MetricData.map(({ MetricName, Values, Value }) => ({
          Namespace,
          MetricName,
          values: Values ?? [Value],
        })),
      ),
    ).toEqual([
      { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', values: [100, expect.closeTo(50.728184, 5)] },
      {
        Namespace: 'AWS/ECS',
        MetricName: 'MemoryUtilization',
        values: [29.296875, expect.closeTo(19.246674, 5)],
      },
      { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', values: [2] },
      { Namespace: 'ECS/ContainerInsights', MetricName: 'PendingTaskCount', values: [1] },
      { Namespace: 'ECS/ContainerInsights', MetricName: 'DesiredTaskCount', values: [3] },
    ]);
  });

  it('refuses a task definition without CPU units', () => {
    expect(
      () =>
        new TaskTelemetry({
          ...options,
          taskCpuUnits: 0,
          docker: fakeDocker([]),
          sink: recordingSink().sink,
        }),
    ).toThrow('taskCpuUnits must be a positive number, got 0');
  });
});
