import { join } from 'node:path';
import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { type Diagnostic, type SimulatedAlb, startSimulatedAlb } from '../../src/alb/simulated-alb';
import { EnvironmentError, startFromEnvironment } from '../../src/alb/start';
import {
  adminEnvironment,
  freePort,
  httpRequest,
  loopbackAdmin,
  type RunningServer,
  startServer,
  startTargets,
  testSettings,
  waitFor,
} from './helpers';

const FIXTURE = join(__dirname, 'fixtures', 'cdk.out');
const DIMENSIONS = {
  loadBalancer: 'app/zama-api-platform-local-alb/50dc6c495c0c9188',
  targetGroup: 'targetgroup/zama-api-platform-local-tg/73e2d6bc24d8a067',
};

describe('metrics in the simulated ALB', () => {
  let alb: SimulatedAlb | undefined;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(() => {
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(async () => {
    await alb?.stop();
    alb = undefined;
    for (const close of closers.splice(0)) await close();
    jest.restoreAllMocks();
  });

  it('publishes the requests it served and its host counts, the last ones when it stops', async () => {
    const targets = await startTargets(1, () => (_, res) => res.end('ok'));
    closers.push(targets.close);
    const published: PutMetricDataCommandInput[] = [];
    const diagnostics: Diagnostic[] = [];
    const listenerPort = await freePort();
    alb = await startSimulatedAlb({
      settings: testSettings({ targetPort: targets.port, listenerPort }),
      targetHost: 'api',
      adminPort: 0,
      ...loopbackAdmin,
      listenHost: '127.0.0.1',
      discoveryIntervalSeconds: 0.05,
      resolve: async () => targets.ips,
      writeAccessLog: () => undefined,
      writeDiagnostic: (event) => diagnostics.push(event),
      metrics: {
        sink: { putMetricData: async (input) => published.push(input) },
        dimensions: DIMENSIONS,
        intervalSeconds: 10,
      },
    });
    const registry = alb.registry;
    await waitFor(() => registry.hostCounts().healthy === 1, 3000, 'a healthy target');

    for (let i = 0; i < 3; i += 1) expect((await httpRequest(listenerPort)).status).toBe(200);
    await alb.stop();
    alb = undefined;

    const data = published.flatMap((input) => input.MetricData ?? []);
    const requests = data.filter(
      (datum) => datum.MetricName === 'RequestCount' && datum.Dimensions?.length === 1,
    );
    expect(requests.reduce((sum, datum) => sum + (datum.StatisticValues?.Sum ?? 0), 0)).toBe(3);
    expect(data.filter((datum) => datum.MetricName === 'HealthyHostCount').at(-1)?.Value).toBe(1);
    expect(diagnostics.find((event) => event.event === 'started')?.metrics).toEqual({
      dimensions: DIMENSIONS,
      intervalSeconds: 10,
    });
  });

  describe('from the environment', () => {
    const BASE = { CLOUD_ASSEMBLY_DIR: FIXTURE, TARGET_HOST: 'localhost', ...adminEnvironment() };

    it.each<[string, NodeJS.ProcessEnv, string]>([
      [
        'one dimension without the other',
        { LOAD_BALANCER_FULL_NAME: DIMENSIONS.loadBalancer },
        'TARGET_GROUP_FULL_NAME is not set: metrics need both LOAD_BALANCER_FULL_NAME and TARGET_GROUP_FULL_NAME (unset both to publish no metrics)',
      ],
      [
        'an ARN for a full name',
        {
          LOAD_BALANCER_FULL_NAME: DIMENSIONS.loadBalancer,
          TARGET_GROUP_FULL_NAME: `arn:aws:elasticloadbalancing:us-east-1:000000000000:${DIMENSIONS.targetGroup}`,
        },
        `TARGET_GROUP_FULL_NAME=arn:aws:elasticloadbalancing:us-east-1:000000000000:${DIMENSIONS.targetGroup} is not a full name like targetgroup/<name>/<id> (the TargetGroupFullName attribute, not an ARN)`,
      ],
      [
        'no endpoint',
        { LOAD_BALANCER_FULL_NAME: DIMENSIONS.loadBalancer, TARGET_GROUP_FULL_NAME: DIMENSIONS.targetGroup },
        'Metrics need a CloudWatch endpoint: set METRICS_ENDPOINT_URL (or AWS_ENDPOINT_URL) to the emulator, e.g. http://emulator:4566',
      ],
      [
        'an interval that does not divide the alarm periods of the templates',
        {
          LOAD_BALANCER_FULL_NAME: DIMENSIONS.loadBalancer,
          TARGET_GROUP_FULL_NAME: DIMENSIONS.targetGroup,
          AWS_ENDPOINT_URL: 'http://emulator:4566',
          METRICS_INTERVAL_SECONDS: '3',
        },
        'METRICS_INTERVAL_SECONDS=3: Metrics interval 3 s does not divide the alarm periods of the templates (10 s): use a divisor of 10 s',
      ],
    ])('refuses %s with a line saying what to set', async (_, env, message) => {
      await expect(startFromEnvironment({ ...BASE, ...env })).rejects.toThrow(new EnvironmentError(message));
    });

    it('publishes to METRICS_ENDPOINT_URL when both dimensions are set', async () => {
      const bodies: string[] = [];
      const cloudWatch: RunningServer = await startServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => {
          body += chunk.toString('latin1');
        });
        req.on('end', () => {
          bodies.push(body);
          res.statusCode = 500;
          res.end();
        });
      });
      closers.push(cloudWatch.close);
      // The SDK takes credentials from the process environment, as in the running container.
      const saved = { ...process.env };
      closers.push(async () => {
        process.env = saved;
      });
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });

      alb = await startFromEnvironment({
        ...BASE,
        LISTEN_PORT: String(await freePort()),
        ADMIN_PORT: String(await freePort()),
        LOAD_BALANCER_FULL_NAME: DIMENSIONS.loadBalancer,
        TARGET_GROUP_FULL_NAME: DIMENSIONS.targetGroup,
        METRICS_ENDPOINT_URL: `http://127.0.0.1:${cloudWatch.port}`,
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      });
      await alb.stop();
      alb = undefined;

      expect(bodies.some((body) => body.includes('HealthyHostCount'))).toBe(true);
      expect(bodies.some((body) => body.includes(DIMENSIONS.targetGroup))).toBe(true);
    });
  });
});
