/**
 * The simulated ALB's metrics as the emulator stores them: what the publisher sends for one
 * 10-second alarm period reads back through GetMetricStatistics with the statistics the
 * alarms use, with AWS's semantics.
 *
 * Metrics AWS publishes with `LoadBalancer` and with `LoadBalancer` + `TargetGroup` are read
 * here by target group, or by load balancer only where the statistic is a ratio: moto's
 * GetMetricStatistics (and LocalStack's queries) match a datapoint whose dimensions include
 * the requested ones, so a load-balancer-only Sum adds up both series, where AWS matches
 * dimensions exactly.
 */
import {
  CloudWatchClient,
  type Datapoint,
  GetMetricStatisticsCommand,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import { alb, cloudWatchOutbox, selectEmulator } from '@zama/localstack';
import { emulatorClientConfig } from '../src/aws';
import { describeWithImages } from '../src/docker';
import { type RunningEmulator, startEmulator } from '../src/emulator-container';

const emulator = selectEmulator();

const DIMENSIONS = {
  loadBalancer: 'app/zama-api-platform-local-alb/50dc6c495c0c9188',
  targetGroup: 'targetgroup/zama-api-platform-local-tg/73e2d6bc24d8a067',
};
const LOAD_BALANCER = [{ Name: 'LoadBalancer', Value: DIMENSIONS.loadBalancer }];
const TARGET_GROUP = [...LOAD_BALANCER, { Name: 'TargetGroup', Value: DIMENSIONS.targetGroup }];
const SCOPES = { LoadBalancer: LOAD_BALANCER, 'LoadBalancer+TargetGroup': TARGET_GROUP };

/** One alarm period a minute ago: the publisher stamps data with the past, as AWS does. */
const PERIOD_START = Math.floor((Date.now() - 60_000) / 10_000) * 10_000;

function request(secondsIntoPeriod: number, outcome: Partial<alb.CompletedRequest>): alb.CompletedRequest {
  return {
    receivedAt: new Date(PERIOD_START + secondsIntoPeriod * 1000),
    completedAt: new Date(PERIOD_START + secondsIntoPeriod * 1000),
    client: { address: '172.18.0.1', port: 50000 },
    target: { id: '172.18.0.4', port: 8080 },
    elbStatusCode: 200,
    targetStatusCode: 200,
    targetConnectionError: false,
    receivedBytes: 100,
    sentBytes: 200,
    method: 'GET',
    url: 'http://localhost:8080/',
    httpVersion: 'HTTP/1.1',
    traceId: 'Root=1-00000000-000000000000000000000000',
    connectionTraceId: 'TID_0',
    ...outcome,
  };
}

const NO_RESPONSE = { targetStatusCode: undefined, targetResponseTimeSeconds: undefined };

describeWithImages([emulator.image])(`ALB metrics in ${emulator.name}`, () => {
  let running: RunningEmulator;
  let cloudWatch: CloudWatchClient;

  beforeAll(async () => {
    running = await startEmulator(emulator);
    cloudWatch = new CloudWatchClient(emulatorClientConfig(running.endpoint));

    const clock = { now: PERIOD_START };
    const hosts: { counts: alb.HostCounts } = { counts: { healthy: 2, unhealthy: 0 } };
    const failures: unknown[] = [];
    const outbox = cloudWatchOutbox(cloudWatch, (event) => failures.push(event));
    const publisher = new alb.AlbMetricsPublisher({
      sink: outbox,
      dimensions: DIMENSIONS,
      // the local profile's alarms have 10-second periods
      intervalSeconds: alb.metricsIntervalSeconds([10]),
      hosts: { hostCounts: () => hosts.counts },
      writeDiagnostic: (event) => failures.push(event),
      now: () => clock.now,
    });
    // First interval of the period: three quick answers and a 500 from the target.
    for (const [second, seconds] of [
      [1, 0.1],
      [2, 0.2],
      [3, 0.3],
    ]) {
      publisher.requestCompleted(request(second, { targetResponseTimeSeconds: seconds }));
    }
    publisher.requestCompleted(
      request(4, { elbStatusCode: 500, targetStatusCode: 500, targetResponseTimeSeconds: 0.4 }),
    );
    clock.now = PERIOD_START + 5000;
    await publisher.flush();

    // Second interval: a refused connection, a 503 with no target, a slow answer; a target fails.
    publisher.requestCompleted(
      request(6, { elbStatusCode: 502, ...NO_RESPONSE, targetConnectionError: true }),
    );
    publisher.requestCompleted(request(7, { elbStatusCode: 503, target: undefined, ...NO_RESPONSE }));
    publisher.requestCompleted(request(8, { targetResponseTimeSeconds: 2 }));
    hosts.counts = { healthy: 1, unhealthy: 1 };
    clock.now = PERIOD_START + 10_000;
    await publisher.flush();
    // The outbox sends on its own; closing it waits until the emulator has taken everything.
    await outbox.close();

    expect(outbox.backlog).toEqual(expect.objectContaining({ data: 0 }));
    expect(failures).toEqual([]);
  });

  afterAll(async () => {
    cloudWatch?.destroy();
    await running?.stop();
  });

  async function statistics(
    metric: string,
    dimensions: typeof LOAD_BALANCER,
    stats: Statistic[],
  ): Promise<Datapoint[]> {
    const { Datapoints } = await cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricName: metric,
        Dimensions: dimensions,
        StartTime: new Date(PERIOD_START),
        EndTime: new Date(PERIOD_START + 10_000),
        Period: 10,
        Statistics: stats,
      }),
    );
    return Datapoints ?? [];
  }

  // GIVEN one period of traffic WHEN read with a 10-second period THEN one datapoint with AWS's values
  it.each<[string, keyof typeof SCOPES, Partial<Record<Statistic, number>>]>([
    // the 503 had no target to choose, so it is no request to count
    ['RequestCount', 'LoadBalancer+TargetGroup', { Sum: 6, SampleCount: 6, Average: 1 }],
    ['HTTPCode_Target_2XX_Count', 'LoadBalancer+TargetGroup', { Sum: 4 }],
    ['HTTPCode_Target_5XX_Count', 'LoadBalancer+TargetGroup', { Sum: 1, Maximum: 1 }],
    ['HTTPCode_ELB_5XX_Count', 'LoadBalancer', { Sum: 2 }],
    ['TargetConnectionErrorCount', 'LoadBalancer+TargetGroup', { Sum: 1 }],
    [
      'TargetResponseTime',
      'LoadBalancer+TargetGroup',
      { Average: 0.6, Maximum: 2, Minimum: 0.1, SampleCount: 5 },
    ],
    ['TargetResponseTime', 'LoadBalancer', { Average: 0.6, Maximum: 2 }],
    ['HealthyHostCount', 'LoadBalancer+TargetGroup', { Minimum: 1, Maximum: 2 }],
    ['UnHealthyHostCount', 'LoadBalancer+TargetGroup', { Minimum: 0, Maximum: 1 }],
  ])('%s by %s', async (metric, scope, expected) => {
    const stats = Object.keys(expected) as Statistic[];
    const datapoints = await statistics(metric, SCOPES[scope], stats);

    expect(datapoints).toHaveLength(1);
    const [datapoint] = datapoints;
    for (const stat of stats) {
      expect(datapoint[stat]).toBeCloseTo(expected[stat] as number, 6);
    }
    // AWS stamps the period's start; moto's GetMetricStatistics starts its periods at the first datapoint.
    expect(datapoint.Timestamp?.getTime()).toBeGreaterThanOrEqual(PERIOD_START);
    expect(datapoint.Timestamp?.getTime()).toBeLessThan(PERIOD_START + 10_000);
  });
});
