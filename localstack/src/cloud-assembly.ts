import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource, CfnTemplate } from '@zama/infra';

/** The cloud assembly cannot be read, or lacks what the local data plane needs from it. */
export class CloudAssemblyError extends Error {
  override readonly name: string = 'CloudAssemblyError';
}

/** What to do about a cloud assembly that is missing or out of date. */
export const RESYNTH = 'run `make synth` (after changing infra/) and point CLOUD_ASSEMBLY_DIR at its cdk.out';

/** One stack of a cloud assembly: its name, its `aws://account/region` and its template. */
export interface SynthesizedStack {
  readonly stackName: string;
  readonly environment?: string;
  readonly template: CfnTemplate;
}

/** A resource of one of the stacks, with where it lives. */
export interface ResourceRef {
  readonly stack: SynthesizedStack;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export type { CfnResource, CfnTemplate };

/** The CloudFormation stacks of a cloud assembly directory (what `cdk synth` writes), per its manifest. */
export function readCloudAssembly(dir: string): SynthesizedStack[] {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CloudAssemblyError(`No cloud assembly at ${dir} (manifest.json is missing): ${RESYNTH}`);
  }
  const manifest = readJson(manifestPath) as {
    artifacts?: Record<
      string,
      { type?: string; environment?: string; properties?: { templateFile?: string; stackName?: string } }
    >;
  };
  const stacks: SynthesizedStack[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || !templateFile) continue;
    const templatePath = join(dir, templateFile);
    if (!existsSync(templatePath)) {
      throw new CloudAssemblyError(`${templatePath} named by ${manifestPath} is missing: ${RESYNTH}`);
    }
    stacks.push({
      stackName: artifact.properties?.stackName ?? artifactId,
      environment: artifact.environment,
      template: readJson(templatePath) as CfnTemplate,
    });
  }
  if (stacks.length === 0) {
    throw new CloudAssemblyError(`The cloud assembly at ${dir} has no CloudFormation stacks: ${RESYNTH}`);
  }
  return stacks;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CloudAssemblyError(`Cannot read ${path}: ${(error as Error).message}: ${RESYNTH}`);
  }
}

export function resourcesOfType(stacks: readonly SynthesizedStack[], type: string): ResourceRef[] {
  return stacks.flatMap((stack) =>
    Object.entries(stack.template.Resources ?? {})
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId, resource]) => ({ stack, logicalId, resource })),
  );
}

export function describeResource(ref: ResourceRef): string {
  return `${ref.stack.stackName}/${ref.logicalId}`;
}

/**
 * A stable 16-hex id in the shape of the generated part of an ELBv2 name (`app/<name>/<id>`),
 * standing in for it where the emulator has no ELBv2: the simulated ALB's ARNs and the
 * dimensions the alarms use are built with it, so they agree and survive restarts.
 */
export function standInResourceId(ref: ResourceRef): string {
  return createHash('sha256').update(describeResource(ref)).digest('hex').slice(0, 16);
}

export function sameResource(a: ResourceRef | undefined, b: ResourceRef): boolean {
  return a !== undefined && a.stack === b.stack && a.logicalId === b.logicalId;
}

/**
 * Follows `Ref`, `Fn::GetAtt` and CDK's cross-stack `Fn::ImportValue` to the resource they
 * name; undefined when the value names something else (a parameter, a literal ARN).
 */
export function resolveReference(
  value: unknown,
  stack: SynthesizedStack,
  stacks: readonly SynthesizedStack[],
): ResourceRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const intrinsic = value as Record<string, unknown>;
  let logicalId: unknown;
  if ('Ref' in intrinsic) logicalId = intrinsic.Ref;
  else if ('Fn::GetAtt' in intrinsic) {
    const target = intrinsic['Fn::GetAtt'];
    logicalId = Array.isArray(target)
      ? target[0]
      : typeof target === 'string'
        ? target.split('.')[0]
        : undefined;
  } else if ('Fn::ImportValue' in intrinsic) {
    const exportName = intrinsic['Fn::ImportValue'];
    for (const exporter of stacks) {
      for (const output of Object.values(exporter.template.Outputs ?? {})) {
        if (output.Export?.Name === exportName) return resolveReference(output.Value, exporter, stacks);
      }
    }
    return undefined;
  }
  if (typeof logicalId !== 'string') return undefined;
  const resource = stack.template.Resources?.[logicalId];
  return resource ? { stack, logicalId, resource } : undefined;
}

/**
 * The periods, in seconds, of every alarm of the stacks: `Period`, or each metric's
 * `MetricStat.Period` for a metric-math alarm. What the local data plane publishes and
 * evaluates is timed from these, so that a profile with other periods needs no other constants.
 */
export function alarmPeriodsSeconds(stacks: readonly SynthesizedStack[]): number[] {
  const periods = resourcesOfType(stacks, 'AWS::CloudWatch::Alarm').flatMap(({ resource }) => {
    const properties = resource.Properties ?? {};
    const metrics = (properties.Metrics ?? []) as { MetricStat?: { Period?: unknown } }[];
    return [properties.Period, ...metrics.map((metric) => metric.MetricStat?.Period)].filter(
      (period): period is number => typeof period === 'number' && period > 0,
    );
  });
  if (periods.length === 0) {
    throw new CloudAssemblyError(`The cloud assembly defines no alarm with a period: ${RESYNTH}`);
  }
  return periods;
}
