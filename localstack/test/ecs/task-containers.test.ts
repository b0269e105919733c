import type Dockerode from 'dockerode';
import {
  listTaskContainers,
  STOPPED_TASK_VISIBILITY_MS,
  taskIdOf,
  taskStatusOf,
} from '../../src/ecs/task-containers';

const CONTAINER_ID = '4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a';

describe('taskIdOf', () => {
  it('is the first 32 hex characters of the container id, like an ECS task id', () => {
    expect(taskIdOf(CONTAINER_ID)).toBe('4f1c2b3a9d8e7f6a5b4c3d2e1f0a9b8c');
  });

  it('is the same for the same container whatever the case of its id', () => {
    expect(taskIdOf(CONTAINER_ID.toUpperCase())).toBe(taskIdOf(CONTAINER_ID));
  });

  it.each([['4f1c2b3a9d8e'], ['api-1'], ['']])('refuses %j, which is no full container id', (id) => {
    expect(() => taskIdOf(id)).toThrow('is not a full Docker container id');
  });
});

describe('taskStatusOf', () => {
  it.each([
    ['created', 'PENDING'],
    ['restarting', 'PENDING'],
    ['running', 'RUNNING'],
    ['paused', 'RUNNING'],
    ['removing', 'STOPPED'],
    ['exited', 'STOPPED'],
    ['dead', 'STOPPED'],
  ])('maps Docker state %s to %s', (state, status) => {
    expect(taskStatusOf(state)).toBe(status);
  });
});

describe('listTaskContainers', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const id = (digit: string) => digit.repeat(64);

  interface FakeContainer {
    readonly id: string;
    readonly labels: Record<string, string>;
    readonly status: string;
    readonly startedAt: string;
    readonly finishedAt: string;
  }

  function fakeDocker(containers: FakeContainer[], removedBeforeInspect: string[] = []) {
    const listCalls: unknown[] = [];
    const docker = {
      listContainers: async (options: unknown) => {
        listCalls.push(options);
        return containers.map((container) => ({ Id: container.id, Labels: container.labels }));
      },
      getContainer: (containerId: string) => ({
        inspect: async () => {
          if (removedBeforeInspect.includes(containerId)) {
            throw Object.assign(new Error('no such container'), { statusCode: 404 });
          }
          const container = containers.find((candidate) => candidate.id === containerId) as FakeContainer;
          return {
            Id: container.id,
            State: {
              Status: container.status,
              StartedAt: container.startedAt,
              FinishedAt: container.finishedAt,
            },
          };
        },
      }),
    } as unknown as Dockerode;
    return { docker, listCalls };
  }

  const replica = (
    digit: string,
    number: string,
    status: string,
    finishedAt = '0001-01-01T00:00:00Z',
  ): FakeContainer => ({
    id: id(digit),
    labels: { 'com.docker.compose.container-number': number, 'com.docker.compose.oneoff': 'False' },
    status,
    startedAt: minutesAgo(90),
    finishedAt,
  });

  it("asks Docker for every container with the compose project's and service's labels", async () => {
    const { docker, listCalls } = fakeDocker([]);
    await listTaskContainers(docker, { project: 'zama', service: 'api' }, now);
    expect(listCalls).toEqual([
      {
        all: true,
        filters: { label: ['com.docker.compose.project=zama', 'com.docker.compose.service=api'] },
      },
    ]);
  });

  it('returns the replicas in replica order with their task id, status and times', async () => {
    const { docker } = fakeDocker([replica('b', '2', 'exited', minutesAgo(5)), replica('a', '1', 'running')]);
    expect(await listTaskContainers(docker, { project: 'zama', service: 'api' }, now)).toEqual([
      {
        containerId: id('a'),
        taskId: 'a'.repeat(32),
        lastStatus: 'RUNNING',
        startedAt: new Date(minutesAgo(90)),
        stoppedAt: undefined,
      },
      {
        containerId: id('b'),
        taskId: 'b'.repeat(32),
        lastStatus: 'STOPPED',
        startedAt: new Date(minutesAgo(90)),
        stoppedAt: new Date(minutesAgo(5)),
      },
    ]);
  });

  it('leaves out tasks stopped longer ago than ECS shows them', async () => {
    const visibleMinutes = STOPPED_TASK_VISIBILITY_MS / 60_000;
    const { docker } = fakeDocker([
      replica('a', '1', 'exited', minutesAgo(visibleMinutes - 1)),
      replica('b', '2', 'exited', minutesAgo(visibleMinutes + 1)),
    ]);
    const tasks = await listTaskContainers(docker, { project: 'zama', service: 'api' }, now);
    expect(tasks.map((task) => task.containerId)).toEqual([id('a')]);
  });

  it('leaves out one-off containers (compose run) and containers removed while listing', async () => {
    const oneOff = { ...replica('c', '1', 'running'), labels: { 'com.docker.compose.oneoff': 'True' } };
    const { docker } = fakeDocker(
      [replica('a', '1', 'running'), replica('b', '2', 'running'), oneOff],
      [id('b')],
    );
    const tasks = await listTaskContainers(docker, { project: 'zama', service: 'api' }, now);
    expect(tasks.map((task) => task.containerId)).toEqual([id('a')]);
  });
});
