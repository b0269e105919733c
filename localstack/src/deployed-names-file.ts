/**
 * The platform names the deploy service resolved (see `platform-names.ts`), as it leaves them
 * in the shared volume for the services that publish metrics and logs under them.
 */
import { readFileSync } from 'node:fs';
import type { PlatformNames } from './platform-names';

const REQUIRED: ReadonlyArray<keyof PlatformNames> = [
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

export function readPlatformNames(file: string): PlatformNames {
  let names: Partial<PlatformNames>;
  try {
    names = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlatformNames>;
  } catch (error) {
    throw new Error(
      `cannot read the platform names at ${file} (${(error as Error).message}): the deploy service writes them; did it finish?`,
    );
  }
  const missing = REQUIRED.filter((key) => names[key] === undefined);
  if (missing.length > 0) {
    throw new Error(`${file} lacks ${missing.join(', ')}: redeploy with the current deploy service`);
  }
  return names as PlatformNames;
}
