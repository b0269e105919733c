/**
 * Emulator smoke test: the chain every other suite relies on. An emulator container
 * starts, the CDK app deploys into it with the local profile, and the AWS SDK sees
 * what the synthesized templates define.
 */
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { type SynthesizedStack, selectEmulator } from '@zama/localstack';
import { emulatorClientConfig, stackStatuses } from '../src/aws';
import { deployLocal, synthesizedStacks } from '../src/cdk-app';
import { describeWithImages } from '../src/docker';
import { type RunningEmulator, startEmulator } from '../src/emulator-container';

const emulator = selectEmulator();

/** Resource types every supported emulator's CloudFormation really creates, and how to find one. */
type Finder = (endpoint: string, physicalId: string) => Promise<boolean>;
const finders: Record<string, Finder> = {
  'AWS::EC2::VPC': async (endpoint, id) =>
    (
      (await new EC2Client(emulatorClientConfig(endpoint)).send(new DescribeVpcsCommand({ VpcIds: [id] })))
        .Vpcs ?? []
    ).length === 1,
  'AWS::EC2::Subnet': async (endpoint, id) =>
    (
      (
        await new EC2Client(emulatorClientConfig(endpoint)).send(
          new DescribeSubnetsCommand({ SubnetIds: [id] }),
        )
      ).Subnets ?? []
    ).length === 1,
  'AWS::EC2::SecurityGroup': async (endpoint, id) =>
    (
      (
        await new EC2Client(emulatorClientConfig(endpoint)).send(
          new DescribeSecurityGroupsCommand({ GroupIds: [id] }),
        )
      ).SecurityGroups ?? []
    ).length === 1,
  'AWS::Logs::LogGroup': async (endpoint, name) =>
    (
      (
        await new CloudWatchLogsClient(emulatorClientConfig(endpoint)).send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: name }),
        )
      ).logGroups ?? []
    ).some((group) => group.logGroupName === name),
  'AWS::SNS::Topic': async (endpoint, arn) =>
    (
      await new SNSClient(emulatorClientConfig(endpoint)).send(
        new GetTopicAttributesCommand({ TopicArn: arn }),
      )
    ).Attributes?.TopicArn === arn,
  'AWS::S3::Bucket': async (endpoint, bucket) => {
    await new S3Client(emulatorClientConfig(endpoint)).send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  },
};

describeWithImages([emulator.image])(`emulator smoke test (${emulator.name}: ${emulator.image})`, () => {
  let running: RunningEmulator;
  let stacks: SynthesizedStack[];

  beforeAll(async () => {
    running = await startEmulator(emulator);
    await deployLocal(running.endpoint);
    stacks = synthesizedStacks();
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('deploys the four stacks of the CDK app', async () => {
    expect(stacks).toHaveLength(4);
    expect(await stackStatuses(running.endpoint, stacks)).toEqual(
      stacks.map(({ stackName }) => ({ stackName, status: 'CREATE_COMPLETE' })),
    );
  });

  it.each(Object.keys(finders))('creates every %s the templates define', async (type) => {
    const cloudFormation = new CloudFormationClient(emulatorClientConfig(running.endpoint));
    const checked: string[] = [];
    for (const { stackName, template } of stacks) {
      const expected = Object.entries(template.Resources ?? {})
        .filter(([, resource]) => resource.Type === type)
        .map(([logicalId]) => logicalId);
      if (expected.length === 0) continue;
      const { StackResources } = await cloudFormation.send(
        new DescribeStackResourcesCommand({ StackName: stackName }),
      );
      for (const logicalId of expected) {
        const physicalId = StackResources?.find((r) => r.LogicalResourceId === logicalId)?.PhysicalResourceId;
        expect({ logicalId, physicalId: physicalId ?? null }).toEqual({
          logicalId,
          physicalId: expect.any(String),
        });
        await expect(finders[type](running.endpoint, physicalId as string)).resolves.toBe(true);
        checked.push(`${stackName}/${logicalId}`);
      }
    }
    // The platform defines at least one of each of these; none found means the app changed shape.
    expect(checked.length).toBeGreaterThan(0);
  });
});
