/**
 * Faults of the parts that stand in for AWS (compose.yaml), under tagged traffic through the ALB
 * with the api writing an error line per request: an emulator paused for FAULTS_PAUSE_SECONDS
 * (30 by default) and a killed monitor lose and repeat no log line, datapoint or notification;
 * a crashed simulated ALB comes back by itself with its targets healthy within the health-check
 * thresholds; and an emulator that restarts without its state is noticed by the monitor within
 * one alarm round, which says what to do instead of evaluating nothing.
 *
 * Each delivery case prints its counts: written, arrived, duplicated, late, dropped.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PROFILES, platformNames } from '@zama/infra';
import { selectEmulator } from '@zama/localstack';
import { emulatorClientConfig } from '../src/aws';
import {
  accessLogEntries,
  arrivedLines,
  compareDelivery,
  type DeliveryCounts,
  deployedNames,
  notificationsAndChanges,
  requestCountSum,
  taggedTraffic,
  writtenLines,
} from '../src/delivery';
import { describeWithImages } from '../src/docker';
import { setFault } from '../src/faults';
import {
  ALB_ADMIN_PORT,
  ALB_LISTENER_PORT,
  composeContainer,
  demoApiKey,
  type LocalPlatform,
  platformImages,
  startLocalPlatform,
} from '../src/local-platform';
import { healthCheckSettings, secondsUntil, targetHealth, untilHealthyTargets } from '../src/traffic';

const emulator = selectEmulator();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const report = (what: string, seconds: number, boundSeconds: number) =>
  process.stdout.write(`  [faults] ${what}: ${seconds.toFixed(1)} s (bound ${boundSeconds.toFixed(1)} s)\n`);

/** Where a container's port is published now: a restart may publish an ephemeral port anew. */
function publishedUrl(containerId: string, port: number): string {
  const [binding] = docker('port', containerId, String(port)).split('\n');
  return `http://${binding.replace('0.0.0.0', '127.0.0.1')}`;
}

/**
 * Kills a container's main process with SIGKILL, as the kernel's OOM killer would: a crash, which
 * the restart policy answers (a `docker kill` counts as stopping it by hand, which it does not).
 */
function crash(containerId: string, script: string): void {
  const kill =
    `const fs=require('fs');for(const p of fs.readdirSync('/proc').filter((d)=>/^\\d+$/.test(d)&&d!=='1')){` +
    `try{if(fs.readFileSync('/proc/'+p+'/cmdline','utf8').startsWith('node\\0'+${JSON.stringify(script)})&&Number(p)!==process.pid)process.kill(Number(p),'SIGKILL')}catch{}}`;
  try {
    docker('exec', containerId, 'node', '-e', kill);
  } catch {
    // The container may end, and this exec with it, before the exec reports back.
  }
}

const PLATFORM_LOST = '"event":"platform-lost"';

const PAUSE_SECONDS = Number(process.env.FAULTS_PAUSE_SECONDS ?? 30);
/**
 * After a fault ends, every line is in CloudWatch Logs within this: the shipper's retry backoff
 * (at most 5 s), its flush interval (1 s) and a batch's round trip.
 */
const DELIVERY_BOUND_MS = 10_000;
/** The ALB's metrics interval with the local profile's 10-second alarm periods. */
const METRICS_INTERVAL_MS = 5000;

const printCounts = (fault: string, counts: DeliveryCounts) =>
  process.stdout.write(
    `  [faults] ${fault}: written ${counts.written}, arrived ${counts.arrived}, duplicated ${counts.duplicated}, late ${counts.late}, dropped ${counts.dropped}` +
      ` (out of order ${counts.outOfOrder}, wrong timestamp ${counts.wrongTimestamp})\n`,
  );

/** Waits for the next boundary of the ALB's metrics intervals, plus a little; returns the boundary. */
async function nextInterval(): Promise<number> {
  const boundary = Math.ceil((Date.now() + 1) / METRICS_INTERVAL_MS) * METRICS_INTERVAL_MS;
  await sleep(boundary - Date.now() + 200);
  return boundary;
}

/** Resident memory of a container now, in MiB, as `docker stats` reports it. */
function memoryMiB(containerId: string): number {
  const usage = docker('stats', '--no-stream', '--format', '{{.MemUsage}}', containerId).split('/')[0].trim();
  const value = Number.parseFloat(usage);
  if (usage.endsWith('GiB')) return value * 1024;
  if (usage.endsWith('KiB')) return value / 1024;
  return value;
}

/** Both of a container's output streams: the platform's services log JSON lines on stderr. */
const containerLog = (containerId: string) =>
  execFileSync('sh', ['-c', 'docker logs "$0" 2>&1', containerId], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

const healthyTargets = async (adminUrl: () => string, count: number) => {
  try {
    return (
      (await targetHealth(adminUrl())).filter((t) => t.TargetHealth.State === 'healthy').length === count
    );
  } catch {
    return false;
  }
};

describeWithImages([emulator.image, platformImages().api, platformImages().node])(
  `faults (${emulator.name})`,
  () => {
    let platform: LocalPlatform;
    let apiKey: string;
    let inboxUrl: string;

    beforeAll(async () => {
      platform = await startLocalPlatform(emulator);
      apiKey = await demoApiKey(platform, platformNames(PROFILES.local.prefix).secrets.apiKeys);
      const sqs = new SQSClient(emulatorClientConfig(platform.emulatorEndpoint));
      inboxUrl = (
        await sqs.send(new GetQueueUrlCommand({ QueueName: `${PROFILES.local.prefix}-alerts-inbox` }))
      ).QueueUrl as string;
      sqs.destroy();
      await untilHealthyTargets(platform.adminUrl, 2);
    });

    /**
     * Runs tagged traffic with an error line per request around `fault`, then checks that every
     * line the tasks wrote is in CloudWatch Logs once, in order, with its timestamp; that the
     * ALB's RequestCount datapoints add up to its access log; and that every state change with
     * actions was notified once.
     */
    async function deliveryAcross(
      fault: string,
      cause: () => Promise<void>,
      { countsDatapoints = true, keepsServing = true } = {},
    ): Promise<void> {
      const tag = `faults${randomBytes(3).toString('hex')}`;
      const since = Date.now();
      setFault(platform.apiTasks(), apiKey, 'error-logs');
      const from = await nextInterval();
      const traffic = taggedTraffic(platform.albUrl, apiKey, tag);
      await sleep(3000);
      await cause();
      const faultEnded = Date.now();
      await sleep(3000);
      const { sent, failed } = await traffic.stop();
      setFault(platform.apiTasks(), apiKey, 'none');
      const to = await nextInterval();
      process.stdout.write(`  [faults] ${fault}: ${sent} requests sent, ${failed} failed\n`);
      // The API does not need the emulator or the monitor to answer.
      if (keepsServing) expect(failed).toBe(0);

      const names = deployedNames(platform.monitor().getId());
      let counts: DeliveryCounts | undefined;
      const delivered = async () => {
        counts = compareDelivery(
          writtenLines(platform.project, tag),
          await arrivedLines(platform.emulatorEndpoint, names.logGroupName, tag),
          faultEnded + DELIVERY_BOUND_MS,
        );
        return counts.dropped === 0;
      };
      await secondsUntil(delivered, 60_000, `every tagged line of ${fault} in CloudWatch Logs`).catch(
        () => 0,
      );
      const final = counts as DeliveryCounts;
      printCounts(fault, final);
      // Each request the tasks answered wrote two lines: the error line and the request's own.
      if (keepsServing) expect(final.written).toBe(2 * sent);
      else expect(final.written).toBeGreaterThan(0);
      expect(final).toEqual({
        ...final,
        arrived: final.written,
        duplicated: 0,
        late: 0,
        dropped: 0,
        outOfOrder: 0,
        wrongTimestamp: 0,
      });

      if (countsDatapoints) {
        const logged = accessLogEntries(platform.alb(), from, to);
        let published = -1;
        await secondsUntil(
          async () => {
            published = await requestCountSum(platform.emulatorEndpoint, names, from, to);
            return published === logged;
          },
          60_000,
          'RequestCount adding up to the access log',
        ).catch(() => 0);
        process.stdout.write(
          `  [faults] ${fault}: RequestCount ${published}, access-log entries ${logged}\n`,
        );
        expect(published).toBe(logged);
      }

      let comparison = { changes: [] as string[], notified: [] as string[] };
      await secondsUntil(
        async () => {
          comparison = await notificationsAndChanges(
            platform.monitor().getId(),
            platform.emulatorEndpoint,
            inboxUrl,
            since,
          );
          return comparison.notified.join('\n') === comparison.changes.join('\n');
        },
        60_000,
        'a notification for each state change',
      ).catch(() => 0);
      process.stdout.write(
        `  [faults] ${fault}: ${comparison.changes.length} state changes that notify, ${comparison.notified.length} notifications\n`,
      );
      expect(comparison.notified).toEqual(comparison.changes);
    }

    it(
      `loses and repeats nothing while the emulator is paused for ${PAUSE_SECONDS} s`,
      async () => {
        const emulatorContainer = composeContainer(platform.project, 'emulator');
        const monitor = platform.monitor().getId();
        let peakMiB = memoryMiB(monitor);
        await deliveryAcross(`emulator paused ${PAUSE_SECONDS} s`, async () => {
          docker('pause', emulatorContainer);
          try {
            for (let waited = 0; waited < PAUSE_SECONDS; waited += 5) {
              await sleep(Math.min(5, PAUSE_SECONDS - waited) * 1000);
              peakMiB = Math.max(peakMiB, memoryMiB(monitor));
            }
          } finally {
            docker('unpause', emulatorContainer);
            process.stdout.write(
              `  [faults] monitor memory during the pause: at most ${peakMiB.toFixed(1)} MiB\n`,
            );
          }
        });
        // The suite's usual ten minutes, plus the pause itself.
      },
      (600 + PAUSE_SECONDS) * 1000,
    );

    it('resumes every log stream from its checkpoint when the monitor is killed, sending nothing twice', async () => {
      const monitor = platform.monitor().getId();
      const restartsBefore = Number(docker('inspect', '-f', '{{.RestartCount}}', monitor));
      await deliveryAcross('monitor killed', async () => {
        crash(monitor, 'localstack/dist/bin/monitor.js');
        await secondsUntil(
          async () =>
            Number(docker('inspect', '-f', '{{.RestartCount}}', monitor)) > restartsBefore &&
            docker('inspect', '-f', '{{.State.Health.Status}}', monitor) === 'healthy',
          60_000,
          'the monitor back and healthy',
        );
      });
    });

    afterAll(async () => {
      await platform?.down();
    });

    it('brings a crashed ALB back by itself, its targets healthy within the health-check thresholds', async () => {
      const { intervalSeconds, healthyThresholdCount } = await healthCheckSettings(platform.adminUrl);
      const alb = platform.alb();
      const restartsBefore = Number(docker('inspect', '-f', '{{.RestartCount}}', alb));

      let seconds = Number.POSITIVE_INFINITY;
      // A crashed ALB loses the counts of its interval in progress and its unwritten access-log
      // lines with it (docs/emulators.md), so its datapoints are not compared here.
      await deliveryAcross(
        'ALB crashed',
        async () => {
          crash(alb, 'localstack/dist/bin/alb.js');
          seconds = await secondsUntil(
            async () =>
              Number(docker('inspect', '-f', '{{.RestartCount}}', alb)) > restartsBefore &&
              (await healthyTargets(() => publishedUrl(alb, ALB_ADMIN_PORT), 2)),
            60_000,
            'the ALB back with two healthy targets',
          );
        },
        { countsDatapoints: false, keepsServing: false },
      );

      // Starting again and finding the tasks by name take seconds; then the thresholds.
      const bound = healthyThresholdCount * intervalSeconds + 10;
      report('crashed ALB back, both targets healthy', seconds, bound);
      expect(seconds).toBeLessThanOrEqual(bound);
      const response = await fetch(`${publishedUrl(alb, ALB_LISTENER_PORT)}/healthz`);
      expect(response.status).toBe(200);
    });

    it('says within one alarm round that a restarted emulator has forgotten the platform, and turns unhealthy', async () => {
      const monitor = platform.monitor().getId();
      const emulatorContainer = composeContainer(platform.project, 'emulator');
      expect(containerLog(monitor)).not.toContain(PLATFORM_LOST);

      docker('restart', emulatorContainer);
      const back = Date.now();
      await secondsUntil(
        async () => docker('inspect', '-f', '{{.State.Health.Status}}', emulatorContainer) === 'healthy',
        120_000,
        'the emulator healthy again',
      );
      const said = await secondsUntil(
        async () => containerLog(monitor).includes(PLATFORM_LOST),
        30_000,
        'the monitor saying the platform is lost',
      );
      // From the emulator's health check passing (2 s apart) to the next alarm round (2 s apart
      // with the local profile's 10-second periods), and a round of polling here.
      const bound = 2 + 2 + 1;
      report('restarted emulator noticed by the monitor, after it answered', said, bound);
      process.stdout.write(
        `  [faults] emulator restart to the monitor's notice: ${((Date.now() - back) / 1000).toFixed(1)} s\n`,
      );
      expect(said).toBeLessThanOrEqual(bound);
      const line = containerLog(monitor)
        .split('\n')
        .filter((entry) => entry.includes(PLATFORM_LOST))
        .pop() as string;
      expect(JSON.parse(line).message).toContain('make local-down && make local-up');

      // Its health check fails once the heartbeat that each evaluated round touches is 15 s old.
      await secondsUntil(
        async () => docker('inspect', '-f', '{{.State.Health.Status}}', monitor) === 'unhealthy',
        90_000,
        'the monitor unhealthy',
      );
      process.stdout.write(
        `  [faults] monitor unhealthy ${((Date.now() - back) / 1000).toFixed(1)} s after the emulator restart\n`,
      );
    });
  },
);
