/**
 * What an emulator's CloudFormation leaves out of a deploy, and the one gap the deploy fills
 * itself: Secrets Manager secrets, which the tasks need at startup and which moto's
 * CloudFormation skips. Everything else the emulators skip (alarms, metric filters, Cloud Map,
 * auto scaling, policies) is read from the templates by the local data plane.
 */
import { type CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { AssemblyStack } from './cdk-cli';

/** `GenerateSecretString` of an `AWS::SecretsManager::Secret`. */
export interface GenerateSecretString {
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
}

/** The secret string CloudFormation would store: the template with the generated value at its key. */
export function composeSecretString(generate: GenerateSecretString, generated: string): string {
  if (generate.SecretStringTemplate === undefined) return generated;
  if (generate.GenerateStringKey === undefined) {
    throw new Error('GenerateSecretString has a SecretStringTemplate but no GenerateStringKey');
  }
  const template = JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [generate.GenerateStringKey]: generated });
}

/** LocalStack's physical ID (and `Ref`) for a resource type it has no provider for. */
const PLACEHOLDER_ID = 'unknown';

export interface EmulatorGaps {
  /** Types of resources the emulator skipped, with counts. */
  readonly skipped: Map<string, number>;
  /** Types of resources the emulator recorded as placeholders, with counts. */
  readonly placeholders: Map<string, number>;
}

/** What of a stack's template the emulator did not really create. */
export async function emulatorGaps(
  cloudFormation: CloudFormationClient,
  stack: AssemblyStack,
): Promise<EmulatorGaps> {
  const { StackResources = [] } = await cloudFormation.send(
    new DescribeStackResourcesCommand({ StackName: stack.stackName }),
  );
  const physicalIds = new Map(
    StackResources.map((resource) => [resource.LogicalResourceId, resource.PhysicalResourceId]),
  );
  const gaps: EmulatorGaps = { skipped: new Map(), placeholders: new Map() };
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    const counts = !physicalIds.has(logicalId)
      ? gaps.skipped
      : physicalIds.get(logicalId) === PLACEHOLDER_ID
        ? gaps.placeholders
        : undefined;
    counts?.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  }
  return gaps;
}

/**
 * Creates, through the Secrets Manager API, every secret of the templates that does not exist,
 * with a value generated the way the template asks. Returns the names it created.
 */
export async function createMissingSecrets(
  secretsManager: SecretsManagerClient,
  stacks: readonly AssemblyStack[],
): Promise<string[]> {
  const created: string[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      const properties = resource.Properties ?? {};
      const name = properties.Name;
      if (typeof name !== 'string') {
        throw new Error(
          `${stack.stackName}/${logicalId}: a secret needs a literal Name to be created outside CloudFormation`,
        );
      }
      if (await secretExists(secretsManager, name)) continue;
      const generate = properties.GenerateSecretString as GenerateSecretString | undefined;
      const secretString = generate
        ? composeSecretString(generate, await randomPassword(secretsManager, generate))
        : properties.SecretString;
      if (typeof secretString !== 'string') {
        throw new Error(
          `${stack.stackName}/${logicalId}: neither GenerateSecretString nor a literal SecretString`,
        );
      }
      await secretsManager.send(
        new CreateSecretCommand({
          Name: name,
          Description: typeof properties.Description === 'string' ? properties.Description : undefined,
          SecretString: secretString,
          Tags: (properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.filter(
            (tag) => typeof tag.Value === 'string',
          ),
        }),
      );
      created.push(name);
    }
  }
  return created;
}

async function secretExists(secretsManager: SecretsManagerClient, name: string): Promise<boolean> {
  try {
    await secretsManager.send(new DescribeSecretCommand({ SecretId: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

async function randomPassword(
  secretsManager: SecretsManagerClient,
  generate: GenerateSecretString,
): Promise<string> {
  const { RandomPassword } = await secretsManager.send(
    new GetRandomPasswordCommand({
      PasswordLength: generate.PasswordLength,
      ExcludeCharacters: generate.ExcludeCharacters,
      ExcludeLowercase: generate.ExcludeLowercase,
      ExcludeNumbers: generate.ExcludeNumbers,
      ExcludePunctuation: generate.ExcludePunctuation,
      ExcludeUppercase: generate.ExcludeUppercase,
      IncludeSpace: generate.IncludeSpace,
      RequireEachIncludedType: generate.RequireEachIncludedType,
    }),
  );
  if (!RandomPassword) throw new Error('GetRandomPassword returned no password');
  return RandomPassword;
}
