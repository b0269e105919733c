/**
 * Alarm wiring end to end on the local platform (compose.yaml): a fault in the api tasks
 * becomes metrics or log lines, the monitor's alarm evaluation changes the alarm's state in the
 * emulator, and the notification arrives in the local alerts inbox with AWS's fields.
 *
 * Faults come from the api's fault switch, which only the local profile's task definition
 * enables. Each scenario prints the seconds from the fault to the notification.
 */
import { execFileSync } from 'node:child_process';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PROFILES, platformNames } from '@zama/infra';
import { type ReceivedNotification, readInbox, selectEmulator } from '@zama/localstack';
import { monitorStateChanges, notifiesOn, stateChangeMillis } from '../src/alarm-notifications';
import { emulatorClientConfig } from '../src/aws';
import { describeWithImages } from '../src/docker';
import { type FaultMode, setFault } from '../src/faults';
import { demoApiKey, type LocalPlatform, platformImages, startLocalPlatform } from '../src/local-platform';
import { secondsUntil, steadyTraffic, untilHealthyTargets } from '../src/traffic';

const emulator = selectEmulator();
const names = platformNames(PROFILES.local.prefix);
/** The target for the local profile: a fault notifies within this. */
const DETECTION_TARGET_SECONDS = 45;
const NOTIFICATION_TIMEOUT_MS = 120_000;

/**
 * Where the notification comes from: on moto the monitor publishes it, naming the Region as
 * CloudWatch does; LocalStack's SetAlarmState publishes its own, with a name of its making.
 */
const NOTIFIED_REGION = emulator.runsAlarmActions ? 'Us east 1' : 'US East (N. Virginia)';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const report = (scenario: string, seconds: number, cause = 'the fault') =>
  process.stdout.write(
    `  [alarms] ${scenario}: notified ${seconds.toFixed(1)} s after ${cause} (target ${DETECTION_TARGET_SECONDS} s)\n`,
  );

const describeOnPlatform = describeWithImages([emulator.image, platformImages().api, platformImages().node]);

describeOnPlatform(`alarm wiring (${emulator.name})`, () => {
  let platform: LocalPlatform;
  let apiKey: string;
  let sqs: SQSClient;
  let inboxUrl: string;

  const setFaults = (mode: FaultMode) => setFault(platform.apiTasks(), apiKey, mode);

  /** Waits for the inbox to hold a notification of `alarm` going to `state` after `since`. */
  const notification = async (alarm: string, state: string, since: Date) => {
    let found: ReceivedNotification | undefined;
    await secondsUntil(
      async () => {
        found = (await readInbox(sqs, inboxUrl)).find(
          ({ notification: n }) =>
            n.AlarmName === alarm &&
            n.NewStateValue === state &&
            stateChangeMillis(n.StateChangeTime) >= since.getTime(),
        );
        return found !== undefined;
      },
      NOTIFICATION_TIMEOUT_MS,
      `${state} notification of ${alarm}`,
    );
    const arrived = (Date.now() - since.getTime()) / 1000;
    return { notification: (found as ReceivedNotification).notification, seconds: arrived };
  };

  const sumRequest = (): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ numbers: [1, 2, 3] }),
  });

  beforeAll(async () => {
    platform = await startLocalPlatform(emulator);
    apiKey = await demoApiKey(platform, names.secrets.apiKeys);
    sqs = new SQSClient(emulatorClientConfig(platform.emulatorEndpoint));
    inboxUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: `${PROFILES.local.prefix}-alerts-inbox` }))
    ).QueueUrl as string;
    await untilHealthyTargets(platform.adminUrl, 2);
  });

  afterAll(async () => {
    await platform?.down();
  });

  it('(c) counts error log lines with the metric filter and alarms on api-error-count', async () => {
    const alarm = names.alarm('api_error_count');
    const since = new Date();
    setFaults('error-logs');
    const traffic = steadyTraffic(`${platform.albUrl}/api/v1/sum`, 1, sumRequest(), 200);
    try {
      const { notification: n, seconds } = await notification(alarm, 'ALARM', since);
      report('error log lines -> api-error-count', seconds);
      expect(n).toMatchObject({
        AlarmName: alarm,
        OldStateValue: 'OK',
        NewStateValue: 'ALARM',
        Region: NOTIFIED_REGION,
        Trigger: { MetricName: 'ApiErrorCount', Statistic: 'SUM', Threshold: 5, Period: 10 },
      });
      expect(n.NewStateReason).toMatch(/^Threshold Crossed: 3 out of the last 3 datapoints/);
      expect(seconds).toBeLessThan(DETECTION_TARGET_SECONDS);
    } finally {
      await traffic.stop();
      setFaults('none');
    }
  });

  it('(b) alarms on high-error-rate when the targets answer 5xx', async () => {
    const alarm = names.alarm('high_error_rate');
    const since = new Date();
    setFaults('http-500');
    const traffic = steadyTraffic(`${platform.albUrl}/api/v1/sum`, 1, sumRequest(), 200);
    try {
      const { notification: n, seconds } = await notification(alarm, 'ALARM', since);
      report('5xx responses -> high-error-rate', seconds);
      expect(n).toMatchObject({
        NewStateValue: 'ALARM',
        Trigger: {
          MetricName: 'HTTPCode_Target_5XX_Count',
          Namespace: 'AWS/ApplicationELB',
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        },
      });
      expect(n.Trigger.Dimensions.map((d: { name: string }) => d.name).sort()).toEqual([
        'LoadBalancer',
        'TargetGroup',
      ]);
      expect(seconds).toBeLessThan(DETECTION_TARGET_SECONDS);
    } finally {
      await traffic.stop();
      setFaults('none');
    }
  });

  it('(d) alarms on high-response-time when the targets answer slowly', async () => {
    const alarm = names.alarm('high_response_time');
    const since = new Date();
    setFaults('slow');
    const traffic = steadyTraffic(`${platform.albUrl}/api/v1/sum`, 3, sumRequest(), 0);
    try {
      const { notification: n, seconds } = await notification(alarm, 'ALARM', since);
      report('slow responses -> high-response-time', seconds);
      expect(n).toMatchObject({
        NewStateValue: 'ALARM',
        Trigger: { MetricName: 'TargetResponseTime', Statistic: 'AVERAGE' },
      });
      expect(seconds).toBeLessThan(DETECTION_TARGET_SECONDS);
    } finally {
      setFaults('none');
      await traffic.stop();
    }
  });

  it('(a) alarms when every task stops and none can be started, and reports OK once the scheduler replaces them', async () => {
    // The scheduler replaces a stopped task within a second, so an outage of every task is one
    // where it cannot start tasks either: stopped first, as ECS's control plane would be.
    const scheduler = platform.scheduler();
    docker('stop', scheduler);
    const down = new Date();
    for (const task of platform.apiTasks()) docker('stop', task);
    const [noTargets, noTasks] = await Promise.all([
      notification(names.alarm('no_healthy_targets'), 'ALARM', down),
      notification(names.alarm('unhealthy_tasks'), 'ALARM', down),
    ]);
    report('all tasks stopped -> no-healthy-targets', noTargets.seconds);
    report('all tasks stopped -> unhealthy-tasks', noTasks.seconds);
    expect(noTargets.notification.Trigger).toMatchObject({
      MetricName: 'HealthyHostCount',
      TreatMissingData: 'breaching',
    });
    expect(noTasks.notification.Trigger).toMatchObject({
      MetricName: 'RunningTaskCount',
      Namespace: 'ECS/ContainerInsights',
    });
    expect(noTargets.seconds).toBeLessThan(DETECTION_TARGET_SECONDS);
    expect(noTasks.seconds).toBeLessThan(DETECTION_TARGET_SECONDS);

    const up = new Date();
    docker('start', scheduler);
    const [targetsBack, tasksBack] = await Promise.all([
      notification(names.alarm('no_healthy_targets'), 'OK', up),
      notification(names.alarm('unhealthy_tasks'), 'OK', up),
    ]);
    report('scheduler back -> no-healthy-targets OK', targetsBack.seconds, 'the start');
    report('scheduler back -> unhealthy-tasks OK', tasksBack.seconds, 'the start');
    expect(targetsBack.notification.OldStateValue).toBe('ALARM');
    expect(tasksBack.notification.OldStateValue).toBe('ALARM');
    expect(platform.apiTasks()).toHaveLength(2);
  });

  it('notified every state change of every alarm exactly once', async () => {
    // GIVEN the state changes the monitor made since the platform started (its log says which)
    // and the topics each alarm notifies for its new state (the target-tracking alarms' action
    // is their scaling policy, which notifies nobody)
    const cloudWatch = new CloudWatchClient(emulatorClientConfig(platform.emulatorEndpoint));
    const notifies = await notifiesOn(cloudWatch);
    const expected = async () =>
      monitorStateChanges(platform.monitor().getId())
        .filter(({ alarm, to }) => notifies(alarm, to))
        .map(({ alarm, from, to }) => `${alarm}: ${from} -> ${to}`)
        .sort();
    const received = async () =>
      (await readInbox(sqs, inboxUrl))
        .map(({ notification: n }) => `${n.AlarmName}: ${n.OldStateValue} -> ${n.NewStateValue}`)
        .sort();

    // WHEN the inbox has caught up with the last of them
    let want: string[] = [];
    let got: string[] = [];
    const deadline = Date.now() + 15_000;
    do {
      [want, got] = [await expected(), await received()];
    } while (want.join() !== got.join() && Date.now() < deadline);

    // THEN each change is in the inbox once, and nothing else is: no second publisher, no
    // evaluation of the emulator's own
    process.stdout.write(
      `  [alarms] ${want.length} state changes with actions, ${got.length} notifications in the inbox\n`,
    );
    expect(want.length).toBeGreaterThanOrEqual(7);
    expect(got).toEqual(want);
  });
});
