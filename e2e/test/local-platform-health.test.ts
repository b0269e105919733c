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
import { demoApiKey, type LocalPlatform, platformImages, startLocalPlatform } from '../src/local-platform';
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
const taskIp = (containerId: string) =>
  docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', containerId);
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
/** Whether the application inside a task answers its own health endpoint (false while the task is down). */
const taskAnswers = async (containerId: string) => {
  try {
    return (await statusFrom(containerId, 'http://127.0.0.1:8080/healthz/live')) === '200';
  } catch {
    return false;
  }
};
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
        expect(docker('inspect', '-f', '{{.State.Health.Status}}', task.getId())).toBe('healthy');
      }
    });

    it('lets other containers reach the api tasks only through the ALB, and the tasks reach nothing', async () => {
      // The monitor stands for anything else in the VPC: it shares a network with the ALB only.
      const monitor = platform.monitor().getId();
      const task = platform.apiTasks()[0].getId();
      expect(await statusFrom(monitor, 'http://alb:8080/healthz/live')).toBe('200');
      expect(await statusFrom(monitor, `http://${taskIp(task)}:8080/healthz/live`)).toMatch(
        /^(timeout|E[A-Z]+)$/,
      );
      expect(await statusFrom(task, `http://emulator:${emulator.port}/`)).toMatch(/^(timeout|E[A-Z]+)$/);
    });

    it('spreads requests over both healthy targets', async () => {
      const ips = platform.apiTasks().map((task) => taskIp(task.getId()));
      expect((await targetHealth(platform.adminUrl)).map((t) => t.Target.Id).sort()).toEqual([...ips].sort());
      expect(await failedRequests(`${platform.albUrl}/healthz/live`, 20)).toEqual([]);
    });

    it('restarts every task one by one under steady traffic without losing a request', async () => {
      const traffic = steadyTraffic(`${platform.albUrl}/`, 4);
      const started = Date.now();
      try {
        await rollingRestart({
          ...DEFAULT_ROLLING_RESTART,
          project: platform.project,
          adminUrl: platform.adminUrl,
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

    it('marks a hung task unhealthy within its thresholds, keeps serving, and recovers it', async () => {
      const [task] = platform.apiTasks();
      const ip = taskIp(task.getId());
      const { intervalSeconds, timeoutSeconds, unhealthyThresholdCount, healthyThresholdCount } = healthCheck;

      docker('pause', task.getId());
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
      } finally {
        docker('unpause', task.getId());
      }

      const recovery = await secondsUntil(
        async () => (await stateOf(platform.adminUrl, ip)) === 'healthy',
        60_000,
        `target ${ip} healthy again`,
      );
      report('resumed task healthy again', recovery, healthyThresholdCount * intervalSeconds);
      expect(recovery).toBeLessThanOrEqual(healthyThresholdCount * intervalSeconds + SLACK_SECONDS);
    });

    it('takes a stopped task out of rotation and registers it again when it restarts', async () => {
      const [, task] = platform.apiTasks();
      const ip = taskIp(task.getId());

      docker('stop', task.getId());
      await secondsUntil(
        async () => !['healthy', 'initial'].includes(await stateOf(platform.adminUrl, ip)),
        60_000,
        `stopped target ${ip} out of rotation`,
      );
      expect(await failedRequests(`${platform.albUrl}/healthz`, 30)).toEqual([]);

      docker('start', task.getId());
      const restartedIp = taskIp(task.getId());
      // The thresholds count from the moment the task's application answers, as on ECS, where
      // a task is registered once its container runs.
      await secondsUntil(
        async () => taskAnswers(task.getId()),
        60_000,
        `restarted task ${restartedIp} answering`,
      );
      const toHealthy = await secondsUntil(
        async () => (await stateOf(platform.adminUrl, restartedIp)) === 'healthy',
        60_000,
        `restarted target ${restartedIp} healthy`,
      );
      const bound = healthCheck.healthyThresholdCount * healthCheck.intervalSeconds;
      report('restarted task healthy after it answers', toHealthy, bound);
      expect(toHealthy).toBeLessThanOrEqual(bound + SLACK_SECONDS);
    });

    it('keeps answering liveness but not readiness while a task drains after SIGTERM', async () => {
      const [task] = platform.apiTasks();
      expect(probeStatuses(task.getId())).toEqual({ live: 200, ready: 200 });

      docker('kill', '--signal', 'TERM', task.getId());
      // The api keeps its listener open for a few seconds of drain, long enough to ask it.
      expect(probeStatuses(task.getId())).toEqual({ live: 200, ready: 503 });

      docker('wait', task.getId());
      docker('start', task.getId());
      const ip = taskIp(task.getId());
      // The ALB may still count the address healthy from before the exit: wait for the new process.
      await secondsUntil(async () => taskAnswers(task.getId()), 60_000, `restarted task ${ip} answering`);
      await secondsUntil(
        async () => (await stateOf(platform.adminUrl, ip)) === 'healthy',
        60_000,
        `${ip} healthy`,
      );
    });

    it('fails open to every task when all of them fail their health checks', async () => {
      const tasks = platform.apiTasks().map((task) => task.getId());
      const ips = tasks.map(taskIp);
      setFault(tasks, apiKey, 'unhealthy');
      try {
        await secondsUntil(
          async () =>
            (await Promise.all(ips.map((ip) => stateOf(platform.adminUrl, ip)))).every(
              (s) => s === 'unhealthy',
            ),
          60_000,
          'every target unhealthy',
        );
        // As on AWS: with no healthy target, the load balancer routes to all of them anyway.
        expect(await failedRequests(`${platform.albUrl}/`, 20)).toEqual([]);
        const health = await fetch(`${platform.albUrl}/healthz`);
        expect(health.status).toBe(503);
      } finally {
        setFault(tasks, apiKey, 'none');
      }
      await secondsUntil(
        async () =>
          (await Promise.all(ips.map((ip) => stateOf(platform.adminUrl, ip)))).every((s) => s === 'healthy'),
        60_000,
        'every target healthy again',
      );
    });
  },
);
