/**
 * The simulated ALB's CloudWatch metrics, published to the emulator in namespace
 * AWS/ApplicationELB with the metric names, units and dimensions AWS uses, so that the
 * alarms the CDK app defines on the real load balancer and target group see data.
 *
 * Like AWS: the per-request metrics (RequestCount, HTTPCode_Target_nXX_Count,
 * TargetResponseTime, TargetConnectionErrorCount) are published with `LoadBalancer` and with
 * `LoadBalancer` + `TargetGroup`; HTTPCode_ELB_4XX/5XX_Count with `LoadBalancer` only; and
 * HealthyHostCount / UnHealthyHostCount with `LoadBalancer` + `TargetGroup`. A count metric has
 * no datapoint in an interval without such requests, as on AWS; the host counts have one every
 * interval, zeros included, since alarms on them read Minimum and Maximum.
 *
 * AWS publishes one datapoint a minute; the local profile's alarms use 10-second periods, so
 * this publishes high-resolution datapoints (StorageResolution 1) per interval, an interval
 * that divides every alarm period of the templates, aligned to the clock so that no interval
 * straddles two periods (see {@link metricsIntervalSeconds}).
 *
 * The running ALB turns this on from its environment (see start.ts):
 *   LOAD_BALANCER_FULL_NAME  `app/<name>/<id>`, the LoadBalancer dimension the alarms use;
 *   TARGET_GROUP_FULL_NAME   `targetgroup/<name>/<id>`, the TargetGroup dimension;
 *   METRICS_ENDPOINT_URL     the CloudWatch endpoint (default: AWS_ENDPOINT_URL);
 *   METRICS_INTERVAL_SECONDS the interval (default: half the shortest alarm period).
 */
import type { Dimension, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { MetricDataSink } from '../cloudwatch/metric-outbox';
import type { CompletedRequest, RequestObserver } from './observer';
import type { Diagnostic } from './simulated-alb';
import type { HostCounts } from './targets';

export const ALB_METRICS_NAMESPACE = 'AWS/ApplicationELB';

/**
 * The interval to publish at for alarms of these periods (seconds): `requested`, or the
 * longest that gives an alarm two datapoints per period (5 s for the local profile's 10 s
 * periods). Either way it divides every period, so that no interval straddles two of them.
 */
export function metricsIntervalSeconds(alarmPeriods: readonly number[], requested?: number): number {
  const common = alarmPeriods.reduce(greatestCommonDivisor);
  const shortest = Math.min(...alarmPeriods);
  if (requested === undefined) {
    let interval = Math.floor(shortest / 2) || 1;
    while (common % interval !== 0) interval -= 1;
    return interval;
  }
  if (!Number.isInteger(requested) || requested <= 0 || common % requested !== 0) {
    throw new Error(
      `Metrics interval ${requested} s does not divide the alarm periods of the templates (${[...new Set(alarmPeriods)].join(', ')} s): use a divisor of ${common} s`,
    );
  }
  return requested;
}

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/** PutMetricData accepts at most 1000 metric data per call. */
const MAX_METRIC_DATA_PER_CALL = 1000;

export type { MetricDataSink } from '../cloudwatch/metric-outbox';

/** Dimension values as AWS writes them, e.g. the LoadBalancerFullName and TargetGroupFullName attributes. */
export interface AlbMetricDimensions {
  /** `app/<name>/<id>` */
  readonly loadBalancer: string;
  /** `targetgroup/<name>/<id>` */
  readonly targetGroup: string;
}

export interface AlbMetricsOptions {
  readonly sink: MetricDataSink;
  readonly dimensions: AlbMetricDimensions;
  /** From {@link metricsIntervalSeconds}. */
  readonly intervalSeconds: number;
}

export interface AlbMetricsPublisherOptions extends AlbMetricsOptions {
  readonly hosts: { hostCounts(): HostCounts };
  /** Receives a `metrics-publish-failed` event for each PutMetricData call that failed. */
  readonly writeDiagnostic: (event: Diagnostic) => void;
  /** Milliseconds since the epoch; Date.now unless a test needs a fixed clock. */
  readonly now?: () => number;
}

type CountMetric =
  | 'RequestCount'
  | `HTTPCode_Target_${'2' | '3' | '4' | '5'}XX_Count`
  | `HTTPCode_ELB_${'4' | '5'}XX_Count`
  | 'TargetConnectionErrorCount';

interface StatisticSet {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

/** What the requests completed in one interval add up to. */
interface IntervalTotals {
  readonly counts: Map<CountMetric, number>;
  targetResponseTime?: StatisticSet;
}

/** Metrics AWS publishes per load balancer only: codes the load balancer generated belong to no target group. */
const LOAD_BALANCER_ONLY: ReadonlySet<CountMetric> = new Set([
  'HTTPCode_ELB_4XX_Count',
  'HTTPCode_ELB_5XX_Count',
]);

/**
 * Aggregates completed requests per interval and publishes each interval once it has ended,
 * with a sample of the target group's host counts. Recording a request only updates counters;
 * publishing happens on a timer and never holds up a request. The sink (a MetricOutbox in the
 * running ALB) holds and retries what the emulator does not take; a sink that rejects a call
 * gets a diagnostic, and the data are dropped.
 */
export class AlbMetricsPublisher implements RequestObserver {
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** Totals by interval start (ms since the epoch). */
  private readonly intervals = new Map<number, IntervalTotals>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: AlbMetricsPublisherOptions) {
    this.intervalMs = options.intervalSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  requestCompleted(request: CompletedRequest): void {
    const start = this.intervalStart(request.completedAt.getTime());
    let totals = this.intervals.get(start);
    if (!totals) {
      totals = { counts: new Map() };
      this.intervals.set(start, totals);
    }
    for (const metric of countMetricsOf(request)) {
      totals.counts.set(metric, (totals.counts.get(metric) ?? 0) + 1);
    }
    const seconds = request.targetResponseTimeSeconds;
    if (seconds !== undefined) totals.targetResponseTime = withSample(totals.targetResponseTime, seconds);
  }

  /** Publishes at every interval boundary until stopped. */
  start(): void {
    const untilNextBoundary = this.intervalMs - (this.now() % this.intervalMs);
    this.timer = setTimeout(() => {
      void this.flush();
      this.start();
    }, untilNextBoundary);
    this.timer.unref();
  }

  /**
   * Publishes every interval that has ended and the host counts now, as the sample of the
   * interval that just ended (an alarm period then sees the state at its own end).
   */
  flush(): Promise<void> {
    const current = this.intervalStart(this.now());
    return this.publish((start) => start < current, current - this.intervalMs);
  }

  /** Stops the timer, publishes everything recorded (the current interval too) and waits for it. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.publish(() => true, this.intervalStart(this.now()));
    await Promise.all(this.inFlight);
    await this.options.sink.close?.();
  }

  private publish(isDue: (intervalStart: number) => boolean, hostSampleAt: number): Promise<void> {
    const { dimensions } = this.options;
    const data = hostCountData(this.options.hosts.hostCounts(), dimensions, new Date(hostSampleAt));
    for (const [start, totals] of this.intervals) {
      if (!isDue(start)) continue;
      this.intervals.delete(start);
      data.push(...requestMetricData(totals, dimensions, new Date(start)));
    }
    const calls: Promise<void>[] = [];
    for (let i = 0; i < data.length; i += MAX_METRIC_DATA_PER_CALL) {
      const batch = data.slice(i, i + MAX_METRIC_DATA_PER_CALL);
      calls.push(
        Promise.resolve()
          .then(() =>
            this.options.sink.putMetricData({ Namespace: ALB_METRICS_NAMESPACE, MetricData: batch }),
          )
          .then(
            () => undefined,
            (error: unknown) =>
              this.options.writeDiagnostic({
                event: 'metrics-publish-failed',
                namespace: ALB_METRICS_NAMESPACE,
                metricData: batch.length,
                error: error instanceof Error ? error.message : String(error),
              }),
          ),
      );
    }
    const published = Promise.all(calls).then(() => undefined);
    this.inFlight.add(published);
    void published.finally(() => this.inFlight.delete(published));
    return published;
  }

  private intervalStart(epochMs: number): number {
    return epochMs - (epochMs % this.intervalMs);
  }
}

/** The count metrics one request adds 1 to, by AWS's definitions. */
function countMetricsOf(request: CompletedRequest): CountMetric[] {
  const metrics: CountMetric[] = [];
  // Only requests for which the load balancer could choose a target count (not a 503 for an empty target group).
  if (request.target) metrics.push('RequestCount');
  const targetClass = statusClass(request.targetStatusCode);
  if (targetClass === '2' || targetClass === '3' || targetClass === '4' || targetClass === '5') {
    metrics.push(`HTTPCode_Target_${targetClass}XX_Count`);
  }
  // A code the target did not send (502/503/504, 460 for a client that left) is the load balancer's own.
  if (request.elbStatusCode !== request.targetStatusCode) {
    const elbClass = statusClass(request.elbStatusCode);
    if (elbClass === '4' || elbClass === '5') metrics.push(`HTTPCode_ELB_${elbClass}XX_Count`);
  }
  if (request.targetConnectionError) metrics.push('TargetConnectionErrorCount');
  return metrics;
}

function statusClass(status: number | undefined): string | undefined {
  return status === undefined ? undefined : String(Math.floor(status / 100));
}

function withSample(set: StatisticSet | undefined, value: number): StatisticSet {
  if (!set) return { sampleCount: 1, sum: value, minimum: value, maximum: value };
  return {
    sampleCount: set.sampleCount + 1,
    sum: set.sum + value,
    minimum: Math.min(set.minimum, value),
    maximum: Math.max(set.maximum, value),
  };
}

function requestMetricData(
  totals: IntervalTotals,
  dimensions: AlbMetricDimensions,
  timestamp: Date,
): MetricDatum[] {
  const data: MetricDatum[] = [];
  for (const [metric, count] of totals.counts) {
    for (const scope of LOAD_BALANCER_ONLY.has(metric)
      ? [loadBalancerScope(dimensions)]
      : bothScopes(dimensions)) {
      // Each request is a sample of 1, as on AWS, where Minimum, Maximum and Average of a
      // count are 1 and Sum is the count. The emulators keep statistic sets as sets: moto 5.2
      // (checked in e2e/test/alb-metrics.test.ts) and LocalStack's store add up Sum and
      // SampleCount over the sets in a period and divide them for Average, so a set reads back
      // like the samples it stands for, where one Value of n would read back as an Average of n.
      data.push({
        MetricName: metric,
        Dimensions: scope,
        Timestamp: timestamp,
        StatisticValues: { SampleCount: count, Sum: count, Minimum: 1, Maximum: 1 },
        Unit: 'Count',
        StorageResolution: 1,
      });
    }
  }
  const responseTime = totals.targetResponseTime;
  if (responseTime) {
    for (const scope of bothScopes(dimensions)) {
      data.push({
        MetricName: 'TargetResponseTime',
        Dimensions: scope,
        Timestamp: timestamp,
        StatisticValues: {
          SampleCount: responseTime.sampleCount,
          Sum: responseTime.sum,
          Minimum: responseTime.minimum,
          Maximum: responseTime.maximum,
        },
        Unit: 'Seconds',
        StorageResolution: 1,
      });
    }
  }
  return data;
}

function hostCountData(counts: HostCounts, dimensions: AlbMetricDimensions, timestamp: Date): MetricDatum[] {
  const samples: ReadonlyArray<readonly [string, number]> = [
    ['HealthyHostCount', counts.healthy],
    ['UnHealthyHostCount', counts.unhealthy],
  ];
  return samples.map(([metric, value]) => ({
    MetricName: metric,
    Dimensions: targetGroupScope(dimensions),
    Timestamp: timestamp,
    Value: value,
    Unit: 'Count',
    StorageResolution: 1,
  }));
}

function loadBalancerScope({ loadBalancer }: AlbMetricDimensions): Dimension[] {
  return [{ Name: 'LoadBalancer', Value: loadBalancer }];
}

function targetGroupScope({ loadBalancer, targetGroup }: AlbMetricDimensions): Dimension[] {
  return [
    { Name: 'LoadBalancer', Value: loadBalancer },
    { Name: 'TargetGroup', Value: targetGroup },
  ];
}

function bothScopes(dimensions: AlbMetricDimensions): Dimension[][] {
  return [loadBalancerScope(dimensions), targetGroupScope(dimensions)];
}
