/**
 * Faults of the parts that stand in for AWS (compose.yaml): a crashed simulated ALB comes back by
 * itself with its targets healthy within the health-check thresholds, and an emulator that
 * restarts without its state is noticed by the monitor within one alarm round, which says what
 * to do instead of evaluating nothing.
 */
import { execFileSync } from 'node:child_process';
import { selectEmulator } from '@zama/localstack';
import { describeWithImages } from '../src/docker';
import {
  ALB_ADMIN_PORT,
  ALB_LISTENER_PORT,
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

/** Both of a container's output streams: the platform's services log JSON lines on stderr. */
const containerLog = (containerId: string) =>
  execFileSync('sh', ['-c', 'docker logs "$0" 2>&1', containerId], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

const composeContainer = (project: string, service: string) =>
  docker(
    'ps',
    '-q',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  );

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

    beforeAll(async () => {
      platform = await startLocalPlatform(emulator);
      await untilHealthyTargets(platform.adminUrl, 2);
    });

    afterAll(async () => {
      await platform?.down();
    });

    it('brings a crashed ALB back by itself, its targets healthy within the health-check thresholds', async () => {
      const { intervalSeconds, healthyThresholdCount } = await healthCheckSettings(platform.adminUrl);
      const alb = platform.alb();
      const restartsBefore = Number(docker('inspect', '-f', '{{.RestartCount}}', alb));

      crash(alb, 'localstack/dist/bin/alb.js');
      const seconds = await secondsUntil(
        async () =>
          Number(docker('inspect', '-f', '{{.RestartCount}}', alb)) > restartsBefore &&
          (await healthyTargets(() => publishedUrl(alb, ALB_ADMIN_PORT), 2)),
        60_000,
        'the ALB back with two healthy targets',
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
