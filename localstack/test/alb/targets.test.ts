import { type HealthCheckResult, TargetRegistry, type TargetStateChange } from '../../src/alb/targets';
import { sleep, waitFor } from './helpers';

const PASS: HealthCheckResult = { passed: true };
const MISMATCH: HealthCheckResult = {
  passed: false,
  reason: 'Target.ResponseCodeMismatch',
  description: 'Health checks failed with these codes: [500]',
};
const TIMEOUT: HealthCheckResult = {
  passed: false,
  reason: 'Target.Timeout',
  description: 'Request timed out',
};

function registry(overrides: Partial<ConstructorParameters<typeof TargetRegistry>[0]> = {}) {
  const targets = new TargetRegistry({
    port: 8080,
    healthyThresholdCount: 3,
    unhealthyThresholdCount: 2,
    deregistrationDelaySeconds: 0.2,
    ...overrides,
  });
  const changes: TargetStateChange[] = [];
  targets.onChange((change) => changes.push(change));
  return { targets, changes };
}

function healthOf(targets: TargetRegistry, id: string) {
  return targets.describe().find((target) => target.id === id)?.health;
}

function record(targets: TargetRegistry, id: string, ...results: HealthCheckResult[]) {
  for (const result of results) targets.recordHealthCheck(id, result);
}

function pick(targets: TargetRegistry, count: number): Array<string | undefined> {
  return Array.from({ length: count }, () => targets.nextTarget()?.id);
}

describe('TargetRegistry health states', () => {
  it('keeps a new target initial until HealthyThresholdCount checks in a row pass', () => {
    const { targets, changes } = registry();
    targets.register('10.0.0.1');
    expect(healthOf(targets, '10.0.0.1')).toEqual({
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      description: 'Target registration is in progress',
    });

    record(targets, '10.0.0.1', PASS, PASS);
    expect(healthOf(targets, '10.0.0.1')).toEqual({
      state: 'initial',
      reason: 'Elb.InitialHealthChecking',
      description: 'Initial health checks in progress',
    });

    record(targets, '10.0.0.1', PASS);
    expect(healthOf(targets, '10.0.0.1')).toEqual({ state: 'healthy' });
    expect(changes.map(({ previous, current }) => [stateOf(previous), stateOf(current)])).toEqual([
      ['unused', 'initial'],
      ['initial', 'initial'],
      ['initial', 'healthy'],
    ]);
  });

  it('needs consecutive passes: a failure in between starts the count again', () => {
    const { targets } = registry();
    targets.register('10.0.0.1');
    record(targets, '10.0.0.1', PASS, PASS, TIMEOUT, PASS, PASS);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('initial');
    record(targets, '10.0.0.1', PASS);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('healthy');
  });

  it('marks a target unhealthy after UnhealthyThresholdCount failures in a row, with the reason of the last', () => {
    const { targets } = registry();
    targets.register('10.0.0.1');
    record(targets, '10.0.0.1', PASS, PASS, PASS, MISMATCH);
    expect(healthOf(targets, '10.0.0.1')).toEqual({ state: 'healthy' });

    record(targets, '10.0.0.1', TIMEOUT);
    expect(healthOf(targets, '10.0.0.1')).toEqual({
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });

    // an unhealthy target reports why its latest check failed
    record(targets, '10.0.0.1', MISMATCH);
    expect(healthOf(targets, '10.0.0.1')).toMatchObject({ reason: 'Target.ResponseCodeMismatch' });
  });

  it('takes an initial target that keeps failing straight to unhealthy', () => {
    const { targets } = registry();
    targets.register('10.0.0.1');
    record(targets, '10.0.0.1', MISMATCH);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('initial');
    record(targets, '10.0.0.1', MISMATCH);
    expect(healthOf(targets, '10.0.0.1')).toMatchObject({
      state: 'unhealthy',
      reason: 'Target.ResponseCodeMismatch',
    });
  });

  it('brings an unhealthy target back after HealthyThresholdCount passes', () => {
    const { targets } = registry();
    targets.register('10.0.0.1');
    record(targets, '10.0.0.1', TIMEOUT, TIMEOUT, PASS, PASS);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('unhealthy');
    record(targets, '10.0.0.1', PASS);
    expect(healthOf(targets, '10.0.0.1')).toEqual({ state: 'healthy' });
  });

  it('counts healthy and unhealthy hosts like HealthyHostCount and UnHealthyHostCount', () => {
    const { targets } = registry({ healthyThresholdCount: 1, unhealthyThresholdCount: 1 });
    for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) targets.register(id);
    record(targets, '10.0.0.1', PASS);
    record(targets, '10.0.0.2', PASS);
    record(targets, '10.0.0.3', TIMEOUT);
    // 10.0.0.4 is still initial: neither count includes it
    expect(targets.hostCounts()).toEqual({ healthy: 2, unhealthy: 1 });
    targets.deregister('10.0.0.1');
    expect(targets.hostCounts()).toEqual({ healthy: 1, unhealthy: 1 });
    targets.close();
  });
});

describe('TargetRegistry routing', () => {
  it('goes round robin over the healthy targets only', () => {
    const { targets } = registry({ healthyThresholdCount: 1, unhealthyThresholdCount: 1 });
    for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) targets.register(id);
    record(targets, '10.0.0.1', PASS);
    record(targets, '10.0.0.2', TIMEOUT);
    record(targets, '10.0.0.3', PASS);
    expect(pick(targets, 4)).toEqual(['10.0.0.1', '10.0.0.3', '10.0.0.1', '10.0.0.3']);
  });

  it('fails open to every registered target that is not draining when none is healthy', () => {
    const { targets } = registry({ unhealthyThresholdCount: 1 });
    for (const id of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) targets.register(id);
    record(targets, '10.0.0.1', TIMEOUT);
    targets.deregister('10.0.0.3');
    expect(new Set(pick(targets, 4))).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    targets.close();
  });

  it('has nothing to offer when no target is registered', () => {
    expect(registry().targets.nextTarget()).toBeUndefined();
  });
});

describe('TargetRegistry deregistration', () => {
  it('drains a deregistered target for the deregistration delay, then removes it', async () => {
    const { targets, changes } = registry({ healthyThresholdCount: 1 });
    targets.reconcile(['10.0.0.1', '10.0.0.2']);
    record(targets, '10.0.0.1', PASS);
    record(targets, '10.0.0.2', PASS);

    targets.reconcile(['10.0.0.2']);
    expect(healthOf(targets, '10.0.0.1')).toEqual({
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
      description: 'Target deregistration is in progress',
    });
    expect(new Set(pick(targets, 3))).toEqual(new Set(['10.0.0.2']));
    // health checks no longer count for a draining target
    record(targets, '10.0.0.1', TIMEOUT, TIMEOUT);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('draining');

    await sleep(100);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('draining');
    await waitFor(() => healthOf(targets, '10.0.0.1') === undefined, 1000, 'removal');
    expect(stateOf(changes[changes.length - 1].current)).toBe('unused');
    expect(targets.describe().map((t) => t.id)).toEqual(['10.0.0.2']);
  });

  it('registers an address again if it comes back while draining', async () => {
    const { targets } = registry({ healthyThresholdCount: 1, deregistrationDelaySeconds: 0.1 });
    targets.reconcile(['10.0.0.1']);
    targets.reconcile([]);
    targets.reconcile(['10.0.0.1']);
    expect(healthOf(targets, '10.0.0.1')).toMatchObject({
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
    });
    await sleep(200);
    // the cancelled deregistration did not remove it
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('initial');
  });
});

describe('TargetRegistry deregistration by an operator (DeregisterTargets)', () => {
  it('drains the target and keeps discovery from registering it while its task still resolves', async () => {
    const { targets } = registry({ healthyThresholdCount: 1, deregistrationDelaySeconds: 0.1 });
    targets.reconcile(['10.0.0.1', '10.0.0.2']);
    record(targets, '10.0.0.1', PASS);
    record(targets, '10.0.0.2', PASS);

    expect(targets.deregisterUntilGone('10.0.0.1')).toBe(true);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('draining');
    expect(new Set(pick(targets, 4))).toEqual(new Set(['10.0.0.2']));

    targets.reconcile(['10.0.0.1', '10.0.0.2']);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('draining');
    await waitFor(() => healthOf(targets, '10.0.0.1') === undefined, 1000, 'removal');
    targets.reconcile(['10.0.0.1', '10.0.0.2']);
    expect(healthOf(targets, '10.0.0.1')).toBeUndefined();
  });

  it('registers the address anew once its task has left discovery and come back', () => {
    const { targets } = registry();
    targets.reconcile(['10.0.0.1']);
    targets.deregisterUntilGone('10.0.0.1');

    targets.reconcile([]);
    targets.reconcile(['10.0.0.1']);
    expect(healthOf(targets, '10.0.0.1')).toMatchObject({
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
    });
  });

  it('registers the address again when an operator registers it, even if it never left discovery', () => {
    const { targets } = registry({ deregistrationDelaySeconds: 60 });
    targets.reconcile(['10.0.0.1']);
    targets.deregisterUntilGone('10.0.0.1');

    targets.registerByOperator('10.0.0.1');
    expect(healthOf(targets, '10.0.0.1')).toMatchObject({
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
    });
    targets.reconcile(['10.0.0.1']);
    expect(healthOf(targets, '10.0.0.1')?.state).toBe('initial');
    targets.close();
  });

  it('refuses an address that is not registered', () => {
    const { targets } = registry();
    expect(targets.deregisterUntilGone('10.0.0.9')).toBe(false);
    targets.reconcile(['10.0.0.9']);
    expect(healthOf(targets, '10.0.0.9')?.state).toBe('initial');
  });
});

function stateOf(health: TargetStateChange['current']): string {
  return health === 'unused' ? 'unused' : health.state;
}
