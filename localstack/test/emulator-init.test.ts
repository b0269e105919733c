import { existsSync, readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';
import { selectEmulator } from '../src/emulator';
import {
  ALARMS_HOOK,
  EMULATOR_INIT_DIR,
  START_HOOKS_PATH,
  verifyAlarmsLeftToMonitor,
} from '../src/emulator-init';
import { type RunningServer, startServer } from './alb/helpers';

const localstack = selectEmulator({ AWS_EMULATOR: 'localstack' });
const repoRoot = join(__dirname, '..', '..');

/** An endpoint answering /_localstack/init as LocalStack 4.14.0 does, with `scripts`. */
const initScripts =
  (scripts: Array<{ name: string; state: string }>): RequestListener =>
  (request, response) => {
    if (request.url !== '/_localstack/init') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        completed: { BOOT: true, START: true, READY: true, SHUTDOWN: false },
        scripts: scripts.map((script) => ({ stage: 'START', ...script })),
      }),
    );
  };

describe('verifyAlarmsLeftToMonitor', () => {
  let server: RunningServer | undefined;
  const endpointAnswering = async (handler: RequestListener) => {
    server = await startServer(handler);
    return `http://${server.host}:${server.port}`;
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('passes when LocalStack reports the hook ran successfully', async () => {
    const endpoint = await endpointAnswering(initScripts([{ name: ALARMS_HOOK, state: 'SUCCESSFUL' }]));
    await expect(verifyAlarmsLeftToMonitor(localstack, endpoint)).resolves.toBeUndefined();
  });

  it('says how to mount the hook when LocalStack has not loaded it', async () => {
    const endpoint = await endpointAnswering(initScripts([{ name: 'seed.sh', state: 'SUCCESSFUL' }]));
    await expect(verifyAlarmsLeftToMonitor(localstack, endpoint)).rejects.toThrow(
      /has not loaded the start hook leave-alarms-to-the-monitor\.py: mount localstack\/emulator-init at \/etc\/localstack\/init\/start\.d/,
    );
  });

  it('points at the emulator log when the hook failed', async () => {
    const endpoint = await endpointAnswering(initScripts([{ name: ALARMS_HOOK, state: 'ERROR' }]));
    await expect(verifyAlarmsLeftToMonitor(localstack, endpoint)).rejects.toThrow(
      /is ERROR, not SUCCESSFUL: .*docker compose logs emulator/,
    );
  });

  it('says the endpoint did not answer like LocalStack when it is something else', async () => {
    const endpoint = await endpointAnswering((_, response) => response.writeHead(404).end());
    await expect(verifyAlarmsLeftToMonitor(localstack, endpoint)).rejects.toThrow(
      /cannot ask localstack which start hooks it ran \(GET http:\/\/127\.0\.0\.1:\d+\/_localstack\/init: HTTP 404\)/,
    );
  });

  it('asks nothing of moto, which neither evaluates alarms nor applies metric filters', async () => {
    await expect(
      verifyAlarmsLeftToMonitor(selectEmulator({ AWS_EMULATOR: 'moto' }), 'http://127.0.0.1:9'),
    ).resolves.toBeUndefined();
  });
});

describe('the emulator service of compose.yaml', () => {
  it('mounts the hook where LocalStack runs start hooks', () => {
    const compose = parse(readFileSync(join(repoRoot, 'compose.yaml'), 'utf8'), { merge: true });
    expect(compose.services.emulator.volumes).toContain(`./localstack/emulator-init:${START_HOOKS_PATH}:ro`);
    expect(join(repoRoot, 'localstack', 'emulator-init')).toBe(EMULATOR_INIT_DIR);
    expect(existsSync(join(EMULATOR_INIT_DIR, ALARMS_HOOK))).toBe(true);
  });
});
