/**
 * The ECS service scheduler, for the local api tasks
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html):
 *
 * - it keeps the desired count: a task that stops is replaced ("Essential container in task
 *   exited");
 * - after the health-check grace period it replaces a task that the load balancer reports
 *   unhealthy ("Task failed ELB health checks in (target-group ...)") or whose container
 *   health check reports unhealthy ("Task failed container health checks"). As ECS does when
 *   maximumPercent leaves room, it starts the replacement first and stops the unhealthy task
 *   once the service has its desired count of healthy tasks again;
 * - a deployment starts new tasks up to maximumPercent of the desired count and stops old ones
 *   while minimumHealthyPercent of it stays healthy;
 * - it registers a task with the target group once it runs, and deregisters a task and waits
 *   for it to drain before it stops it.
 *
 * The service events carry ECS's messages. Everything it runs goes through two ports, the task
 * runtime (Docker) and the target group (the simulated ALB), so that its rules are tested on
 * their own.
 */
import type { ServiceDefinition } from './service-definition';

/** ECS's task `lastStatus` and, for a task with a container health check, its `healthStatus`. */
export interface RuntimeTask {
  readonly taskId: string;
  readonly lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  /** The task's address in the awsvpc sense: what the target group registers. */
  readonly ip?: string;
  readonly startedAt?: Date;
  readonly exitCode?: number;
}

export interface TaskRuntime {
  /** The service's tasks, running and stopped, that the runtime still holds. */
  list(): Promise<RuntimeTask[]>;
  /** Starts a task of the task definition and resolves once it runs (it has an address). */
  start(): Promise<RuntimeTask>;
  /** SIGTERM, then SIGKILL after the container's stop timeout, as ECS stops a task. */
  stop(taskId: string): Promise<void>;
  /** Forgets a stopped task. */
  remove(taskId: string): Promise<void>;
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface TargetGroupPort {
  /** The target group's ARN, as the events name it. */
  readonly arn: string;
  /** The registered targets' states by address. */
  health(): Promise<Map<string, TargetState>>;
  register(ip: string): Promise<void>;
  deregister(ip: string): Promise<void>;
  /** Resolves once the address is no longer registered (drained), or after the timeout. */
  drained(ip: string, timeoutMs: number): Promise<void>;
}

export interface ServiceEvent {
  readonly id: string;
  readonly createdAt: Date;
  readonly message: string;
}

export interface StoppedTask {
  readonly taskId: string;
  readonly stoppedAt: Date;
  readonly stoppedReason: string;
  readonly exitCode?: number;
}

export interface Deployment {
  readonly id: string;
  readonly createdAt: Date;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  rolloutState: 'IN_PROGRESS' | 'COMPLETED';
}

export interface ServiceSchedulerOptions {
  readonly definition: ServiceDefinition;
  readonly runtime: TaskRuntime;
  readonly targetGroup: TargetGroupPort;
  /** The target group's deregistration delay: how long a deregistered target drains. */
  readonly deregistrationDelaySeconds: number;
  readonly log: (event: Record<string, unknown>) => void;
  readonly now?: () => Date;
}

/** ECS keeps the last 100 events of a service. */
const MAX_EVENTS = 100;
/** Beyond the deregistration delay, how long a drain may take before the task is stopped anyway. */
const DRAIN_SLACK_MS = 5000;

interface TrackedTask {
  task: RuntimeTask;
  /** Why the scheduler means to stop it; undefined while it is wanted. */
  retire?: string;
  stopping: boolean;
}

export class ServiceScheduler {
  private desired: number;
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly stopped: StoppedTask[] = [];
  private readonly events: ServiceEvent[] = [];
  private readonly deployments: Deployment[] = [];
  private readonly stopping = new Set<Promise<void>>();
  private starting = 0;
  private eventCount = 0;
  private steady = false;

  constructor(private readonly options: ServiceSchedulerOptions) {
    // CloudFormation creates a service without DesiredCount with one task, and registering the
    // scalable target raises it to MinCapacity at once.
    this.desired = options.definition.minCapacity;
    this.deployments.push(this.newDeployment());
  }

  get desiredCount(): number {
    return this.desired;
  }

  /** UpdateService's desiredCount, as Application Auto Scaling sets it. */
  setDesiredCount(count: number, cause: string): void {
    if (count === this.desired) return;
    this.desired = count;
    this.steady = false;
    this.options.log({ event: 'desired-count-changed', desiredCount: count, cause });
  }

  /** UpdateService --force-new-deployment: every running task is replaced. */
  forceNewDeployment(): Deployment {
    for (const deployment of this.deployments) {
      if (deployment.status === 'PRIMARY') deployment.status = 'ACTIVE';
    }
    const deployment = this.newDeployment();
    this.deployments.unshift(deployment);
    for (const tracked of this.tasks.values()) {
      if (!tracked.stopping) tracked.retire ??= `Scaling activity initiated by (deployment ${deployment.id})`;
    }
    this.steady = false;
    this.event(`(service ${this.name}) has started a new deployment (deployment ${deployment.id}).`);
    return deployment;
  }

  /** One round: look at the tasks and their targets, then start and stop what the rules say. */
  async reconcile(): Promise<void> {
    const listed = await this.options.runtime.list();
    const health = await this.options.targetGroup.health();
    const now = this.now();
    const listedIds = new Set(listed.map(({ taskId }) => taskId));

    for (const task of listed) {
      const tracked = this.tasks.get(task.taskId);
      if (tracked) {
        // A stopped container has no address any more; its target is still registered under the old one.
        tracked.task = { ...task, ip: task.ip ?? tracked.task.ip };
      } else if (task.lastStatus !== 'STOPPED') {
        // A task the scheduler did not start (compose's first replicas): it is the service's.
        this.tasks.set(task.taskId, { task, stopping: false });
        if (task.ip) await this.options.targetGroup.register(task.ip);
      }
    }
    for (const [taskId, tracked] of this.tasks) {
      if (tracked.stopping) continue;
      if (!listedIds.has(taskId) || tracked.task.lastStatus === 'STOPPED') {
        await this.taskExited(tracked, listedIds.has(taskId));
      }
    }

    const active = [...this.tasks.values()].filter(({ stopping }) => !stopping);
    for (const tracked of active) {
      if (tracked.retire) continue;
      const unhealthy = this.unhealthyReason(tracked.task, health, now);
      if (unhealthy) {
        this.steady = false;
        tracked.retire = unhealthy.stoppedReason;
        this.event(unhealthy.event);
      }
    }
    this.retireExcess(active);

    const keepers = active.filter(({ retire }) => !retire).length + this.starting;
    const maxTasks = Math.floor((this.desired * this.options.definition.maximumPercent) / 100);
    const room = maxTasks - this.tasks.size - this.starting;
    const toStart = Math.max(0, Math.min(this.desired - keepers, room));
    for (let i = 0; i < toStart; i += 1) await this.startTask();

    this.stopRetired(health, maxTasks);
    this.completeDeployments(health);
  }

  /** Waits for the tasks being stopped (on shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.stopping]);
  }

  /** What DescribeServices would show of the service. */
  describe(): {
    serviceName: string;
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
    deployments: Deployment[];
    events: ServiceEvent[];
  } {
    const tasks = [...this.tasks.values()].map(({ task }) => task);
    return {
      serviceName: this.name,
      desiredCount: this.desired,
      runningCount: tasks.filter(({ lastStatus }) => lastStatus === 'RUNNING').length,
      pendingCount: tasks.filter(({ lastStatus }) => lastStatus === 'PENDING').length + this.starting,
      deployments: this.deployments.filter(({ status }) => status !== 'INACTIVE'),
      events: [...this.events],
    };
  }

  /** ListTasks and DescribeTasks, newest stopped tasks first. */
  describeTasks(): { running: RuntimeTask[]; stopped: StoppedTask[] } {
    return { running: [...this.tasks.values()].map(({ task }) => task), stopped: [...this.stopped] };
  }

  private get name(): string {
    return this.options.definition.serviceName;
  }

  private get primary(): Deployment {
    return this.deployments[0] as Deployment;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private newDeployment(): Deployment {
    const id = `ecs-svc/${Array.from({ length: 19 }, () => Math.floor(Math.random() * 10)).join('')}`;
    return { id, createdAt: this.now(), status: 'PRIMARY', rolloutState: 'IN_PROGRESS' };
  }

  private unhealthyReason(
    task: RuntimeTask,
    health: Map<string, TargetState>,
    now: Date,
  ): { stoppedReason: string; event: string } | undefined {
    if (task.lastStatus !== 'RUNNING' || !task.startedAt) return undefined;
    const age = (now.getTime() - task.startedAt.getTime()) / 1000;
    // ECS ignores both health checks during the grace period.
    if (age < this.options.definition.healthCheckGracePeriodSeconds) return undefined;
    const { arn } = this.options.targetGroup;
    if (task.ip && health.get(task.ip) === 'unhealthy') {
      return {
        stoppedReason: `Task failed ELB health checks in (target-group ${arn})`,
        event: `(service ${this.name}) (task ${task.taskId}) (port 8080) is unhealthy in (target-group ${arn}) due to (reason Health checks failed).`,
      };
    }
    if (task.healthStatus === 'UNHEALTHY') {
      return {
        stoppedReason: 'Task failed container health checks',
        event: `(service ${this.name}) (task ${task.taskId}) failed container health checks.`,
      };
    }
    return undefined;
  }

  /** Above the desired count, the newest wanted tasks go first (not already on their way out). */
  private retireExcess(active: TrackedTask[]): void {
    const wanted = active.filter(({ retire }) => !retire);
    const excess = wanted.length - this.desired;
    if (excess <= 0) return;
    const newestFirst = [...wanted].sort(
      (a, b) => (b.task.startedAt?.getTime() ?? 0) - (a.task.startedAt?.getTime() ?? 0),
    );
    for (const tracked of newestFirst.slice(0, excess)) {
      tracked.retire = `Scaling activity initiated by (deployment ${this.primary.id})`;
    }
  }

  private async startTask(): Promise<void> {
    this.starting += 1;
    try {
      const task = await this.options.runtime.start();
      this.tasks.set(task.taskId, { task, stopping: false });
      this.event(`(service ${this.name}) has started 1 tasks: (task ${task.taskId}).`);
      if (task.ip) {
        await this.options.targetGroup.register(task.ip);
        this.event(
          `(service ${this.name}) registered 1 targets in (target-group ${this.options.targetGroup.arn})`,
        );
      }
    } finally {
      this.starting -= 1;
    }
  }

  /**
   * A wanted task is stopped when the service keeps minimumHealthyPercent of its desired count
   * healthy without it; an unhealthy one when the service is back to its desired count of
   * healthy tasks, or when maximumPercent leaves no room for a replacement.
   */
  private stopRetired(health: Map<string, TargetState>, maxTasks: number): void {
    const isHealthy = ({ task }: TrackedTask) => task.ip !== undefined && health.get(task.ip) === 'healthy';
    const minHealthy = Math.ceil((this.desired * this.options.definition.minimumHealthyPercent) / 100);
    const retiring = [...this.tasks.values()]
      .filter(({ retire, stopping }) => retire && !stopping)
      // The unhealthy first: stopping them costs no healthy task.
      .sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)));
    for (const tracked of retiring) {
      const live = [...this.tasks.values()].filter(({ stopping }) => !stopping);
      const healthyLive = live.filter(isHealthy).length;
      const wanted = live.filter((t) => !t.retire);
      const canStop = isHealthy(tracked)
        ? healthyLive - 1 >= minHealthy
        : wanted.filter(isHealthy).length >= this.desired ||
          // No replacement on its way and no room for one: stop it to make room, as ECS does.
          (wanted.length + this.starting < this.desired && live.length + this.starting >= maxTasks);
      if (canStop) this.stopTask(tracked, tracked.retire as string);
    }
  }

  private stopTask(tracked: TrackedTask, stoppedReason: string): void {
    tracked.stopping = true;
    const { task } = tracked;
    const { targetGroup, runtime, deregistrationDelaySeconds, log } = this.options;
    const stop = (async () => {
      if (task.ip) {
        await targetGroup
          .deregister(task.ip)
          .catch((error: Error) =>
            log({ event: 'deregister-failed', task: task.taskId, error: error.message }),
          );
        this.event(`(service ${this.name}) has begun draining connections on 1 tasks.`);
        await targetGroup.drained(task.ip, deregistrationDelaySeconds * 1000 + DRAIN_SLACK_MS);
        this.event(`(service ${this.name}) deregistered 1 targets in (target-group ${targetGroup.arn})`);
      }
      await runtime.stop(task.taskId);
      await runtime.remove(task.taskId);
      this.recordStopped(task, stoppedReason);
      this.event(`(service ${this.name}) has stopped 1 running tasks: (task ${task.taskId}).`);
    })()
      .catch((error: Error) => {
        // Stays tracked as stopping no more: the next round sees what is left of it.
        tracked.stopping = false;
        log({ event: 'stop-failed', task: task.taskId, error: error.message });
      })
      .finally(() => {
        this.stopping.delete(stop);
        if (!tracked.stopping) return;
        this.tasks.delete(task.taskId);
      });
    this.stopping.add(stop);
  }

  /** A task that stopped on its own (exited, was killed or removed): ECS replaces it. */
  private async taskExited(tracked: TrackedTask, stillListed: boolean): Promise<void> {
    const { task } = tracked;
    this.tasks.delete(task.taskId);
    this.steady = false;
    const stoppedReason = 'Essential container in task exited';
    this.recordStopped(task, stoppedReason);
    this.event(`(service ${this.name}) has stopped 1 running tasks: (task ${task.taskId}).`);
    this.options.log({ event: 'task-exited', task: task.taskId, exitCode: task.exitCode, stoppedReason });
    if (task.ip) await this.options.targetGroup.deregister(task.ip).catch(() => undefined);
    if (stillListed) await this.options.runtime.remove(task.taskId);
  }

  private recordStopped(task: RuntimeTask, stoppedReason: string): void {
    this.stopped.unshift({
      taskId: task.taskId,
      stoppedAt: this.now(),
      stoppedReason,
      exitCode: task.exitCode,
    });
    this.stopped.splice(MAX_EVENTS);
  }

  private completeDeployments(health: Map<string, TargetState>): void {
    const live = [...this.tasks.values()];
    const healthyWanted = live.filter(
      ({ task, retire, stopping }) => !retire && !stopping && task.ip && health.get(task.ip) === 'healthy',
    ).length;
    const done = live.length === this.desired && healthyWanted === this.desired && this.stopping.size === 0;
    if (!done) {
      this.steady = false;
      return;
    }
    for (const deployment of this.deployments) {
      if (deployment.status === 'PRIMARY') deployment.rolloutState = 'COMPLETED';
      else deployment.status = 'INACTIVE';
    }
    if (!this.steady) {
      this.steady = true;
      this.event(`(service ${this.name}) has reached a steady state.`);
    }
  }

  private event(message: string): void {
    this.eventCount += 1;
    const event = { id: String(this.eventCount), createdAt: this.now(), message };
    this.events.unshift(event);
    this.events.splice(MAX_EVENTS);
    this.options.log({ event: 'service-event', message });
  }
}
