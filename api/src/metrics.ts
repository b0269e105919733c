import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

const LABELS = ['method', 'route', 'status'] as const;

export interface HttpMetrics {
  registry: Registry;
  observe(labels: { method: string; route: string; status: number }, durationSeconds: number): void;
}

/** A registry per app, so several apps (tests, benchmarks) never share counters. */
export function createHttpMetrics(registry = new Registry()): HttpMetrics {
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time spent handling HTTP requests, by method, route template and status',
    labelNames: LABELS,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // The histogram already counts every request per series, so the counter is read from it when
  // scraped instead of being updated on every request as well.
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: LABELS,
    registers: [registry],
    async collect() {
      const { values } = await duration.get();
      this.reset();
      for (const { metricName, labels, value } of values) {
        if (metricName === 'http_request_duration_seconds_count') this.inc(labels, value);
      }
    },
  });
  return {
    registry,
    observe({ method, route, status }, durationSeconds) {
      duration.observe({ method, route, status: String(status) }, durationSeconds);
    },
  };
}
