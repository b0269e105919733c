/**
 * The names the deploy service resolved (see `deployed-names.ts`), as it leaves them
 * in the shared volume for the services that publish metrics and logs under them.
 */
import { readFileSync } from 'node:fs';
import type { DeployedNames } from './deployed-names';
import { writeWhole } from './files';

const REQUIRED: ReadonlyArray<keyof DeployedNames> = [
  'loadBalancerFullName',
  'targetGroupFullName',
  'clusterName',
  'serviceName',
  'cpu',
  'memoryMiB',
  'logGroupName',
  'streamPrefix',
  'containerName',
  'metricFilters',
  'alertsInboxQueueUrl',
];

export function readDeployedNames(file: string): DeployedNames {
  let names: Partial<DeployedNames>;
  try {
    names = JSON.parse(readFileSync(file, 'utf8')) as Partial<DeployedNames>;
  } catch (error) {
    throw new Error(
      `cannot read the deployed names at ${file} (${(error as Error).message}): the deploy service writes them; did it finish?`,
    );
  }
  const missing = REQUIRED.filter((key) => names[key] === undefined);
  if (missing.length > 0) {
    throw new Error(`${file} lacks ${missing.join(', ')}: redeploy with the current deploy service`);
  }
  return names as DeployedNames;
}

export function writeDeployedNames(file: string, names: DeployedNames): void {
  writeWhole(file, JSON.stringify(names, null, 2));
}
