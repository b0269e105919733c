import type { MetricDatum, PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { AlbMetricsPublisher, type MetricDataSink, metricsIntervalSeconds } from '../../src/alb/metrics';
import type { CompletedRequest } from '../../src/alb/observer';
import type { Diagnostic } from '../../src/alb/simulated-alb';
import type { HostCounts } from '../../src/alb/targets';

const DIMENSIONS = {
  loadBalancer: 'app/zama-api-platform-local-alb/50dc6c495c0c9188',
  targetGroup: 'targetgroup/zama-api-platform-local-tg/73e2d6bc24d8a067',
};
const LB = `LoadBalancer=${DIMENSIONS.loadBalancer}`;
const LB_TG = `${LB},TargetGroup=${DIMENSIONS.targetGroup}`;

/** An interval boundary: 12:00:00 UTC. */
/** The local profile's alarm period, as the templates give it. */
const LOCAL_ALARM_PERIODS = [10];

const T0 = Date.parse('2026-05-04T12:00:00Z');

const SERVED: CompletedRequest = {
  receivedAt: new Date(T0 + 900),
  completedAt: new Date(T0 + 1000),
  client: { address: '172.18.0.1', port: 50000 },
  target: { id: '172.18.0.4', port: 8080 },
  elbStatusCode: 200,
  targetStatusCode: 200,
  requestProcessingSeconds: 0,
  targetResponseTimeSeconds: 0.05,
  responseProcessingSeconds: 0,
  targetConnectionError: false,
  receivedBytes: 100,
  sentBytes: 200,
  method: 'GET',
  url: 'http://localhost:8080/v1/ping',
  httpVersion: 'HTTP/1.1',
  traceId: 'Root=1-00000000-000000000000000000000000',
  connectionTraceId: 'TID_0',
};

/** What the load balancer records when no target answered. */
const UNANSWERED = {
  targetStatusCode: undefined,
  requestProcessingSeconds: undefined,
  targetResponseTimeSeconds: undefined,
  responseProcessingSeconds: undefined,
} as const;

class RecordingSink implements MetricDataSink {
  readonly calls: PutMetricDataCommandInput[] = [];
  failWith?: Error;

  async putMetricData(input: PutMetricDataCommandInput): Promise<void> {
    this.calls.push(input);
    if (this.failWith) throw this.failWith;
  }

  get data(): MetricDatum[] {
    return this.calls.flatMap((call) => call.MetricData ?? []);
  }

  /** The published data as `name [dimensions] @time` keys, for comparing whole sets at once. */
  get keys(): string[] {
    return this.data.map(key).sort();
  }

  find(metric: string, dimensions: string): MetricDatum[] {
    return this.data.filter((datum) => datum.MetricName === metric && dimensionsOf(datum) === dimensions);
  }
}

function dimensionsOf(datum: MetricDatum): string {
  return (datum.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',');
}

function key(datum: MetricDatum): string {
  return `${datum.MetricName} [${dimensionsOf(datum)}] @${datum.Timestamp?.toISOString().slice(11, 19)}`;
}

function setup(options: { hosts?: HostCounts; intervalSeconds?: number } = {}) {
  const sink = new RecordingSink();
  const diagnostics: Diagnostic[] = [];
  const clock = { now: T0 };
  const hosts = { counts: options.hosts ?? { healthy: 2, unhealthy: 0 } };
  const publisher = new AlbMetricsPublisher({
    sink,
    dimensions: DIMENSIONS,
    intervalSeconds: options.intervalSeconds ?? metricsIntervalSeconds(LOCAL_ALARM_PERIODS),
    hosts: { hostCounts: () => hosts.counts },
    writeDiagnostic: (event) => diagnostics.push(event),
    now: () => clock.now,
  });
  return { sink, diagnostics, clock, hosts, publisher };
}

describe('AlbMetricsPublisher', () => {
  describe('counts each request as AWS does', () => {
    // GIVEN one request WHEN its interval is published THEN these count metrics are 1 (per load balancer)
    it.each<[string, Partial<CompletedRequest>, string[]]>([
      ['a 200 from the target', {}, ['RequestCount', 'HTTPCode_Target_2XX_Count']],
      [
        'a 301 from the target',
        { elbStatusCode: 301, targetStatusCode: 301 },
        ['RequestCount', 'HTTPCode_Target_3XX_Count'],
      ],
      [
        'a 404 from the target',
        { elbStatusCode: 404, targetStatusCode: 404 },
        ['RequestCount', 'HTTPCode_Target_4XX_Count'],
      ],
      [
        'a 500 from the target is the target 5XX, not the load balancer 5XX',
        { elbStatusCode: 500, targetStatusCode: 500 },
        ['RequestCount', 'HTTPCode_Target_5XX_Count'],
      ],
      [
        'a 502 for a garbled response',
        { elbStatusCode: 502, ...UNANSWERED },
        ['RequestCount', 'HTTPCode_ELB_5XX_Count'],
      ],
      [
        'a 502 for a refused connection is also a target connection error',
        { elbStatusCode: 502, ...UNANSWERED, targetConnectionError: true },
        ['RequestCount', 'HTTPCode_ELB_5XX_Count', 'TargetConnectionErrorCount'],
      ],
      [
        'a 504 after the idle timeout',
        { elbStatusCode: 504, ...UNANSWERED },
        ['RequestCount', 'HTTPCode_ELB_5XX_Count'],
      ],
      [
        'a 503 without registered targets is not a request to a target',
        { elbStatusCode: 503, target: undefined, ...UNANSWERED },
        ['HTTPCode_ELB_5XX_Count'],
      ],
      [
        'a 460 for a client that left before the target answered',
        { elbStatusCode: 460, ...UNANSWERED },
        ['RequestCount', 'HTTPCode_ELB_4XX_Count'],
      ],
      [
        'a 460 for a client that left after the target answered',
        { elbStatusCode: 460, targetStatusCode: 200 },
        ['RequestCount', 'HTTPCode_Target_2XX_Count', 'HTTPCode_ELB_4XX_Count'],
      ],
    ])('%s', async (_, request, expected) => {
      const { sink, clock, publisher } = setup();
      publisher.requestCompleted({ ...SERVED, ...request });

      clock.now = T0 + 5000;
      await publisher.flush();

      const counted = sink.data
        .filter((datum) => datum.Unit === 'Count' && dimensionsOf(datum) === LB)
        .map((datum) => [datum.MetricName, datum.StatisticValues?.Sum]);
      expect(counted.sort()).toEqual(expected.map((metric) => [metric, 1]).sort());
    });
  });

  it('publishes each count as samples of 1 with the dimensions AWS uses', async () => {
    const { sink, clock, publisher } = setup();
    for (const status of [200, 200, 500]) {
      publisher.requestCompleted({ ...SERVED, elbStatusCode: status, targetStatusCode: status });
    }
    publisher.requestCompleted({ ...SERVED, elbStatusCode: 502, ...UNANSWERED, targetConnectionError: true });

    clock.now = T0 + 5000;
    await publisher.flush();

    expect(sink.keys).toEqual(
      [
        `HTTPCode_ELB_5XX_Count [${LB}] @12:00:00`,
        `HTTPCode_Target_2XX_Count [${LB}] @12:00:00`,
        `HTTPCode_Target_2XX_Count [${LB_TG}] @12:00:00`,
        `HTTPCode_Target_5XX_Count [${LB}] @12:00:00`,
        `HTTPCode_Target_5XX_Count [${LB_TG}] @12:00:00`,
        `HealthyHostCount [${LB_TG}] @12:00:00`,
        `RequestCount [${LB}] @12:00:00`,
        `RequestCount [${LB_TG}] @12:00:00`,
        `TargetConnectionErrorCount [${LB}] @12:00:00`,
        `TargetConnectionErrorCount [${LB_TG}] @12:00:00`,
        `TargetResponseTime [${LB}] @12:00:00`,
        `TargetResponseTime [${LB_TG}] @12:00:00`,
        `UnHealthyHostCount [${LB_TG}] @12:00:00`,
      ].sort(),
    );
    expect(sink.calls.map((call) => call.Namespace)).toEqual(['AWS/ApplicationELB']);
    expect(sink.find('RequestCount', LB_TG)).toEqual([
      {
        MetricName: 'RequestCount',
        Dimensions: [
          { Name: 'LoadBalancer', Value: DIMENSIONS.loadBalancer },
          { Name: 'TargetGroup', Value: DIMENSIONS.targetGroup },
        ],
        Timestamp: new Date(T0),
        StatisticValues: { SampleCount: 4, Sum: 4, Minimum: 1, Maximum: 1 },
        Unit: 'Count',
        StorageResolution: 1,
      },
    ]);
    expect(sink.find('HTTPCode_Target_5XX_Count', LB_TG)[0].StatisticValues?.Sum).toBe(1);
  });

  it('publishes the target response time as a statistic set in seconds', async () => {
    const { sink, clock, publisher } = setup();
    for (const seconds of [0.1, 0.3, 0.2]) {
      publisher.requestCompleted({ ...SERVED, targetResponseTimeSeconds: seconds });
    }
    // no response, no response time
    publisher.requestCompleted({ ...SERVED, elbStatusCode: 504, ...UNANSWERED });

    clock.now = T0 + 5000;
    await publisher.flush();

    for (const dimensions of [LB, LB_TG]) {
      const [datum] = sink.find('TargetResponseTime', dimensions);
      expect(datum).toMatchObject({ Unit: 'Seconds', StorageResolution: 1, Timestamp: new Date(T0) });
      expect(datum.StatisticValues).toEqual({
        SampleCount: 3,
        Sum: expect.closeTo(0.6, 10),
        Minimum: 0.1,
        Maximum: 0.3,
      });
    }
  });

  it('aggregates per interval, stamps each with its start and publishes it once it has ended', async () => {
    const { sink, clock, publisher } = setup();
    publisher.requestCompleted({ ...SERVED, completedAt: new Date(T0 + 1000) });
    publisher.requestCompleted({ ...SERVED, completedAt: new Date(T0 + 4999) });
    publisher.requestCompleted({ ...SERVED, completedAt: new Date(T0 + 5000) });

    clock.now = T0 + 5200;
    await publisher.flush();
    // the interval from 12:00:05 is still open
    expect(sink.find('RequestCount', LB).map((d) => [d.Timestamp, d.StatisticValues?.Sum])).toEqual([
      [new Date(T0), 2],
    ]);

    clock.now = T0 + 10_000;
    await publisher.flush();
    expect(sink.find('RequestCount', LB).map((d) => [d.Timestamp, d.StatisticValues?.Sum])).toEqual([
      [new Date(T0), 2],
      [new Date(T0 + 5000), 1],
    ]);
  });

  it('publishes the host counts every interval, zeros too, and no count metric without requests', async () => {
    const { sink, clock, hosts, publisher } = setup({ hosts: { healthy: 2, unhealthy: 0 } });

    clock.now = T0 + 5000;
    await publisher.flush();
    hosts.counts = { healthy: 0, unhealthy: 2 };
    clock.now = T0 + 10_000;
    await publisher.flush();

    expect(sink.keys).toEqual([
      `HealthyHostCount [${LB_TG}] @12:00:00`,
      `HealthyHostCount [${LB_TG}] @12:00:05`,
      `UnHealthyHostCount [${LB_TG}] @12:00:00`,
      `UnHealthyHostCount [${LB_TG}] @12:00:05`,
    ]);
    expect(sink.find('HealthyHostCount', LB_TG).map((d) => d.Value)).toEqual([2, 0]);
    expect(sink.find('UnHealthyHostCount', LB_TG).map((d) => d.Value)).toEqual([0, 2]);
    expect(sink.data.every((d) => d.Unit === 'Count' && d.StorageResolution === 1)).toBe(true);
  });

  it('publishes the open interval when it stops', async () => {
    const { sink, clock, publisher } = setup();
    publisher.requestCompleted({ ...SERVED, completedAt: new Date(T0 + 6000) });

    clock.now = T0 + 7000;
    await publisher.stop();

    expect(sink.keys).toContain(`RequestCount [${LB}] @12:00:05`);
    expect(sink.keys).toContain(`HealthyHostCount [${LB_TG}] @12:00:05`);
  });

  it('splits what it publishes into calls of at most 1000 metric data', async () => {
    const { sink, clock, publisher } = setup({ intervalSeconds: 1 });
    // 100 intervals of 1 s, each with 11 metric data from its requests
    for (let second = 0; second < 100; second += 1) {
      const completedAt = new Date(T0 + second * 1000);
      publisher.requestCompleted({ ...SERVED, completedAt });
      publisher.requestCompleted({ ...SERVED, completedAt, elbStatusCode: 404, targetStatusCode: 404 });
      publisher.requestCompleted({
        ...SERVED,
        completedAt,
        elbStatusCode: 503,
        target: undefined,
        ...UNANSWERED,
      });
      publisher.requestCompleted({
        ...SERVED,
        completedAt,
        elbStatusCode: 502,
        ...UNANSWERED,
        targetConnectionError: true,
      });
    }

    clock.now = T0 + 100_000;
    await publisher.flush();

    expect(sink.calls.map((call) => call.MetricData?.length)).toEqual([1000, 102]);
    expect(sink.find('RequestCount', LB)).toHaveLength(100);
  });

  it('reports a failed publish as a diagnostic and keeps publishing', async () => {
    const { sink, diagnostics, clock, publisher } = setup();
    sink.failWith = new Error('connect ECONNREFUSED 172.18.0.2:4566');
    publisher.requestCompleted(SERVED);

    clock.now = T0 + 5000;
    await publisher.flush();
    sink.failWith = undefined;
    publisher.requestCompleted({ ...SERVED, completedAt: new Date(T0 + 6000) });
    clock.now = T0 + 10_000;
    await publisher.flush();

    expect(diagnostics).toEqual([
      {
        event: 'metrics-publish-failed',
        namespace: 'AWS/ApplicationELB',
        metricData: 8,
        error: 'connect ECONNREFUSED 172.18.0.2:4566',
      },
    ]);
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1].MetricData?.map(key)).toContain(`RequestCount [${LB}] @12:00:05`);
  });

  it('publishes at every interval boundary once started, with no traffic at all', async () => {
    jest.useFakeTimers({ now: T0 + 2000 });
    try {
      const sink = new RecordingSink();
      const publisher = new AlbMetricsPublisher({
        sink,
        dimensions: DIMENSIONS,
        intervalSeconds: metricsIntervalSeconds(LOCAL_ALARM_PERIODS),
        hosts: { hostCounts: () => ({ healthy: 0, unhealthy: 0 }) },
        writeDiagnostic: () => undefined,
      });
      publisher.start();

      await jest.advanceTimersByTimeAsync(2999);
      expect(sink.calls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1 + 10_000);
      await publisher.stop();

      // boundaries at 12:00:05, :10 and :15, then the stop at 12:00:15
      expect(sink.find('HealthyHostCount', LB_TG).map((d) => [d.Timestamp?.toISOString(), d.Value])).toEqual([
        ['2026-05-04T12:00:00.000Z', 0],
        ['2026-05-04T12:00:05.000Z', 0],
        ['2026-05-04T12:00:10.000Z', 0],
        ['2026-05-04T12:00:15.000Z', 0],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it.each([0, 3, 60])(
    'refuses an interval of %s s, which does not divide the 10-second alarm period',
    (seconds) => {
      expect(() => metricsIntervalSeconds(LOCAL_ALARM_PERIODS, seconds)).toThrow(
        `Metrics interval ${seconds} s does not divide the alarm periods of the templates (10 s): use a divisor of 10 s`,
      );
    },
  );

  it.each<[number[], number]>([
    [[10], 5],
    [[10, 60], 5],
    [[60], 30],
    [[60, 300], 30],
    [[1], 1],
  ])('publishes twice per period of alarms of %j s by default: every %s s', (periods, interval) => {
    expect(metricsIntervalSeconds(periods)).toBe(interval);
  });
});
