/**
 * Health checks end to end on the local platform (compose.yaml): requests reach the api tasks
 * through the simulated ALB, and the ALB notices a failing task within the thresholds of the
 * target group the CDK app defines, as AWS would.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { PROFILES, platformNames } from '@zama/infra';
import { type alb, DEFAULT_ROLLING_RESTART, rollingRestart, selectEmulator } from '@zama/localstack';
import { describeWithImages } from '../src/docker';
import { setFault } from '../src/faults';
import {
  adminToken,
  demoApiKey,
  hasHealthyTasks,
  type LocalPlatform,
  platformImages,
  startLocalPlatform,
  taskIp,
} from '../src/local-platform';
import {
  failedRequests,
  healthCheckSettings,
  secondsUntil,
  steadyTraffic,
  targetHealth,
  untilHealthyTargets,
} from '../src/traffic';

const emulator = selectEmulator();
const execFileAsync = promisify(execFile);
// Polling granularity and scheduling noise on a shared machine.
const SLACK_SECONDS = 1.5;

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
/** Prints a measured latency next to its bound, for the run's log. */
const report = (what: string, seconds: number, boundSeconds: number) =>
  process.stdout.write(`  [health] ${what}: ${seconds.toFixed(1)} s (bound ${boundSeconds.toFixed(1)} s)\n`);

/**
 * GET url from inside a container: the status code, or why there is none (`timeout`,
 * `ECONNREFUSED`, ...). Asynchronous: a probe can take seconds, and a blocked event loop would
 * keep connections the admin endpoint has since closed in fetch's pool.
 */
const statusFrom = async (containerId: string, url: string) =>
  (
    await execFileAsync(
      'docker',
      [
        'exec',
        containerId,
        'node',
        '-e',
        `require('http').get(${JSON.stringify(url)},{timeout:2000},r=>{console.log(r.statusCode);process.exit(0)})` +
          ".on('timeout',()=>{console.log('timeout');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})",
      ],
      { encoding: 'utf8' },
    )
  ).stdout.trim();
/** The status codes a task's own liveness and readiness endpoints answer, asked from inside it. */
const probeStatuses = (containerId: string): { live: number; ready: number } =>
  JSON.parse(
    docker(
      'exec',
      containerId,
      'node',
      '-e',
      "Promise.all(['live','ready'].map(p=>fetch('http://127.0.0.1:8080/healthz/'+p).then(r=>r.status))).then(([live,ready])=>console.log(JSON.stringify({live,ready})))",
    ),
  );
const stateOf = async (adminUrl: string, ip: string) =>
  (await targetHealth(adminUrl)).find((target) => target.Target.Id === ip)?.TargetHealth.State ?? 'absent';

describeWithImages([emulator.image, platformImages().api, platformImages().node])(
  `local platform health (${emulator.name})`,
  () => {
    let platform: LocalPlatform;
    let healthCheck: alb.HealthCheckSettings;
    let apiKey: string;

    beforeAll(async () => {
      platform = await startLocalPlatform(emulator);
      healthCheck = await healthCheckSettings(platform.adminUrl);
      apiKey = await demoApiKey(platform, platformNames(PROFILES.local.prefix).secrets.apiKeys);
      // Both tasks registered and healthy before the scenarios start.
      await untilHealthyTargets(platform.adminUrl, 2);
    });

    afterAll(async () => {
      await platform?.down();
    });

    /** Two running tasks, both registered and healthy: what the scheduler returns to after each scenario. */
    const untilSteady = () =>
      secondsUntil(() => hasHealthyTasks(platform, 2), 120_000, 'two healthy tasks again');

    it('answers through the ALB with a task behind it, with the key from Secrets Manager', async () => {
      const health = await fetch(`${platform.albUrl}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'healthy' });
      expect(health.headers.get('x-request-id')).toBeTruthy();

      const sum = await fetch(`${platform.albUrl}/api/v1/sum`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ numbers: [1.5, 2.5, 3] }),
      });
      expect(sum.status).toBe(200);
      expect(await sum.json()).toMatchObject({ sum: 7, count: 3 });

      const anonymous = await fetch(`${platform.albUrl}/api/v1/sum`, { method: 'POST', body: '{}' });
      expect(anonymous.status).toBe(401);
    });

    it('reports healthy container health checks for every task', () => {
      for (const task of platform.apiTasks()) {
        expect(docker('inspect', '-f', '{{.State.Health.Status}}', task)).toBe('healthy');
      }
    });

    it('lets other containers reach the api tasks only through the ALB, and the tasks reach nothing', async () => {
      // The monitor stands for anything else in the VPC: it shares a network with the ALB only.
      const monitor = platform.monitor().getId();
      const task = platform.apiTasks()[0] as string;
      expect(await statusFrom(monitor, 'http://alb:8080/healthz/live')).toBe('200');
      expect(await statusFrom(monitor, `http://${taskIp(task)}:8080/healthz/live`)).toMatch(
        /^(timeout|E[A-Z]+)$/,
      );
      expect(await statusFrom(task, `http://emulator:${emulator.port}/`)).toMatch(/^(timeout|E[A-Z]+)$/);
    });

    it('keeps the ALB admin endpoint out of the tasks reach, and its mutations behind the token', async () => {
      const task = platform.apiTasks()[0] as string;
      const monitor = platform.monitor().getId();
      // From a task, both of the ALB's names lead to its tasks-network address, where the
      // listener answers and the admin endpoint does not listen.
      expect(await statusFrom(task, 'http://alb:8080/healthz/live')).toBe('200');
      for (const host of ['alb', 'alb.tasks.internal']) {
        expect(await statusFrom(task, `http://${host}:8081/targets`)).toBe('ECONNREFUSED');
      }
      expect(await statusFrom(monitor, 'http://alb:8081/targets')).toBe('200');

      const deregister = (body: unknown, token?: string) =>
        fetch(`${platform.adminUrl}/targets/deregister`, {
          method: 'POST',
          headers: token ? { Authorization: `Bearer ${token}` } : {},
          body: JSON.stringify(body),
        }).then(async (response) => ({ status: response.status, body: await response.json() }));
      const ip = taskIp(task);
      expect(await deregister({ Targets: [{ Id: ip }] })).toEqual({
        status: 403,
        body: { Error: expect.objectContaining({ Code: 'MissingAuthenticationToken' }) },
      });
      expect(await deregister({ Targets: [{ Id: '169.254.169.254' }] }, adminToken())).toEqual({
        status: 400,
        body: { Error: expect.objectContaining({ Code: 'InvalidTarget' }) },
      });
      expect(await stateOf(platform.adminUrl, ip)).toBe('healthy');
    });

    it('spreads requests over both healthy targets', async () => {
      const ips = platform.apiTasks().map(taskIp);
      expect((await targetHealth(platform.adminUrl)).map((t) => t.Target.Id).sort()).toEqual([...ips].sort());
      expect(await failedRequests(`${platform.albUrl}/healthz/live`, 20)).toEqual([]);
    });

    it('restarts every task one by one under steady traffic without losing a request', async () => {
      const traffic = steadyTraffic(`${platform.albUrl}/`, 4);
      const started = Date.now();
      try {
        await rollingRestart({
          ...DEFAULT_ROLLING_RESTART,
          schedulerUrl: platform.schedulerUrl,
          log: (line) => process.stdout.write(`  [restart] ${line}\n`),
        });
      } finally {
        const { sent, failures } = await traffic.stop();
        process.stdout.write(
          `  [restart] ${sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} failed\n`,
        );
        expect(failures).toEqual([]);
        expect(sent).toBeGreaterThan(100);
      }
    });

    it('marks a hung task unhealthy within its thresholds, keeps serving, and the scheduler replaces it', async () => {
      await untilSteady();
      const [task] = platform.apiTasks() as [string];
      const ip = taskIp(task);
      const { intervalSeconds, timeoutSeconds, unhealthyThresholdCount } = healthCheck;

      docker('pause', task);
      try {
        const detection = await secondsUntil(
          async () => (await stateOf(platform.adminUrl, ip)) === 'unhealthy',
          60_000,
          `target ${ip} unhealthy`,
        );
        const bound = unhealthyThresholdCount * intervalSeconds + timeoutSeconds;
        report('hung task marked unhealthy', detection, bound);
        expect(detection).toBeLessThanOrEqual(bound + SLACK_SECONDS);
        expect(await failedRequests(`${platform.albUrl}/healthz`, 30)).toEqual([]);
        await secondsUntil(
          async () => !platform.apiTasks().includes(task),
          90_000,
          `hung task ${ip} replaced`,
        );
      } finally {
        // Gone once replaced; still there if the replacement did not come.
        if (platform.apiTasks().includes(task)) docker('unpause', task);
      }
      await untilSteady();
    });

    it('replaces a stopped task with a new one, registered and healthy', async () => {
      const [, task] = platform.apiTasks() as [string, string];
      const ip = taskIp(task);
      const stopped = Date.now();
      docker('stop', task);
      await secondsUntil(
        async () => !['healthy', 'initial'].includes(await stateOf(platform.adminUrl, ip)),
        60_000,
        `stopped target ${ip} out of rotation`,
      );
      expect(await failedRequests(`${platform.albUrl}/healthz`, 30)).toEqual([]);
      await untilSteady();
      const replaced = (Date.now() - stopped) / 1000;
      // ECS's start of a replacement, the application's start, then the healthy threshold.
      const bound = healthCheck.healthyThresholdCount * healthCheck.intervalSeconds + 10;
      report('stopped task replaced and healthy', replaced, bound);
      expect(replaced).toBeLessThanOrEqual(bound + SLACK_SECONDS);
      expect(platform.apiTasks()).not.toContain(task);
    });

    it('keeps answering liveness but not readiness while a task drains after SIGTERM', async () => {
      const [task] = platform.apiTasks() as [string];
      expect(probeStatuses(task)).toEqual({ live: 200, ready: 200 });

      docker('kill', '--signal', 'TERM', task);
      // The api keeps its listener open for a few seconds of drain, long enough to ask it.
      expect(probeStatuses(task)).toEqual({ live: 200, ready: 503 });
      await untilSteady();
    });

    it('fails open to every task when all of them fail their health checks, until they are replaced', async () => {
      const tasks = platform.apiTasks();
      const ips = tasks.map(taskIp);
      setFault(tasks, apiKey, 'unhealthy');
      await secondsUntil(
        async () =>
          (await Promise.all(ips.map((ip) => stateOf(platform.adminUrl, ip)))).every(
            (s) => s === 'unhealthy' || s === 'absent' || s === 'draining',
          ),
        60_000,
        'every target unhealthy',
      );
      // As on AWS: with no healthy target, the load balancer routes to all of them anyway.
      expect(await failedRequests(`${platform.albUrl}/`, 20)).toEqual([]);
      // And the scheduler replaces them all: new tasks, healthy.
      await untilSteady();
      expect(platform.apiTasks().filter((task) => tasks.includes(task))).toEqual([]);
    });
  },
);
