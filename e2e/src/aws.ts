import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { emulatorClientConfig as emulatorClientConfigOf } from '@zama/localstack';

/**
 * The data plane's client settings for the emulator a suite started, with path-style S3 (the
 * suites read the bootstrap bucket, and an emulator on 127.0.0.1 has no bucket subdomains).
 */
export function emulatorClientConfig(endpoint: string) {
  return {
    ...emulatorClientConfigOf({ AWS_ENDPOINT_URL: endpoint, AWS_REGION: process.env.AWS_REGION }),
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
