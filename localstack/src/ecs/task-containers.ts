/**
 * The api task containers of the local ECS service, read from the Docker API: the compose
 * replicas of one service stand for the service's tasks.
 */
import { hostname } from 'node:os';
import type Dockerode from 'dockerode';

/** A compose service, named by the labels compose v1 and v2 both put on its containers. */
export interface ComposeService {
  readonly project: string;
  readonly service: string;
}

/** ECS's task `lastStatus`, reduced to what a container's state can tell. */
export type TaskStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

export interface TaskContainer {
  readonly containerId: string;
  /** Like an ECS task id: 32 lowercase hex characters, the start of the container id. */
  readonly taskId: string;
  readonly lastStatus: TaskStatus;
  /** When the container last started; a restart of the same container changes it. */
  readonly startedAt?: Date;
  readonly stoppedAt?: Date;
}

/** ECS keeps a stopped task visible for about an hour. */
export const STOPPED_TASK_VISIBILITY_MS = 60 * 60 * 1000;

export class TaskContainerError extends Error {
  override readonly name = 'TaskContainerError';
}

/** The task id ECS would show for a container: the first 32 hex characters of its id. */
export function taskIdOf(containerId: string): string {
  const id = containerId.toLowerCase();
  if (!/^[0-9a-f]{32,}$/.test(id)) {
    throw new TaskContainerError(
      `${containerId} is not a full Docker container id (64 hex characters): pass the Id the Docker API returns`,
    );
  }
  return id.slice(0, 32);
}

/** Maps Docker's `State.Status` to the ECS status of the task the container stands for. */
export function taskStatusOf(dockerStatus: string): TaskStatus {
  switch (dockerStatus) {
    case 'running':
    // A paused task still holds its resources and answers again once unpaused.
    case 'paused':
      return 'RUNNING';
    case 'created':
    // The restart policy is about to start it: ECS would be starting a replacement.
    case 'restarting':
      return 'PENDING';
    default:
      return 'STOPPED';
  }
}

/**
 * The inspected containers of the service's replicas, in replica order. One-off containers
 * (`compose run`) carry the service's labels but are not its tasks; a container removed between
 * listing and inspecting is left out.
 */
export async function inspectReplicas(
  docker: Dockerode,
  { project, service }: ComposeService,
): Promise<Dockerode.ContainerInspectInfo[]> {
  const listed = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] },
  });
  const replicas = listed
    .filter((container) => container.Labels['com.docker.compose.oneoff']?.toLowerCase() !== 'true')
    .sort((a, b) => replicaNumber(a.Labels) - replicaNumber(b.Labels) || a.Id.localeCompare(b.Id));
  const inspected = await Promise.all(replicas.map((container) => inspectIfPresent(docker, container.Id)));
  return inspected.filter((info): info is Dockerode.ContainerInspectInfo => info !== undefined);
}

/** The service's running, pending and recently stopped task containers, in replica order. */
export async function listTaskContainers(
  docker: Dockerode,
  compose: ComposeService,
  now: Date = new Date(),
): Promise<TaskContainer[]> {
  return (await inspectReplicas(docker, compose))
    .map(taskContainerOf)
    .filter(
      (task) =>
        task.stoppedAt === undefined ||
        now.getTime() - task.stoppedAt.getTime() <= STOPPED_TASK_VISIBILITY_MS,
    );
}

/** compose's replica number; containers without one come last. */
export function replicaNumber(labels: Record<string, string> | undefined): number {
  const number = Number(labels?.['com.docker.compose.container-number']);
  return Number.isInteger(number) ? number : Number.MAX_SAFE_INTEGER;
}

async function inspectIfPresent(
  docker: Dockerode,
  containerId: string,
): Promise<Dockerode.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(containerId).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

function taskContainerOf(info: Dockerode.ContainerInspectInfo): TaskContainer {
  const lastStatus = taskStatusOf(info.State.Status);
  return {
    containerId: info.Id,
    taskId: taskIdOf(info.Id),
    lastStatus,
    startedAt: dockerTime(info.State.StartedAt),
    stoppedAt: lastStatus === 'STOPPED' ? dockerTime(info.State.FinishedAt) : undefined,
  };
}

/** Docker reports "never" as the zero time, 0001-01-01T00:00:00Z. */
export function dockerTime(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The compose project this container belongs to, which the task replicas share. */
export async function ownComposeService(docker: Dockerode, service: string): Promise<ComposeService> {
  let labels: Record<string, string>;
  try {
    labels = (await docker.getContainer(hostname()).inspect()).Config.Labels ?? {};
  } catch (error) {
    throw new Error(
      `cannot inspect this container through the Docker API (${(error as Error).message}): mount /var/run/docker.sock`,
    );
  }
  const project = labels['com.docker.compose.project'];
  if (!project) throw new Error('this container has no compose project label: run it with docker compose');
  return { project, service };
}
