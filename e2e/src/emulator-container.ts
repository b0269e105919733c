import { EMULATOR_INIT_DIR, type Emulator, START_HOOKS_PATH } from '@zama/localstack';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';

export interface RunningEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startEmulator(emulator: Emulator): Promise<RunningEmulator> {
  const container: StartedTestContainer = await new GenericContainer(emulator.image)
    .withExposedPorts(emulator.port)
    .withEnvironment({ ...emulator.environment })
    // The start hooks compose.yaml mounts too, so that this emulator behaves as the platform's.
    .withBindMounts([{ source: EMULATOR_INIT_DIR, target: START_HOOKS_PATH, mode: 'ro' }])
    .withLabels({ 'org.zama.e2e': 'true' })
    .withWaitStrategy(Wait.forHttp(emulator.healthPath, emulator.port).forStatusCode(200))
    .withStartupTimeout(120_000)
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(emulator.port)}`,
    stop: async () => {
      await container.stop({ remove: true, removeVolumes: true });
    },
  };
}
