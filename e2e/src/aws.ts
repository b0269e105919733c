import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** SDK v3 client settings for an emulator endpoint (emulators accept any static credentials). */
export function emulatorClientConfig(endpoint: string) {
  return {
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    forcePathStyle: true,
  };
}

/** Each stack's CloudFormation status in the emulator, by stack name, in the stacks' order. */
export async function stackStatuses(
  endpoint: string,
  stacks: readonly { readonly stackName: string }[],
): Promise<{ stackName: string; status: string | undefined }[]> {
  const cloudFormation = new CloudFormationClient(emulatorClientConfig(endpoint));
  return Promise.all(
    stacks.map(async ({ stackName }) => {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      return { stackName, status: Stacks?.[0]?.StackStatus };
    }),
  );
}
