/**
 * `cdklocal deploy` as users type it: in a fresh emulator, the README's sequence (source
 * localstack/cdklocal.env, `npx cdklocal bootstrap`, `npx cdklocal deploy --all`, then the gap
 * filler) deploys the four stacks of the local profile and leaves the twelve alarms the
 * templates define in CloudWatch, on moto (whose CloudFormation skips alarms) as on LocalStack.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { resourcesOfType, type SynthesizedStack, selectEmulator } from '@zama/localstack';
import { emulatorClientConfig, stackStatuses } from '../src/aws';
import { synthesizedStacks } from '../src/cdk-app';
import { runCdklocalSequence } from '../src/cdklocal';
import { describeWithImages } from '../src/docker';
import { type RunningEmulator, startEmulator } from '../src/emulator-container';

const emulator = selectEmulator();

describeWithImages([emulator.image])(`cdklocal deploy by hand (${emulator.name}: ${emulator.image})`, () => {
  let running: RunningEmulator;
  let stacks: SynthesizedStack[];

  beforeAll(async () => {
    // GIVEN a fresh emulator
    running = await startEmulator(emulator);
    // WHEN the documented sequence runs against it
    const times = await runCdklocalSequence(running.endpoint);
    const total = times.reduce((sum, { seconds }) => sum + seconds, 0);
    process.stdout.write(
      `cdklocal on ${emulator.name}: ${times.map(({ command, seconds }) => `${command} ${seconds.toFixed(1)} s`).join(', ')}; ` +
        `${total.toFixed(1)} s in all\n`,
    );
    // The cloud assembly that `cdklocal deploy` wrote to infra/cdk.out.
    stacks = synthesizedStacks();
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('completes the four stacks', async () => {
    expect(stacks).toHaveLength(4);
    expect(await stackStatuses(running.endpoint, stacks)).toEqual(
      stacks.map(({ stackName }) => ({
        stackName,
        status: expect.stringMatching(/^(CREATE|UPDATE)_COMPLETE$/),
      })),
    );
  });

  it('leaves the twelve alarms of the templates in CloudWatch', async () => {
    const expected = resourcesOfType(stacks, 'AWS::CloudWatch::Alarm')
      .map(({ resource }) => resource.Properties?.AlarmName as string)
      .sort();
    expect(expected).toHaveLength(12);
    const { MetricAlarms = [] } = await new CloudWatchClient(emulatorClientConfig(running.endpoint)).send(
      new DescribeAlarmsCommand({ AlarmNames: expected }),
    );
    expect(MetricAlarms.map(({ AlarmName }) => AlarmName).sort()).toEqual(expected);
  });
});
