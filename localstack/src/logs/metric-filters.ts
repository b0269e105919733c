/**
 * CloudWatch Logs metric filters applied to the log events the local data plane ships: each
 * event that matches a filter of its log group adds the filter's metric value, and an
 * ingestion window in which the group received events but none matched emits the filter's
 * default value, so that the metric reads 0 rather than missing while the service is quiet.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { compileFilterPattern, type FilterPattern, metricValueFor } from '../cloudwatch/filter-pattern';

export interface LogEvent {
  readonly logGroupName: string;
  readonly timestamp: number;
  readonly message: string;
}

interface CompiledTransformation {
  readonly namespace: string;
  readonly name: string;
  readonly value: string;
  readonly defaultValue?: number;
  readonly unit?: string;
}

interface CompiledFilter {
  readonly name: string;
  readonly logGroupName: string;
  readonly pattern: FilterPattern;
  readonly transformations: readonly CompiledTransformation[];
}

/** One metric, aggregated over an ingestion window, ready for PutMetricData. */
export interface MetricFilterOutput {
  readonly namespace: string;
  readonly datum: MetricDatum;
}

interface Window {
  values: number[];
  eventsSeen: number;
}

export class MetricFilterError extends Error {
  override readonly name = 'MetricFilterError';
}

/** Applies the metric filters DescribeMetricFilters returned to log events, window by window. */
export class MetricFilters {
  private readonly filters: readonly CompiledFilter[];
  private windows = new Map<string, Window>();

  constructor(filters: readonly MetricFilter[]) {
    this.filters = filters.map(compile);
  }

  /** Counts one log event against every filter of its log group. */
  add(event: LogEvent): void {
    for (const filter of this.filters) {
      if (filter.logGroupName !== event.logGroupName) continue;
      for (const [index, transformation] of filter.transformations.entries()) {
        const window = this.window(`${filter.name}\u0000${index}`);
        window.eventsSeen += 1;
        const value = metricValueFor(filter.pattern, transformation.value, event.message);
        if (value !== undefined) window.values.push(value);
      }
    }
  }

  /** Closes the current ingestion window: what PutMetricData should receive for it. */
  drain(timestamp: Date): MetricFilterOutput[] {
    const outputs: MetricFilterOutput[] = [];
    for (const filter of this.filters) {
      for (const [index, transformation] of filter.transformations.entries()) {
        const window = this.windows.get(`${filter.name}\u0000${index}`);
        if (!window || window.eventsSeen === 0) continue;
        const datum = datumFor(transformation, window.values, timestamp);
        if (datum) outputs.push({ namespace: transformation.namespace, datum });
      }
    }
    this.windows = new Map();
    return outputs;
  }

  private window(key: string): Window {
    let window = this.windows.get(key);
    if (!window) {
      window = { values: [], eventsSeen: 0 };
      this.windows.set(key, window);
    }
    return window;
  }
}

function datumFor(
  transformation: CompiledTransformation,
  values: readonly number[],
  timestamp: Date,
): MetricDatum | undefined {
  const common = {
    MetricName: transformation.name,
    Timestamp: timestamp,
    StorageResolution: 1,
    ...(transformation.unit &&
      transformation.unit !== 'None' && { Unit: transformation.unit as MetricDatum['Unit'] }),
  };
  if (values.length === 0) {
    return transformation.defaultValue === undefined
      ? undefined
      : { ...common, Value: transformation.defaultValue };
  }
  // Every matching event is a sample, as CloudWatch counts them: Sum adds them up, SampleCount counts them.
  return {
    ...common,
    StatisticValues: {
      SampleCount: values.length,
      Sum: values.reduce((sum, value) => sum + value, 0),
      Minimum: Math.min(...values),
      Maximum: Math.max(...values),
    },
  };
}

function compile(filter: MetricFilter): CompiledFilter {
  const name = filter.filterName ?? '(unnamed)';
  if (!filter.logGroupName) throw new MetricFilterError(`metric filter ${name} has no log group`);
  let pattern: FilterPattern;
  try {
    pattern = compileFilterPattern(filter.filterPattern ?? '');
  } catch (error) {
    throw new MetricFilterError(`metric filter ${name}: ${(error as Error).message}`);
  }
  const transformations = (filter.metricTransformations ?? []).map((transformation) => {
    if (!transformation.metricNamespace || !transformation.metricName || !transformation.metricValue) {
      throw new MetricFilterError(
        `metric filter ${name} has a transformation without namespace, name or value`,
      );
    }
    return {
      namespace: transformation.metricNamespace,
      name: transformation.metricName,
      value: transformation.metricValue,
      defaultValue: transformation.defaultValue,
      unit: transformation.unit,
    };
  });
  return { name, logGroupName: filter.logGroupName, pattern, transformations };
}
