/**
 * The part of the ECS agent the local platform needs: before a task starts, resolve the
 * container's `Secrets` (Secrets Manager references in the task definition) to values.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readCloudAssembly, resourcesOfType } from '../cloud-assembly';

export interface ContainerSecret {
  readonly name: string;
  /** Secret name (or ARN) to read. */
  readonly secretId: string;
  /** Top-level key of a JSON secret, when the reference selects one. */
  readonly jsonKey?: string;
}

export class TaskDefinitionError extends Error {
  override readonly name = 'TaskDefinitionError';
}

/** The `Secrets` of one container of the task definitions in a cloud assembly. */
export function containerSecrets(cloudAssemblyDir: string, containerName: string): ContainerSecret[] {
  const containers = resourcesOfType(readCloudAssembly(cloudAssemblyDir), 'AWS::ECS::TaskDefinition')
    .flatMap(({ resource }) => (resource.Properties?.ContainerDefinitions as ContainerDefinition[]) ?? [])
    .filter((container) => container.Name === containerName);
  if (containers.length !== 1) {
    throw new TaskDefinitionError(
      `expected one container named ${containerName} in the task definitions of ${cloudAssemblyDir}, found ${containers.length}: run make synth`,
    );
  }
  return (containers[0].Secrets ?? []).map(({ Name, ValueFrom }) => ({
    name: Name,
    ...parseValueFrom(ValueFrom),
  }));
}

interface ContainerDefinition {
  Name: string;
  Secrets?: Array<{ Name: string; ValueFrom: unknown }>;
}

/**
 * A Secrets Manager reference as ECS reads it:
 * `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>]`,
 * where the template may build the ARN with `Fn::Join` around pseudo parameters.
 */
export function parseValueFrom(valueFrom: unknown): Omit<ContainerSecret, 'name'> {
  const arn = flattenJoin(valueFrom);
  const match = /:secretsmanager:[^:]*:[^:]*:secret:([^:]+)(?::([^:]*))?/.exec(arn);
  if (!match) {
    throw new TaskDefinitionError(
      `unsupported secret reference ${JSON.stringify(valueFrom)}: expected a Secrets Manager ARN`,
    );
  }
  const [, secretId, jsonKey] = match;
  return jsonKey ? { secretId, jsonKey } : { secretId };
}

/** Renders `Fn::Join` with pseudo parameters as placeholders: only the secret's name matters. */
function flattenJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const join = (value as Record<string, unknown>)['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flattenJoin).join(join[0]);
    }
    if ('Ref' in value) return 'ref';
  }
  throw new TaskDefinitionError(
    `unsupported secret reference ${JSON.stringify(value)}: expected a string or Fn::Join`,
  );
}

/** Reads every secret from Secrets Manager, as the ECS agent does before starting the container. */
export async function resolveSecrets(
  secretsManager: SecretsManagerClient,
  secrets: readonly ContainerSecret[],
): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const { name, secretId, jsonKey } of secrets) {
    const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (SecretString === undefined)
      throw new TaskDefinitionError(`secret ${secretId} (for ${name}) has no string value`);
    if (!jsonKey) {
      resolved[name] = SecretString;
      continue;
    }
    const value = (JSON.parse(SecretString) as Record<string, unknown>)[jsonKey];
    if (value === undefined)
      throw new TaskDefinitionError(`secret ${secretId} has no key ${jsonKey} (for ${name})`);
    resolved[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return resolved;
}
