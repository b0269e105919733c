/** Small HTTP helpers for driving the platform the way a client would. */
import type { alb } from '@zama/localstack';

type HealthCheckSettings = alb.HealthCheckSettings;

export interface TargetHealth {
  readonly Target: { readonly Id: string; readonly Port: number };
  readonly TargetHealth: { readonly State: string; readonly Reason?: string };
}

export async function targetHealth(adminUrl: string): Promise<TargetHealth[]> {
  const response = await fetch(`${adminUrl}/targets`);
  return ((await response.json()) as { TargetHealthDescriptions: TargetHealth[] }).TargetHealthDescriptions;
}

/** The health check settings the simulated ALB took from the synthesized target group. */
export async function healthCheckSettings(adminUrl: string): Promise<HealthCheckSettings> {
  const response = await fetch(`${adminUrl}/settings`);
  return ((await response.json()) as { targetGroup: { healthCheck: HealthCheckSettings } }).targetGroup
    .healthCheck;
}

/** Waits until the ALB reports `count` healthy targets (both api tasks, before a suite's scenarios). */
export async function untilHealthyTargets(
  adminUrl: string,
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  await secondsUntil(
    async () =>
      (await targetHealth(adminUrl)).filter((t) => t.TargetHealth.State === 'healthy').length === count,
    timeoutMs,
    `${count} healthy targets`,
  );
}

/** Polls until `check` holds; returns the seconds it took, or throws after `timeoutMs`. */
export async function secondsUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000}s`);
}

/** Sends `count` requests one after another; returns the status codes that were not 200. */
export async function failedRequests(url: string, count: number, init: RequestInit = {}): Promise<number[]> {
  const failures: number[] = [];
  for (let i = 0; i < count; i++) {
    const status = await fetch(url, init).then(
      (response) => response.arrayBuffer().then(() => response.status),
      () => 0,
    );
    if (status !== 200) failures.push(status);
  }
  return failures;
}

export interface SteadyTraffic {
  /** Stops sending and reports every request sent and those that did not answer 200. */
  stop(): Promise<{ sent: number; failures: string[] }>;
}

/**
 * Keeps `workers` clients sending requests one after another, each pausing `pauseMs` between
 * two, until stopped: steady production traffic, not a load test.
 */
export function steadyTraffic(
  url: string,
  workers: number,
  init: RequestInit = {},
  pauseMs = 10,
): SteadyTraffic {
  let running = true;
  let sent = 0;
  const failures: string[] = [];
  const worker = async () => {
    while (running) {
      sent += 1;
      try {
        const response = await fetch(url, init);
        await response.arrayBuffer();
        if (response.status !== 200) failures.push(`${new Date().toISOString()} HTTP ${response.status}`);
      } catch (error) {
        failures.push(`${new Date().toISOString()} ${(error as Error).cause ?? error}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  return {
    async stop() {
      running = false;
      await all;
      return { sent, failures };
    },
  };
}
