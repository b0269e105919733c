/**
 * What `deploy:local` and `fill-gaps` (after a plain `cdklocal deploy`) share once the CDK CLI
 * has deployed the stacks into an emulator: checking that it answers and that every stack is
 * complete, reporting what its CloudFormation skipped, and filling those gaps.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { SynthesizedStack } from '../cloud-assembly';
import type { EmulatorClientConfig } from '../emulator-clients';
import { describeFill, emulatorGaps, fillEmulatorGaps } from './emulator-gaps';

/** Undefined when anything answers HTTP at the endpoint, else why not. */
export async function probe(endpoint: string): Promise<string | undefined> {
  try {
    // Generous: an emulator may load a service lazily on its first request (LocalStack: S3, seconds).
    await fetch(endpoint, { signal: AbortSignal.timeout(30_000) });
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

/** Stacks whose status is not a completed create or update, as "<name> (<status>)". */
export async function unfinishedStacks(
  cloudFormation: CloudFormationClient,
  stacks: readonly SynthesizedStack[],
): Promise<string[]> {
  const unfinished: string[] = [];
  for (const { stackName } of stacks) {
    const status = await stackStatus(cloudFormation, stackName);
    if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(status)) unfinished.push(`${stackName} (${status})`);
  }
  return unfinished;
}

async function stackStatus(cloudFormation: CloudFormationClient, stackName: string): Promise<string> {
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks[0]?.StackStatus ?? 'missing';
  } catch (error) {
    // CloudFormation answers a stack it does not know with a ValidationError, not an empty list.
    if (/does not exist/.test((error as Error).message)) return 'missing';
    throw error;
  }
}

/**
 * After a deploy: fails unless every stack is complete, logs what the emulator skipped or faked
 * per stack, then creates through the service APIs what the gap filler covers (idempotent).
 */
export async function fillGapsOfDeployedStacks(
  stacks: readonly SynthesizedStack[],
  clientConfig: EmulatorClientConfig,
  log: (line: string) => void,
): Promise<void> {
  const cloudFormation = new CloudFormationClient(clientConfig);
  const failed = await unfinishedStacks(cloudFormation, stacks);
  if (failed.length > 0) throw new Error(`not deployed: ${failed.join(', ')}`);
  const summary = (counts: Map<string, number>) =>
    [...counts].map(([type, count]) => `${count} ${type}`).join(', ');
  for (const stack of stacks) {
    const { skipped, placeholders } = await emulatorGaps(cloudFormation, stack);
    if (skipped.size > 0) log(`${stack.stackName}: skipped ${summary(skipped)}`);
    if (placeholders.size > 0) log(`${stack.stackName}: placeholders for ${summary(placeholders)}`);
  }
  for (const filled of await fillEmulatorGaps(stacks, clientConfig)) log(describeFill(filled));
  log('the local data plane stands in for the rest of what the emulator skipped (see docs/emulators.md)');
}
