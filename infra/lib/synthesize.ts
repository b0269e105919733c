/**
 * Synthesizes the platform in-process, with the feature flags of cdk.json, for the tests
 * and the scripts that read templates (inventory, benchmark).
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import { INFRA_DIR } from './infra-dir';
import { createPlatform, type Platform } from './platform';
import { type PlatformProfile, PROFILES, type ProfileName, validateProfile } from './profiles';
import { EXAMPLE_SETTINGS, settingsAsContext } from './settings';

export { INFRA_DIR } from './infra-dir';

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

/** A profile synthesized with the example settings: its templates and its cloud assembly. */
export interface ExampleSynthesis {
  readonly templates: Readonly<Record<Module, CfnTemplate>>;
  /** The cloud assembly directory: manifest, templates and asset manifests. Read it, never write it. */
  readonly assemblyDir: string;
}

/**
 * Synthesis takes seconds of CPU per profile, and most suites only read the templates: this
 * synthesizes each profile once per state of what the templates are made of, into a cache
 * that every test process shares (`node_modules/.cache`, keyed by a digest of those files).
 */
const SYNTHESIS_CACHE = join(INFRA_DIR, '..', 'node_modules', '.cache', 'zama-infra-synthesis');
/** What the templates are made of: the app, its settings, the CDK's version (the lock file), the image asset. */
const SYNTHESIS_INPUTS = ['index.ts', 'bin', 'lib', 'cdk.json', 'package.json', '../package-lock.json'];

const examples = new Map<ProfileName, ExampleSynthesis>();

/** The profile with EXAMPLE_SETTINGS, as every offline synthesis (tests, checks, benchmarks) uses it. */
export function synthesizeExample(profile: ProfileName): ExampleSynthesis {
  let example = examples.get(profile);
  if (!example) {
    example = readOrSynthesizeExample(profile);
    examples.set(profile, example);
  }
  return example;
}

function readOrSynthesizeExample(profile: ProfileName): ExampleSynthesis {
  const assemblyDir = join(SYNTHESIS_CACHE, inputsDigest(), profile);
  const modulesFile = join(assemblyDir, 'modules.json');
  if (!existsSync(modulesFile)) {
    const { app, platform } = synthesizePlatform(profile, {
      context: settingsAsContext(EXAMPLE_SETTINGS[profile]),
    });
    const templateFiles = Object.fromEntries(
      MODULES.map((module) => [module, `${platform[module].artifactId}.template.json`]),
    );
    writeFileSync(join(app.outdir, 'modules.json'), JSON.stringify(templateFiles));
    // Renamed into place whole, so that a process never reads half a cache entry; when another
    // process got there first, its entry is the same and stays.
    mkdirSync(dirname(assemblyDir), { recursive: true });
    const staged = mkdtempSync(`${assemblyDir}.`);
    cpSync(app.outdir, staged, { recursive: true });
    try {
      renameSync(staged, assemblyDir);
    } catch {
      rmSync(staged, { recursive: true, force: true });
    }
  }
  const templateFiles = JSON.parse(readFileSync(modulesFile, 'utf8')) as Record<Module, string>;
  const template = (module: Module) =>
    JSON.parse(readFileSync(join(assemblyDir, templateFiles[module]), 'utf8')) as CfnTemplate;
  return {
    assemblyDir,
    templates: {
      networking: template('networking'),
      secrets: template('secrets'),
      observability: template('observability'),
      compute: template('compute'),
    },
  };
}

function inputsDigest(): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (!existsSync(path)) return;
    if (!statSync(path).isDirectory()) {
      hash.update(relative(INFRA_DIR, path)).update('\0').update(readFileSync(path)).update('\0');
      return;
    }
    for (const entry of readdirSync(path).sort()) add(join(path, entry));
  };
  for (const input of SYNTHESIS_INPUTS) add(join(INFRA_DIR, input));
  return hash.digest('hex').slice(0, 16);
}
