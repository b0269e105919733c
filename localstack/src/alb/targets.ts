/** Target states as ELBv2 reports them; `unused` stands for "not registered". */
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export type FailedHealthCheckReason =
  | 'Target.ResponseCodeMismatch'
  | 'Target.Timeout'
  | 'Target.FailedHealthChecks';

export type TargetHealthReason =
  | 'Elb.RegistrationInProgress'
  | 'Elb.InitialHealthChecking'
  | 'Target.DeregistrationInProgress'
  | FailedHealthCheckReason;

export interface TargetHealth {
  readonly state: TargetState;
  readonly reason?: TargetHealthReason;
  readonly description?: string;
}

export interface Target {
  /** The target's IP address, as ELBv2 reports an `ip` target's Id. */
  readonly id: string;
  readonly port: number;
}

export interface TargetDescription extends Target {
  readonly health: TargetHealth;
}

export type HealthCheckResult =
  | { readonly passed: true }
  | { readonly passed: false; readonly reason: FailedHealthCheckReason; readonly description: string };

export interface TargetStateChange {
  readonly target: Target;
  readonly previous: TargetHealth | 'unused';
  readonly current: TargetHealth | 'unused';
}

export interface HostCounts {
  /** Targets in `healthy` state, as HealthyHostCount counts them. */
  readonly healthy: number;
  /** Targets in `unhealthy` state, as UnHealthyHostCount counts them. */
  readonly unhealthy: number;
}

export interface TargetRegistryOptions {
  /** The port every target is registered with. */
  readonly port: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly deregistrationDelaySeconds: number;
}

const REGISTERING: TargetHealth = {
  state: 'initial',
  reason: 'Elb.RegistrationInProgress',
  description: 'Target registration is in progress',
};
const INITIAL_CHECKS: TargetHealth = {
  state: 'initial',
  reason: 'Elb.InitialHealthChecking',
  description: 'Initial health checks in progress',
};
const HEALTHY: TargetHealth = { state: 'healthy' };
const DRAINING: TargetHealth = {
  state: 'draining',
  reason: 'Target.DeregistrationInProgress',
  description: 'Target deregistration is in progress',
};

interface Registration {
  readonly target: Target;
  health: TargetHealth;
  consecutivePasses: number;
  consecutiveFailures: number;
  drainTimer?: NodeJS.Timeout;
}

/**
 * The registered targets of the target group and their health state machine: a new target
 * is `initial` until HealthyThresholdCount consecutive checks pass, a target becomes
 * `unhealthy` after UnhealthyThresholdCount consecutive failures, and a deregistered one is
 * `draining` (no new requests) for the deregistration delay before it disappears.
 */
export class TargetRegistry {
  private readonly registrations = new Map<string, Registration>();
  /** Addresses an operator deregistered, kept out until they leave service discovery. */
  private readonly deregisteredByOperator = new Set<string>();
  private readonly listeners: Array<(change: TargetStateChange) => void> = [];
  private nextIndex = 0;

  constructor(private readonly options: TargetRegistryOptions) {}

  onChange(listener: (change: TargetStateChange) => void): void {
    this.listeners.push(listener);
  }

  /** Makes the registered targets match a fresh service-discovery answer. */
  reconcile(ids: readonly string[]): void {
    const wanted = new Set(ids);
    for (const id of this.deregisteredByOperator) {
      // Gone from discovery: when the address comes back it is a new task, registered anew.
      if (!wanted.has(id)) this.deregisteredByOperator.delete(id);
    }
    for (const id of wanted) {
      if (!this.deregisteredByOperator.has(id)) this.register(id);
    }
    for (const [id, registration] of this.registrations) {
      if (!wanted.has(id) && registration.health.state !== 'draining') this.deregister(id);
    }
  }

  register(id: string): void {
    const existing = this.registrations.get(id);
    if (existing && existing.health.state !== 'draining') return;
    if (existing) {
      // The address came back while draining: AWS treats that as a new registration.
      clearTimeout(existing.drainTimer);
      existing.drainTimer = undefined;
      existing.consecutivePasses = 0;
      existing.consecutiveFailures = 0;
      this.transition(existing, REGISTERING);
      return;
    }
    const registration: Registration = {
      target: { id, port: this.options.port },
      health: REGISTERING,
      consecutivePasses: 0,
      consecutiveFailures: 0,
    };
    this.registrations.set(id, registration);
    this.emit({ target: registration.target, previous: 'unused', current: REGISTERING });
  }

  deregister(id: string): void {
    const registration = this.registrations.get(id);
    if (!registration || registration.health.state === 'draining') return;
    this.transition(registration, DRAINING);
    registration.drainTimer = setTimeout(() => {
      this.registrations.delete(id);
      this.emit({ target: registration.target, previous: DRAINING, current: 'unused' });
    }, this.options.deregistrationDelaySeconds * 1000);
  }

  /**
   * DeregisterTargets, as ECS calls it before it stops a task: the target drains now, and
   * discovery leaves its address out until the task is gone from it. Returns false for an
   * address that is not registered.
   */
  deregisterUntilGone(id: string): boolean {
    if (!this.registrations.has(id)) return false;
    this.deregisteredByOperator.add(id);
    this.deregister(id);
    return true;
  }

  /** RegisterTargets, as ECS calls it for a task it started: lifts a deregistration's hold. */
  registerByOperator(id: string): void {
    this.deregisteredByOperator.delete(id);
    this.register(id);
  }

  recordHealthCheck(id: string, result: HealthCheckResult): void {
    const registration = this.registrations.get(id);
    if (!registration || registration.health.state === 'draining') return;
    const { healthyThresholdCount, unhealthyThresholdCount } = this.options;
    const { state } = registration.health;
    if (result.passed) {
      registration.consecutiveFailures = 0;
      registration.consecutivePasses += 1;
      if (state === 'healthy') return;
      if (registration.consecutivePasses >= healthyThresholdCount) this.transition(registration, HEALTHY);
      else if (state === 'initial') this.transition(registration, INITIAL_CHECKS);
      return;
    }
    registration.consecutivePasses = 0;
    registration.consecutiveFailures += 1;
    const failed: TargetHealth = {
      state: 'unhealthy',
      reason: result.reason,
      description: result.description,
    };
    if (state === 'unhealthy' || registration.consecutiveFailures >= unhealthyThresholdCount) {
      this.transition(registration, failed);
    } else if (state === 'initial') {
      this.transition(registration, INITIAL_CHECKS);
    }
  }

  /**
   * The next target for a request, round robin over healthy targets. When none is healthy
   * the load balancer fails open, like AWS: every registered target that is not draining
   * gets requests regardless of its health.
   */
  nextTarget(): Target | undefined {
    const routable = [...this.registrations.values()].filter((r) => r.health.state !== 'draining');
    const healthy = routable.filter((r) => r.health.state === 'healthy');
    const candidates = healthy.length > 0 ? healthy : routable;
    if (candidates.length === 0) return undefined;
    const chosen = candidates[this.nextIndex % candidates.length];
    this.nextIndex = (this.nextIndex + 1) % Number.MAX_SAFE_INTEGER;
    return chosen.target;
  }

  describe(): TargetDescription[] {
    return [...this.registrations.values()].map((r) => ({ ...r.target, health: r.health }));
  }

  hostCounts(): HostCounts {
    let healthy = 0;
    let unhealthy = 0;
    for (const { health } of this.registrations.values()) {
      if (health.state === 'healthy') healthy += 1;
      if (health.state === 'unhealthy') unhealthy += 1;
    }
    return { healthy, unhealthy };
  }

  /** Cancels pending deregistrations (on shutdown). */
  close(): void {
    for (const registration of this.registrations.values()) clearTimeout(registration.drainTimer);
  }

  private transition(registration: Registration, next: TargetHealth): void {
    const previous = registration.health;
    if (
      previous.state === next.state &&
      previous.reason === next.reason &&
      previous.description === next.description
    ) {
      return;
    }
    registration.health = next;
    this.emit({ target: registration.target, previous, current: next });
  }

  private emit(change: TargetStateChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
