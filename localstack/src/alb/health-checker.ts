import { request } from 'node:http';
import { type HealthCheckSettings, httpCodeMatcher } from './settings';
import type { HealthCheckResult, Target, TargetRegistry } from './targets';

/** ALB sends this User-Agent with its health checks; services often skip logging them by it. */
export const HEALTH_CHECK_USER_AGENT = 'ELB-HealthChecker/2.0';

/** One HTTP health check: GET the path on a fresh connection and match the status code. */
export function checkTargetHealth(target: Target, settings: HealthCheckSettings): Promise<HealthCheckResult> {
  const matches = httpCodeMatcher(settings.matcher);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: HealthCheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = request(
      {
        host: target.id,
        port: settings.port === 'traffic-port' ? target.port : settings.port,
        path: settings.path,
        method: 'GET',
        agent: false,
        headers: { 'User-Agent': HEALTH_CHECK_USER_AGENT, Accept: '*/*' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        settle(
          matches(status)
            ? { passed: true }
            : {
                passed: false,
                reason: 'Target.ResponseCodeMismatch',
                description: `Health checks failed with these codes: [${status}]`,
              },
        );
      },
    );
    const timer = setTimeout(
      () => settle({ passed: false, reason: 'Target.Timeout', description: 'Request timed out' }),
      settings.timeoutSeconds * 1000,
    );
    // Refused or reset connections and malformed responses all land here.
    req.on('error', () =>
      settle({ passed: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }),
    );
    req.end();
  });
}

/**
 * Checks every registered target that is not draining once per interval, starting as soon
 * as it is registered, and feeds the results to the registry's state machine.
 */
export class HealthChecker {
  private readonly loops = new Map<string, { stopped: boolean; timer?: NodeJS.Timeout }>();
  private running = false;

  constructor(
    private readonly registry: TargetRegistry,
    private readonly settings: HealthCheckSettings,
  ) {
    registry.onChange(({ target, current }) => {
      if (!this.running) return;
      if (current !== 'unused' && current.state === 'initial') this.startLoop(target);
      else if (current === 'unused' || current.state === 'draining') this.stopLoop(target.id);
    });
  }

  start(): void {
    this.running = true;
    for (const { id, port, health } of this.registry.describe()) {
      if (health.state !== 'draining') this.startLoop({ id, port });
    }
  }

  stop(): void {
    this.running = false;
    for (const id of [...this.loops.keys()]) this.stopLoop(id);
  }

  private startLoop(target: Target): void {
    if (this.loops.has(target.id)) return;
    const loop: { stopped: boolean; timer?: NodeJS.Timeout } = { stopped: false };
    this.loops.set(target.id, loop);
    const intervalMs = this.settings.intervalSeconds * 1000;
    const run = async () => {
      const startedAt = Date.now();
      const result = await checkTargetHealth(target, this.settings);
      if (loop.stopped) return;
      this.registry.recordHealthCheck(target.id, result);
      loop.timer = setTimeout(run, Math.max(0, intervalMs - (Date.now() - startedAt)));
    };
    void run();
  }

  private stopLoop(id: string): void {
    const loop = this.loops.get(id);
    if (!loop) return;
    loop.stopped = true;
    clearTimeout(loop.timer);
    this.loops.delete(id);
  }
}
