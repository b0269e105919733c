/**
 * The ECS service end to end on the local platform: the scheduler keeps the desired count,
 * replaces a killed and a hung task, and target tracking scales the service out under CPU load
 * and back in once the load is gone, with steady traffic through the ALB throughout. Every
 * measured time is printed beside the bound that ECS's and the profile's timings give.
 */
import { execFileSync } from 'node:child_process';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { PROFILES, platformNames } from '@zama/infra';
import { type alb, selectEmulator } from '@zama/localstack';
import { emulatorClientConfig } from '../src/aws';
import { describeWithImages } from '../src/docker';
import { setFault } from '../src/faults';
import {
  demoApiKey,
  hasHealthyTasks,
  type LocalPlatform,
  platformImages,
  startLocalPlatform,
  taskIp,
} from '../src/local-platform';
import { healthCheckSettings, secondsUntil, steadyTraffic, untilHealthyTargets } from '../src/traffic';

const emulator = selectEmulator();
const { service } = PROFILES.local;
const names = platformNames(PROFILES.local.prefix);
// Polling, the scheduler's one-second rounds and a shared machine.
const SLACK_SECONDS = 5;
/** The monitor publishes task utilization every 5 s and evaluates alarms five times a period. */
const TELEMETRY_SECONDS = 5;

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const report = (what: string, seconds: number, boundSeconds: number) =>
  process.stdout.write(
    `  [scheduler] ${what}: ${seconds.toFixed(1)} s (bound ${boundSeconds.toFixed(1)} s)\n`,
  );

interface DescribedService {
  desiredCount: number;
  runningCount: number;
  events: Array<{ message: string }>;
}

describeWithImages([emulator.image, platformImages().api, platformImages().node])(
  `ECS service scheduler (${emulator.name})`,
  () => {
    let platform: LocalPlatform;
    let healthCheck: alb.HealthCheckSettings;
    let apiKey: string;

    const described = async (): Promise<DescribedService> =>
      ((await (await fetch(`${platform.schedulerUrl}/services`)).json()) as { services: DescribedService[] })
        .services[0] as DescribedService;
    const healthyTasks = (count: number) => hasHealthyTasks(platform, count);

    beforeAll(async () => {
      platform = await startLocalPlatform(emulator);
      healthCheck = await healthCheckSettings(platform.adminUrl);
      apiKey = await demoApiKey(platform, names.secrets.apiKeys);
      await untilHealthyTargets(platform.adminUrl, service.minCount);
    });

    afterAll(async () => {
      await platform?.down();
    });

    it('replaces a killed task, and its new target is healthy within ECS timing', async () => {
      const traffic = steadyTraffic(`${platform.albUrl}/healthz/live`, 2);
      const [task] = platform.apiTasks() as [string];
      const killed = Date.now();
      docker('kill', task);
      const replaced = await secondsUntil(
        async () => !platform.apiTasks().includes(task) && (await healthyTasks(2)),
        60_000,
        'killed task replaced',
      );
      await traffic.stop();
      // A round to notice, the container's start, then HealthyThresholdCount checks.
      const bound = 1 + healthCheck.healthyThresholdCount * healthCheck.intervalSeconds + SLACK_SECONDS;
      report('killed task replaced, new target healthy', replaced, bound);
      expect((Date.now() - killed) / 1000).toBeLessThanOrEqual(bound + SLACK_SECONDS);
      expect(replaced).toBeLessThanOrEqual(bound);
      const { events } = await described();
      expect(events.map(({ message }) => message)).toContain(
        `(service ${names.apiService}) has stopped 1 running tasks: (task ${task.slice(0, 32)}).`,
      );
    });

    it('replaces a hung task after unhealthy threshold x interval, plus the grace period', async () => {
      const [task] = platform.apiTasks() as [string];
      docker('pause', task);
      try {
        const replaced = await secondsUntil(
          async () => !platform.apiTasks().includes(task),
          90_000,
          'hung task replaced',
        );
        const bound =
          healthCheck.unhealthyThresholdCount * healthCheck.intervalSeconds +
          healthCheck.timeoutSeconds +
          service.containerHealthCheck.startPeriodSeconds +
          // The replacement starts first and must be healthy before the hung task stops.
          healthCheck.healthyThresholdCount * healthCheck.intervalSeconds +
          SLACK_SECONDS;
        report('hung task replaced', replaced, bound);
        expect(replaced).toBeLessThanOrEqual(bound);
      } finally {
        if (platform.apiTasks().includes(task)) docker('unpause', task);
      }
      await secondsUntil(() => healthyTasks(2), 60_000, 'two healthy tasks');
    });

    it('scales out to the maximum under CPU load, each new task registered and healthy', async () => {
      const loaded = platform.apiTasks();
      const started = Date.now();
      setFault(loaded, apiKey, 'cpu', 95);
      const scaledOut = await secondsUntil(
        async () =>
          (await described()).desiredCount === service.maxCount && (await healthyTasks(service.maxCount)),
        180_000,
        `${service.maxCount} healthy tasks`,
      );
      // AlarmHigh's 3 periods, the telemetry and alarm rounds, then a new task to healthy.
      const period = service.scaling.localAlarmPeriodSeconds ?? 60;
      const bound =
        3 * period +
        period +
        TELEMETRY_SECONDS +
        healthCheck.healthyThresholdCount * healthCheck.intervalSeconds +
        SLACK_SECONDS;
      report(`scaled out to ${service.maxCount} tasks`, scaledOut, bound);
      expect(scaledOut).toBeLessThanOrEqual(bound);
      const activities = (await (await fetch(`${platform.schedulerUrl}/scaling-activities`)).json()) as {
        ScalingActivities: Array<{ Description: string; Cause: string }>;
      };
      expect(activities.ScalingActivities[0]).toMatchObject({
        Description: `Setting desired count to ${service.maxCount}.`,
        Cause: expect.stringMatching(
          /monitor alarm TargetTracking-service\/.+-AlarmHigh-.+ in state ALARM triggered policy/,
        ),
      });
      process.stdout.write(
        `  [scheduler] load applied ${((Date.now() - started) / 1000).toFixed(1)} s ago\n`,
      );
      if (emulator.servesEcs) {
        // The emulator's own ECS API follows the scheduler's desired count.
        const { services = [] } = await new ECSClient(emulatorClientConfig(platform.emulatorEndpoint)).send(
          new DescribeServicesCommand({ cluster: names.cluster, services: [names.apiService] }),
        );
        expect(services[0]?.desiredCount).toBe(service.maxCount);
      }
      // Every task, those the scheduler started too, answers to the Cloud Map name.
      const discovered = docker(
        'exec',
        platform.alb(),
        'node',
        '-e',
        `require('dns').lookup('api.${names.serviceDiscoveryNamespace}',{all:true},(e,a)=>{if(e)throw e;console.log(a.map(x=>x.address).sort().join(' '))})`,
      );
      expect(discovered).toBe(platform.apiTasks().map(taskIp).sort().join(' '));
      setFault(
        loaded.filter((task) => platform.apiTasks().includes(task)),
        apiKey,
        'none',
      );
    });

    it('scales back in to the minimum once the load stops and the cooldown passes, without a failed request', async () => {
      const traffic = steadyTraffic(`${platform.albUrl}/healthz/live`, 2, {}, 50);
      let result: { sent: number; failures: string[] } | undefined;
      try {
        const scaledIn = await secondsUntil(
          async () =>
            (await described()).desiredCount === service.minCount && (await healthyTasks(service.minCount)),
          420_000,
          `back to ${service.minCount} tasks`,
        );
        const period = service.scaling.localAlarmPeriodSeconds ?? 60;
        // AlarmLow's 15 periods (the load's datapoints leave first), the cooldown, the drain.
        const bound =
          18 * period +
          service.scaling.scaleInCooldownSeconds +
          service.deregistrationDelaySeconds +
          30 +
          SLACK_SECONDS;
        report(`scaled in to ${service.minCount} tasks`, scaledIn, bound);
        expect(scaledIn).toBeLessThanOrEqual(bound);
      } finally {
        result = await traffic.stop();
      }
      process.stdout.write(
        `  [scheduler] ${result.sent} requests during the scale-in, ${result.failures.length} failed\n`,
      );
      expect(result.failures).toEqual([]);
      expect(result.sent).toBeGreaterThan(100);
    });
  },
);
