/**
 * The scheduler's rules against ECS's documentation (Amazon ECS services; the deployment
 * configuration's minimumHealthyPercent and maximumPercent), on a fake task runtime and a fake
 * target group: what a user of ECS would see, the tasks that run and the service's events.
 */
import type { ServiceDefinition } from '../../src/ecs/service-definition';
import {
  type RuntimeTask,
  ServiceScheduler,
  type TargetGroupPort,
  type TargetState,
  type TaskRuntime,
} from '../../src/ecs/service-scheduler';

class FakeRuntime implements TaskRuntime {
  readonly tasks = new Map<string, RuntimeTask>();
  private next = 0;
  constructor(private readonly clock: () => Date) {}
  async list() {
    return [...this.tasks.values()];
  }
  async start() {
    this.next += 1;
    const task: RuntimeTask = {
      taskId: `task${this.next}`,
      lastStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      ip: `10.0.0.${this.next}`,
      startedAt: this.clock(),
    };
    this.tasks.set(task.taskId, task);
    return task;
  }
  async stop(taskId: string) {
    const task = this.tasks.get(taskId);
    if (task) this.tasks.set(taskId, { ...task, lastStatus: 'STOPPED', ip: undefined, exitCode: 0 });
  }
  async remove(taskId: string) {
    this.tasks.delete(taskId);
  }
  running() {
    return [...this.tasks.values()]
      .filter(({ lastStatus }) => lastStatus === 'RUNNING')
      .map(({ taskId }) => taskId);
  }
}

class FakeTargetGroup implements TargetGroupPort {
  readonly arn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/0123456789abcdef';
  readonly states = new Map<string, TargetState>();
  async health() {
    return new Map(this.states);
  }
  async register(ip: string) {
    this.states.set(ip, 'initial');
  }
  async deregister(ip: string) {
    this.states.delete(ip);
  }
  async drained() {}
  /** The health checks pass for every target that is not told otherwise. */
  checksPass(except: string[] = []) {
    for (const ip of this.states.keys()) this.states.set(ip, except.includes(ip) ? 'unhealthy' : 'healthy');
  }
}

const definition: ServiceDefinition = {
  serviceName: 'api',
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  healthCheckGracePeriodSeconds: 5,
  minCapacity: 2,
  maxCapacity: 3,
  policies: [],
};

function setUp(overrides: Partial<ServiceDefinition> = {}) {
  let time = new Date('2026-12-03T12:00:00Z').getTime();
  const clock = () => new Date(time);
  const runtime = new FakeRuntime(clock);
  const targetGroup = new FakeTargetGroup();
  const scheduler = new ServiceScheduler({
    definition: { ...definition, ...overrides },
    runtime,
    targetGroup,
    deregistrationDelaySeconds: 0,
    log: () => undefined,
    now: clock,
  });
  const round = async (seconds = 1) => {
    time += seconds * 1000;
    await scheduler.reconcile();
    await scheduler.settle();
  };
  const messages = () => scheduler.describe().events.map(({ message }) => message);
  return { runtime, targetGroup, scheduler, round, messages };
}

describe('ServiceScheduler', () => {
  it('starts the desired count, the scalable target minimum, and registers each task', async () => {
    const { runtime, targetGroup, scheduler, round } = setUp();
    await round();
    expect(runtime.running()).toHaveLength(2);
    expect([...targetGroup.states.keys()]).toEqual(['10.0.0.1', '10.0.0.2']);
    targetGroup.checksPass();
    await round();
    expect(scheduler.describe()).toMatchObject({ desiredCount: 2, runningCount: 2, pendingCount: 0 });
    expect(scheduler.describe().events[0]?.message).toBe('(service api) has reached a steady state.');
  });

  it('replaces a task whose container exited, with ECS stopped reason', async () => {
    const { runtime, targetGroup, scheduler, round, messages } = setUp();
    await round();
    targetGroup.checksPass();
    await round();
    const task = runtime.tasks.get('task1') as RuntimeTask;
    runtime.tasks.set('task1', { ...task, lastStatus: 'STOPPED', ip: undefined, exitCode: 137 });
    await round();
    expect(runtime.running()).toEqual(['task2', 'task3']);
    // Its target is deregistered, under the address it had while it ran.
    expect(targetGroup.states.has('10.0.0.1')).toBe(false);
    expect(scheduler.describeTasks().stopped[0]).toMatchObject({
      taskId: 'task1',
      stoppedReason: 'Essential container in task exited',
      exitCode: 137,
    });
    expect(messages().slice(0, 3)).toEqual([
      '(service api) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/0123456789abcdef)',
      '(service api) has started 1 tasks: (task task3).',
      '(service api) has stopped 1 running tasks: (task task1).',
    ]);
  });

  it('replaces a task that disappeared altogether (docker rm -f)', async () => {
    const { runtime, targetGroup, round } = setUp();
    await round();
    targetGroup.checksPass();
    runtime.tasks.delete('task2');
    await round();
    expect(runtime.running()).toEqual(['task1', 'task3']);
  });

  it('ignores failed ELB health checks during the grace period', async () => {
    const { runtime, targetGroup, round } = setUp();
    await round();
    targetGroup.checksPass(['10.0.0.1']);
    await round(3);
    expect(runtime.running()).toEqual(['task1', 'task2']);
  });

  it('after the grace period starts a replacement first and stops the unhealthy task once it is healthy', async () => {
    const { runtime, targetGroup, scheduler, round, messages } = setUp();
    await round();
    targetGroup.checksPass(['10.0.0.1']);
    await round(6);
    // The replacement runs beside the unhealthy task: the service keeps two tasks serving.
    expect(runtime.running()).toEqual(['task1', 'task2', 'task3']);
    targetGroup.checksPass(['10.0.0.1']);
    await round();
    expect(runtime.running()).toEqual(['task2', 'task3']);
    expect(scheduler.describeTasks().stopped[0]?.stoppedReason).toBe(
      `Task failed ELB health checks in (target-group ${targetGroup.arn})`,
    );
    expect(messages()).toContain(
      `(service api) (task task1) (port 8080) is unhealthy in (target-group ${targetGroup.arn}) due to (reason Health checks failed).`,
    );
  });

  it('replaces a task whose container health check is unhealthy', async () => {
    const { runtime, targetGroup, scheduler, round } = setUp();
    await round();
    targetGroup.checksPass();
    const task = runtime.tasks.get('task2') as RuntimeTask;
    runtime.tasks.set('task2', { ...task, healthStatus: 'UNHEALTHY' });
    await round(6);
    targetGroup.checksPass();
    await round();
    expect(runtime.running()).toEqual(['task1', 'task3']);
    expect(scheduler.describeTasks().stopped[0]?.stoppedReason).toBe('Task failed container health checks');
  });

  it('replaces every task when all fail, without stopping one before its replacement is healthy', async () => {
    const { runtime, targetGroup, round } = setUp();
    await round();
    targetGroup.checksPass(['10.0.0.1', '10.0.0.2']);
    await round(6);
    expect(runtime.running()).toEqual(['task1', 'task2', 'task3', 'task4']);
    targetGroup.checksPass(['10.0.0.1', '10.0.0.2']);
    await round();
    expect(runtime.running()).toEqual(['task3', 'task4']);
  });

  it('deploys under 100/200 %: new tasks first, the old ones stopped once the new are healthy', async () => {
    const { runtime, targetGroup, scheduler, round, messages } = setUp();
    await round();
    targetGroup.checksPass();
    await round();
    const deployment = scheduler.forceNewDeployment();
    await round();
    expect(runtime.running()).toEqual(['task1', 'task2', 'task3', 'task4']);
    // Old tasks keep serving while the new ones are initial.
    await round();
    expect(runtime.running()).toHaveLength(4);
    targetGroup.checksPass();
    await round();
    expect(runtime.running()).toEqual(['task3', 'task4']);
    await round();
    expect(scheduler.describe().deployments).toEqual([
      expect.objectContaining({ id: deployment.id, status: 'PRIMARY', rolloutState: 'COMPLETED' }),
    ]);
    expect(messages()[0]).toBe('(service api) has reached a steady state.');
    expect(scheduler.describeTasks().stopped[0]?.stoppedReason).toBe(
      `Scaling activity initiated by (deployment ${deployment.id})`,
    );
  });

  it('deploys one task at a time when maximumPercent is 150 and the minimum 50', async () => {
    const { runtime, targetGroup, scheduler, round } = setUp({
      minimumHealthyPercent: 50,
      maximumPercent: 150,
    });
    await round();
    targetGroup.checksPass();
    await round();
    scheduler.forceNewDeployment();
    await round();
    // 150 % of 2 is 3 tasks at most; 50 % of 2 is 1 healthy task at least.
    expect(runtime.running().length).toBeLessThanOrEqual(3);
    for (let i = 0; i < 6; i += 1) {
      targetGroup.checksPass();
      await round();
      expect(runtime.running().length).toBeLessThanOrEqual(3);
    }
    expect(runtime.running()).not.toContain('task1');
    expect(runtime.running()).not.toContain('task2');
    expect(runtime.running()).toHaveLength(2);
  });

  it('follows the desired count out and in, stopping the newest task on the way in', async () => {
    const { runtime, targetGroup, scheduler, round } = setUp();
    await round();
    targetGroup.checksPass();
    scheduler.setDesiredCount(3, 'test');
    await round();
    expect(runtime.running()).toEqual(['task1', 'task2', 'task3']);
    targetGroup.checksPass();
    await round();
    scheduler.setDesiredCount(2, 'test');
    await round();
    expect(runtime.running()).toEqual(['task1', 'task2']);
    expect(targetGroup.states.has('10.0.0.3')).toBe(false);
  });

  it('adopts the tasks it finds running (compose started them)', async () => {
    const { runtime, targetGroup, round } = setUp();
    await runtime.start();
    await runtime.start();
    await round();
    expect(runtime.running()).toEqual(['task1', 'task2']);
    expect([...targetGroup.states.keys()]).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});
