import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListenError } from '../../src/alb/listen';
import type { SimulatedAlb } from '../../src/alb/simulated-alb';
import { EnvironmentError, startFromEnvironment } from '../../src/alb/start';
import { adminEnvironment, freePort, httpRequest, type RunningServer, startServer } from './helpers';

const FIXTURE = join(__dirname, 'fixtures', 'cdk.out');

describe('startFromEnvironment', () => {
  let alb: SimulatedAlb | undefined;
  let occupied: RunningServer | undefined;

  beforeEach(() => {
    // the running ALB logs its diagnostics to stderr; keep the test output readable
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    await alb?.stop();
    await occupied?.close();
    alb = undefined;
    occupied = undefined;
    jest.restoreAllMocks();
  });

  it('requires CLOUD_ASSEMBLY_DIR and says where it comes from', async () => {
    await expect(startFromEnvironment({})).rejects.toThrow(
      new EnvironmentError(
        'CLOUD_ASSEMBLY_DIR is not set: point it at the synthesized CDK app (infra/cdk.out, made by `make synth`)',
      ),
    );
  });

  it('starts from the cloud assembly, listening where LISTEN_PORT and ADMIN_PORT say', async () => {
    const [listenPort, adminPort] = [await freePort(), await freePort()];
    alb = await startFromEnvironment({
      CLOUD_ASSEMBLY_DIR: FIXTURE,
      ...adminEnvironment(),
      TARGET_HOST: 'localhost',
      LISTEN_PORT: String(listenPort),
      ADMIN_PORT: String(adminPort),
    });

    expect(alb.listenerAddress.port).toBe(listenPort);
    const settings = JSON.parse((await httpRequest(adminPort, { path: '/settings' })).body);
    // LISTEN_PORT moves the listener; everything else comes from the templates
    expect(settings.listener.port).toBe(listenPort);
    expect(settings.targetGroup.healthCheck.path).toBe('/healthz');
    expect(alb.registry.describe().map((target) => `${target.id}:${target.port}`)).toEqual([
      '127.0.0.1:8080',
    ]);
  });

  it('turns a port in use into one line saying what to do', async () => {
    occupied = await startServer(() => undefined);
    await expect(
      startFromEnvironment({
        CLOUD_ASSEMBLY_DIR: FIXTURE,
        ...adminEnvironment(),
        LISTEN_PORT: String(occupied.port),
        ADMIN_PORT: String(await freePort()),
      }),
    ).rejects.toThrow(
      new ListenError(
        `Port ${occupied.port} is already in use: stop whatever listens on it, or set LISTEN_PORT to a free port`,
      ),
    );
  });

  it('names ADMIN_PORT when the admin port is taken, and frees the listener port again', async () => {
    occupied = await startServer(() => undefined);
    const listenPort = await freePort();
    await expect(
      startFromEnvironment({
        CLOUD_ASSEMBLY_DIR: FIXTURE,
        ...adminEnvironment(),
        LISTEN_PORT: String(listenPort),
        ADMIN_PORT: String(occupied.port),
      }),
    ).rejects.toThrow(
      `Port ${occupied.port} is already in use: stop whatever listens on it, or set ADMIN_PORT`,
    );
    const probe = await startServer(() => undefined, '0.0.0.0', listenPort);
    await probe.close();
  });

  it.each<[string, (env: NodeJS.ProcessEnv) => void, string]>([
    [
      'no ADMIN_TOKEN_FILE',
      (env) => delete env.ADMIN_TOKEN_FILE,
      "ADMIN_TOKEN_FILE is not set: point it at the ALB's admin token (compose.yaml does; make local-up writes .local/alb-admin-token)",
    ],
    [
      'a token file that is not there',
      (env) => Object.assign(env, { ADMIN_TOKEN_FILE: '/nonexistent/token' }),
      'ADMIN_TOKEN_FILE=/nonexistent/token cannot be read: ENOENT',
    ],
    [
      'a token too short to guess at',
      (env) => writeFileSync(env.ADMIN_TOKEN_FILE as string, 'secret\n'),
      'holds no token of 16 characters or more; scripts/alb-admin-token.sh writes one',
    ],
    [
      'no TASKS_NETWORK_ALIAS',
      (env) => delete env.TASKS_NETWORK_ALIAS,
      "TASKS_NETWORK_ALIAS is not set: name the ALB's alias on the tasks network (compose.yaml gives it)",
    ],
    [
      'an alias that does not resolve',
      (env) => Object.assign(env, { TASKS_NETWORK_ALIAS: 'alb.tasks.invalid' }),
      "TASKS_NETWORK_ALIAS=alb.tasks.invalid: the ALB's alias on the tasks network, alb.tasks.invalid, does not resolve",
    ],
  ])('refuses to start with %s, saying what to set', async (_case, change, message) => {
    const env: NodeJS.ProcessEnv = { CLOUD_ASSEMBLY_DIR: FIXTURE, ...adminEnvironment() };
    change(env);
    const started = startFromEnvironment(env);
    await expect(started).rejects.toThrow(EnvironmentError);
    await expect(started).rejects.toThrow(message);
  });

  it('rejects a port that is not a number', async () => {
    await expect(
      startFromEnvironment({ CLOUD_ASSEMBLY_DIR: FIXTURE, ...adminEnvironment(), ADMIN_PORT: 'eighty' }),
    ).rejects.toThrow('ADMIN_PORT=eighty is not a port number (0-65535)');
  });
});
