/**
 * Synthesizes the platform in-process, with the feature flags of cdk.json, for the tests
 * and the scripts that read templates (inventory, benchmark).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { createPlatform, type Platform } from '../bin/platform';
import { type PlatformProfile, PROFILES, type ProfileName, validateProfile } from '../lib/profiles';

export const INFRA_DIR = join(__dirname, '..');

/** The four stacks in deployment order, by the seed module they stand for. */
export const MODULES = ['networking', 'secrets', 'observability', 'compute'] as const;
export type Module = (typeof MODULES)[number];

/** A synthesized CloudFormation template (the parts the scripts and tests read). */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
}

export interface SynthesizedPlatform {
  readonly profile: PlatformProfile;
  readonly app: App;
  readonly platform: Platform;
  readonly templates: Readonly<Record<Module, CfnTemplate>>;
}

/** The `context` of cdk.json: the feature flags `cdk synth` runs the app with. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(INFRA_DIR, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface SynthesizeOptions {
  /**
   * Run CloudFormation's built-in template validation (several seconds per app), with
   * findings as errors.
   * @default false
   */
  readonly validate?: boolean;
  /** Called after the stacks exist and before synthesis (e.g. to add aspects). */
  readonly beforeSynth?: (app: App) => void;
  /** Context on top of cdk.json's. */
  readonly context?: Record<string, unknown>;
}

export function synthesizePlatform(
  profile: PlatformProfile | ProfileName,
  options: SynthesizeOptions = {},
): SynthesizedPlatform {
  const resolved = validateProfile(typeof profile === 'string' ? PROFILES[profile] : profile);
  const app = new App({
    context: {
      ...cdkJsonContext(),
      '@aws-cdk/core:validateAgainstDefaultRules': options.validate === true,
      ...options.context,
    },
    outdir: mkdtempSync(join(tmpdir(), 'cdk-out-')),
    analyticsReporting: false,
    builtinCloudFormationValidation: options.validate === true,
  });
  const platform = createPlatform(app, resolved);
  options.beforeSynth?.(app);
  const assembly = app.synth();
  const template = (module: Module) =>
    assembly.getStackByName(platform[module].stackName).template as CfnTemplate;
  return {
    profile: resolved,
    app,
    platform,
    templates: {
      networking: template('networking'),
      secrets: template('secrets'),
      observability: template('observability'),
      compute: template('compute'),
    },
  };
}
