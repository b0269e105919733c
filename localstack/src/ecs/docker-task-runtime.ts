/**
 * The scheduler's tasks as containers of compose's `api` service, through the Docker API. A
 * new task is created from the service definition compose gave its first replicas (image,
 * command, environment, limits, health check, mounts, network), with the next replica number,
 * so that `docker compose ps` lists it and `docker compose down` removes it.
 */
import type Dockerode from 'dockerode';
import type { RuntimeTask, TaskRuntime } from './service-scheduler';
import {
  type ComposeService,
  dockerTime,
  inspectReplicas,
  replicaNumber,
  TaskContainerError,
  taskIdOf,
  taskStatusOf,
} from './task-containers';

export interface DockerTaskRuntimeOptions {
  readonly docker: Dockerode;
  readonly compose: ComposeService;
  /** The names the tasks answer to on their network: the compose service and the Cloud Map name. */
  readonly aliases: readonly string[];
}

const START_TIMEOUT_MS = 30_000;

export class DockerTaskRuntime implements TaskRuntime {
  private template?: Dockerode.ContainerInspectInfo;
  private readonly containerIds = new Map<string, string>();

  constructor(private readonly options: DockerTaskRuntimeOptions) {}

  async list(): Promise<RuntimeTask[]> {
    const tasks: RuntimeTask[] = [];
    for (const info of await inspectReplicas(this.options.docker, this.options.compose)) {
      const task = runtimeTaskOf(info);
      this.containerIds.set(task.taskId, info.Id);
      // Any task will do after a daemon restart, when none runs any more.
      if (task.lastStatus === 'RUNNING' || !this.template) this.template = info;
      tasks.push(task);
    }
    return tasks;
  }

  async start(): Promise<RuntimeTask> {
    const template = this.template;
    if (!template) {
      throw new TaskContainerError(
        `no ${this.options.compose.service} container to take the task definition from: start the platform with make local-up`,
      );
    }
    const { docker } = this.options;
    const numbers = (await inspectReplicas(docker, this.options.compose))
      .map((info) => replicaNumber(info.Config.Labels))
      .filter((replica) => replica !== Number.MAX_SAFE_INTEGER);
    const number = Math.max(0, ...numbers) + 1;
    const networks = Object.keys(template.NetworkSettings.Networks ?? {});
    const [firstNetwork, ...otherNetworks] = networks;
    const endpoint = { Aliases: [...this.options.aliases] };
    // Dockerode's types leave out two fields the Docker API returns and takes.
    const config = template.Config as Dockerode.ContainerInspectInfo['Config'] & {
      StopSignal?: string;
      StopTimeout?: number;
    };
    const container = await docker.createContainer({
      name: template.Name.replace(/^\//, '').replace(/\d+$/, String(number)),
      Image: config.Image,
      Cmd: config.Cmd,
      Entrypoint: config.Entrypoint,
      Env: config.Env,
      WorkingDir: config.WorkingDir,
      User: config.User,
      ExposedPorts: config.ExposedPorts,
      Healthcheck: config.Healthcheck,
      StopSignal: config.StopSignal,
      StopTimeout: config.StopTimeout,
      Labels: { ...config.Labels, 'com.docker.compose.container-number': String(number) },
      HostConfig: template.HostConfig,
      NetworkingConfig: firstNetwork ? { EndpointsConfig: { [firstNetwork]: endpoint } } : undefined,
    });
    // Docker API versions before 1.44 take one network at creation.
    for (const network of otherNetworks) {
      await docker.getNetwork(network).connect({ Container: container.id, EndpointConfig: endpoint });
    }
    await container.start();
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const task = runtimeTaskOf(await container.inspect());
      this.containerIds.set(task.taskId, container.id);
      if (task.ip || task.lastStatus === 'STOPPED' || Date.now() > deadline) return task;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(taskId: string): Promise<void> {
    // Without a timeout Docker waits the container's own StopTimeout (compose's stop_grace_period).
    await this.container(taskId).stop().catch(ignoreGone);
  }

  async remove(taskId: string): Promise<void> {
    await this.container(taskId).remove({ force: true }).catch(ignoreGone);
    this.containerIds.delete(taskId);
  }

  private container(taskId: string): Dockerode.Container {
    return this.options.docker.getContainer(this.containerIds.get(taskId) ?? taskId);
  }
}

function runtimeTaskOf(info: Dockerode.ContainerInspectInfo): RuntimeTask {
  const lastStatus = taskStatusOf(info.State.Status);
  const health = info.State.Health?.Status;
  const ip = Object.values(info.NetworkSettings.Networks ?? {}).find(({ IPAddress }) => IPAddress)?.IPAddress;
  return {
    taskId: taskIdOf(info.Id),
    lastStatus,
    healthStatus: health === 'healthy' ? 'HEALTHY' : health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN',
    ip: lastStatus === 'STOPPED' ? undefined : ip || undefined,
    startedAt: dockerTime(info.State.StartedAt),
    exitCode: lastStatus === 'STOPPED' ? info.State.ExitCode : undefined,
  };
}

/** A container removed in the meantime is no task any more. */
function ignoreGone(error: { statusCode?: number }): undefined {
  if (error.statusCode === 404 || error.statusCode === 304) return undefined;
  throw error;
}
