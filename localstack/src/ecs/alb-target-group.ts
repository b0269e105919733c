/**
 * The target group of the simulated ALB, through its admin endpoint (alb/admin.ts), as the
 * scheduler's port: DescribeTargetHealth, RegisterTargets and DeregisterTargets.
 */
import type { TargetHealthDescription } from '../alb/admin';
import type { TargetGroupPort, TargetState } from './service-scheduler';

const REQUEST_TIMEOUT_MS = 3000;
const POLL_MS = 250;

export class AlbTargetGroupError extends Error {
  override readonly name = 'AlbTargetGroupError';
}

export class AlbTargetGroup implements TargetGroupPort {
  constructor(
    private readonly adminUrl: string,
    private readonly adminToken: string,
    readonly arn: string,
  ) {}

  async health(): Promise<Map<string, TargetState>> {
    const response = await fetch(new URL('/targets', this.adminUrl), {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) throw new AlbTargetGroupError(`the ALB answered GET /targets with ${response.status}`);
    const { TargetHealthDescriptions } = (await response.json()) as {
      TargetHealthDescriptions: TargetHealthDescription[];
    };
    return new Map(
      TargetHealthDescriptions.map(({ Target, TargetHealth }) => [
        Target.Id,
        TargetHealth.State as TargetState,
      ]),
    );
  }

  register(ip: string): Promise<void> {
    return this.change('register', ip);
  }

  deregister(ip: string): Promise<void> {
    return this.change('deregister', ip);
  }

  async drained(ip: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const registered = await this.health().then(
        (targets) => targets.has(ip),
        () => true,
      );
      if (!registered) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async change(operation: 'register' | 'deregister', ip: string): Promise<void> {
    const response = await fetch(new URL(`/targets/${operation}`, this.adminUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Targets: [{ Id: ip }] }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) {
      throw new AlbTargetGroupError(
        `the ALB refused to ${operation} ${ip}: ${(await response.text()).trim()}`,
      );
    }
  }
}
