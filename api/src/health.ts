import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface HealthCheckResult {
  healthy: boolean;
  [detail: string]: unknown;
}

export interface HealthCheck {
  name: string;
  run(): HealthCheckResult | Promise<HealthCheckResult>;
}

/**
 * Fails when the event loop's worst delay since the previous probe exceeds maxDelayMs: a loop
 * blocked that long serves every request late, and a replacement task is the better answer.
 */
export function eventLoopDelayCheck(maxDelayMs = 1000): HealthCheck {
  let histogram: ELDHistogram | undefined;
  return {
    name: 'event_loop',
    run() {
      if (!histogram) {
        histogram = monitorEventLoopDelay({ resolution: 20 });
        histogram.enable();
      }
      const maxMs = histogram.count > 0 ? histogram.max / 1e6 : 0;
      histogram.reset();
      return { healthy: maxMs <= maxDelayMs, max_delay_ms: round(maxMs), limit_ms: maxDelayMs };
    },
  };
}

/** Fails when the V8 heap is nearly exhausted, before the process dies of it. */
export function heapCheck(maxUsedRatio = 0.95): HealthCheck {
  return {
    name: 'heap',
    run() {
      const { used_heap_size: used, heap_size_limit: limit } = getHeapStatistics();
      const usedRatio = used / limit;
      return { healthy: usedRatio <= maxUsedRatio, used_ratio: round(usedRatio), limit_ratio: maxUsedRatio };
    },
  };
}

export function defaultHealthChecks(): HealthCheck[] {
  return [eventLoopDelayCheck(), heapCheck()];
}

export async function runHealthChecks(
  checks: readonly HealthCheck[],
): Promise<{ healthy: boolean; results: Record<string, HealthCheckResult> }> {
  const settled = await Promise.all(
    checks.map(async (check): Promise<[string, HealthCheckResult]> => {
      try {
        return [check.name, await check.run()];
      } catch (error) {
        return [
          check.name,
          { healthy: false, error: error instanceof Error ? error.message : String(error) },
        ];
      }
    }),
  );
  return { healthy: settled.every(([, result]) => result.healthy), results: Object.fromEntries(settled) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
