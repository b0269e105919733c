/**
 * `make build-image-assets`: builds the Docker image assets of a cloud assembly the way the CDK
 * CLI (cdk-assets) builds them for `cdk deploy`, without pushing them anywhere, so that a broken
 * Dockerfile fails here (CI) and not in the middle of a deploy.
 *
 *   tsx bin/build-image-assets.ts --profile dev                  # synthesize dev (cdk synth), then build
 *   tsx bin/build-image-assets.ts --assembly cdk.out             # an assembly synthesized before
 *   tsx bin/build-image-assets.ts --profile dev --build-arg NODE_IMAGE=zama-local/node:24-bookworm
 *
 * `--profile` runs the CDK CLI (`cdk synth`, so cdk.json's app, which bundles the API first) with
 * the profile's EXAMPLE_SETTINGS (lib/settings.ts) into a temporary directory. Every
 * `dockerImages` entry of the assembly's asset manifests (`*.assets.json`, nested assemblies
 * too) is built once, with the CLI's command line: `docker build` [--build-arg k=v]...
 * [--build-context k=v]... [--secret id=k,v]... [--ssh s] --tag <tag> [--target t] [--file f]
 * [--network n] [--platform p] [--output=o]... [--cache-from c]... [--cache-to c] [--no-cache] `.`
 * in the asset's `source.directory` (relative to the assembly), with CDK_DOCKER as the CLI reads
 * it. Two differences, both on purpose: `--build-arg` here adds to (or replaces) the manifest's
 * build arguments, for the registry-less base image; and the tag is `image-asset-check:<asset
 * id>`, removed afterwards (`--keep` keeps it), never the CLI's `cdkasset-<id>`, which a later
 * `cdk deploy` would take as built and push, substituted base and all.
 *
 * Exit status: 0 when every asset built, 1 when one did not (the message names the asset and
 * its Dockerfile) or the assembly has none, 2 on a usage error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { QUIET_CDK_ENV, runCdk } from '../lib/cdk-cli';
import { runMain } from '../lib/cli';
import { PROFILE_NAMES, type ProfileName } from '../lib/profiles';
import { EXAMPLE_SETTINGS, settingsAsCdkArguments } from '../lib/settings';
import { INFRA_DIR } from '../lib/synthesize';

const LABEL = 'build-image-assets';

/** A docker cache option of the manifest (`--cache-from`, `--cache-to`). */
interface CacheOption {
  readonly type: string;
  readonly params?: Readonly<Record<string, string>>;
}

/** The `source` of a `dockerImages` entry of an asset manifest (cloud-assembly-schema). */
export interface DockerImageSource {
  readonly directory?: string;
  readonly executable?: readonly string[];
  readonly dockerFile?: string;
  readonly dockerBuildTarget?: string;
  readonly dockerBuildArgs?: Readonly<Record<string, string>>;
  readonly dockerBuildContexts?: Readonly<Record<string, string>>;
  readonly dockerBuildSecrets?: Readonly<Record<string, string>>;
  readonly dockerBuildSsh?: string;
  readonly networkMode?: string;
  readonly platform?: string;
  readonly dockerOutputs?: readonly string[];
  readonly cacheFrom?: readonly CacheOption[];
  readonly cacheTo?: CacheOption;
  readonly cacheDisabled?: boolean;
}

export interface DockerImageAsset {
  /** The key of the `dockerImages` entry: the asset hash. */
  readonly id: string;
  readonly displayName?: string;
  readonly source: DockerImageSource;
  /** The asset manifest's directory, which `source.directory` is relative to. */
  readonly manifestDir: string;
  /** The manifests (relative to the assembly) that list it. */
  readonly manifests: readonly string[];
}

interface AssetManifest {
  readonly dockerImages?: Record<string, { displayName?: string; source: DockerImageSource }>;
}

interface AssemblyManifest {
  readonly artifacts?: Record<
    string,
    { type: string; properties?: { file?: string; directoryName?: string } }
  >;
}

/**
 * The docker image assets of a cloud assembly, once each (every stack's manifest may list the same
 * one): from the manifest's `cdk:asset-manifest` artifacts, as the CLI reads them, and those of
 * nested assemblies; without a manifest.json, every `*.assets.json` of the directory.
 */
export function readDockerImageAssets(assemblyDir: string): DockerImageAsset[] {
  const assets = new Map<string, DockerImageAsset>();
  const visit = (dir: string) => {
    const manifestFile = join(dir, 'manifest.json');
    const files: string[] = [];
    if (existsSync(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as AssemblyManifest;
      for (const artifact of Object.values(manifest.artifacts ?? {})) {
        if (artifact.type === 'cdk:asset-manifest' && artifact.properties?.file) {
          files.push(join(dir, artifact.properties.file));
        } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
          visit(join(dir, artifact.properties.directoryName));
        }
      }
    } else {
      files.push(
        ...readdirSync(dir)
          .filter((file) => file.endsWith('.assets.json'))
          .map((file) => join(dir, file)),
      );
    }
    for (const file of files) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as AssetManifest;
      for (const [id, entry] of Object.entries(manifest.dockerImages ?? {})) {
        const known = assets.get(id);
        const listed = relative(assemblyDir, file);
        assets.set(id, {
          id,
          ...(entry.displayName !== undefined ? { displayName: entry.displayName } : {}),
          source: entry.source,
          manifestDir: dir,
          manifests: [...(known?.manifests ?? []), listed],
        });
      }
    }
  };
  visit(resolve(assemblyDir));
  return [...assets.values()];
}

/** The local tag of a check build: never the CLI's `cdkasset-<id>`, which `cdk deploy` would push. */
export function checkTag(asset: DockerImageAsset): string {
  return `image-asset-check:${asset.id.toLowerCase()}`;
}

const cacheFlag = ({ type, params }: CacheOption) =>
  [`type=${type}`, ...Object.entries(params ?? {}).map(([key, value]) => `${key}=${value}`)].join(',');

/**
 * The arguments of `docker build` for an asset, in the CLI's order, with `extraBuildArgs` merged
 * into the manifest's (they win).
 */
export function dockerBuildArguments(
  asset: DockerImageAsset,
  extraBuildArgs: Readonly<Record<string, string>> = {},
  tag: string = checkTag(asset),
): string[] {
  const source = asset.source;
  const pairs = (
    flag: string,
    entries: Readonly<Record<string, string>> | undefined,
    format: (k: string, v: string) => string,
  ) => Object.entries(entries ?? {}).flatMap(([key, value]) => [flag, format(key, value)]);
  return [
    'build',
    ...pairs('--build-arg', { ...source.dockerBuildArgs, ...extraBuildArgs }, (k, v) => `${k}=${v}`),
    ...pairs('--build-context', source.dockerBuildContexts, (k, v) => `${k}=${v}`),
    ...pairs('--secret', source.dockerBuildSecrets, (k, v) => `id=${k},${v}`),
    ...(source.dockerBuildSsh ? ['--ssh', source.dockerBuildSsh] : []),
    '--tag',
    tag,
    ...(source.dockerBuildTarget ? ['--target', source.dockerBuildTarget] : []),
    ...(source.dockerFile ? ['--file', source.dockerFile] : []),
    ...(source.networkMode ? ['--network', source.networkMode] : []),
    ...(source.platform ? ['--platform', source.platform] : []),
    ...(source.dockerOutputs ?? []).map((output) => `--output=${output}`),
    ...(source.cacheFrom ?? []).flatMap((option) => ['--cache-from', cacheFlag(option)]),
    ...(source.cacheTo ? ['--cache-to', cacheFlag(source.cacheTo)] : []),
    ...(source.cacheDisabled ? ['--no-cache'] : []),
    '.',
  ];
}

/** `"API image (api/Dockerfile)" (3f2a…)`: how messages name an asset. */
export function assetLabel(asset: DockerImageAsset): string {
  return `${asset.displayName ? `${JSON.stringify(asset.displayName)} ` : ''}(${asset.id})`;
}

export interface BuildOptions {
  readonly extraBuildArgs?: Readonly<Record<string, string>>;
  /** @default CDK_DOCKER, else `docker`, as the CLI */
  readonly docker?: string;
  /** Keep the check tag after a successful build. @default false */
  readonly keep?: boolean;
}

/** Builds one asset: undefined when it built, else why not, naming the asset and its Dockerfile. */
export function buildAsset(asset: DockerImageAsset, options: BuildOptions = {}): string | undefined {
  const docker = options.docker ?? process.env.CDK_DOCKER ?? 'docker';
  const { source } = asset;
  if (!source.directory) {
    return `the docker image asset ${assetLabel(asset)} is built by a command (${(source.executable ?? []).join(' ')}), which this check does not run`;
  }
  const directory = resolve(asset.manifestDir, source.directory);
  const dockerfile = join(directory, source.dockerFile ?? 'Dockerfile');
  const args = dockerBuildArguments(asset, options.extraBuildArgs);
  console.log(`${LABEL}: ${assetLabel(asset)}: ${docker} ${args.join(' ')}   (in ${directory})`);
  const run = spawnSync(docker, args, {
    cwd: directory,
    stdio: 'inherit',
    // As the CLI: no provenance attestations, which a plain image build does not want.
    env: { ...process.env, BUILDX_NO_DEFAULT_ATTESTATIONS: '1' },
  });
  if (run.status !== 0) {
    const why = run.error ? run.error.message : `${docker} build exited with ${run.status ?? run.signal}`;
    return `the docker image asset ${assetLabel(asset)} did not build from its Dockerfile ${dockerfile} (the assembly's copy of the asset's source): ${why}`;
  }
  if (!options.keep) spawnSync(docker, ['image', 'rm', checkTag(asset)], { stdio: 'ignore' });
  return undefined;
}

interface Arguments {
  readonly profile?: ProfileName;
  readonly assembly?: string;
  readonly buildArgs: Record<string, string>;
  readonly keep: boolean;
}

const USAGE = `usage: ${LABEL} (--profile <${PROFILE_NAMES.join('|')}> | --assembly <dir>) [--build-arg NAME=VALUE]... [--keep]`;

function parseArguments(argv: readonly string[]): Arguments | string {
  let profile: ProfileName | undefined;
  let assembly: string | undefined;
  const buildArgs: Record<string, string> = {};
  let keep = false;
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--keep') keep = true;
    else if (flag === '--profile' && value && (PROFILE_NAMES as readonly string[]).includes(value)) {
      profile = value as ProfileName;
      i += 1;
    } else if (flag === '--assembly' && value) {
      assembly = resolve(value);
      i += 1;
    } else if (flag === '--build-arg' && value && /^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) {
      const at = value.indexOf('=');
      buildArgs[value.slice(0, at)] = value.slice(at + 1);
      i += 1;
    } else
      return `${USAGE}\n${LABEL}: cannot use ${JSON.stringify(flag)}${value === undefined ? '' : ` ${JSON.stringify(value)}`}`;
  }
  if (!profile && !assembly) return USAGE;
  return { ...(profile ? { profile } : {}), ...(assembly ? { assembly } : {}), buildArgs, keep };
}

async function main(): Promise<number> {
  const parsed = parseArguments(process.argv.slice(2));
  if (typeof parsed === 'string') {
    console.error(parsed);
    return 2;
  }
  let assembly = parsed.assembly;
  let temporary: string | undefined;
  let keepAssembly = false;
  try {
    if (parsed.profile) {
      assembly ??= temporary = mkdtempSync(join(tmpdir(), 'image-assets-'));
      // The CLI, so that cdk.json's app runs exactly as for `cdk deploy` (it writes the API bundle).
      const args = [
        'synth',
        '--quiet',
        '-c',
        `profile=${parsed.profile}`,
        ...settingsAsCdkArguments(EXAMPLE_SETTINGS[parsed.profile]),
        '--output',
        assembly,
      ];
      console.log(`${LABEL}: cdk ${args.join(' ')}`);
      const code = await runCdk(args, { ...process.env, ...QUIET_CDK_ENV }, { cwd: INFRA_DIR });
      if (code !== 0) {
        console.error(
          `${LABEL}: cdk synth of the ${parsed.profile} profile failed (exit ${code}); nothing was built`,
        );
        return 1;
      }
    }
    const assets = readDockerImageAssets(assembly as string);
    if (assets.length === 0) {
      console.error(
        `${LABEL}: the cloud assembly ${assembly} has no docker image asset to build (does the profile name an existing image, e.g. through PLATFORM_API_IMAGE or -c apiImage?)`,
      );
      return 1;
    }
    const failures: string[] = [];
    for (const asset of assets) {
      const failure = buildAsset(asset, { extraBuildArgs: parsed.buildArgs, keep: parsed.keep });
      if (failure) failures.push(failure);
      else console.log(`${LABEL}: built ${assetLabel(asset)}, listed in ${asset.manifests.join(', ')}`);
    }
    for (const failure of failures) console.error(`${LABEL}: FAILED: ${failure}`);
    console.log(`${LABEL}: ${assets.length - failures.length} of ${assets.length} docker image assets built`);
    if (failures.length === 0) return 0;
    keepAssembly = temporary !== undefined;
    if (keepAssembly) console.error(`${LABEL}: the cloud assembly is kept for a look: ${temporary}`);
    return 1;
  } finally {
    if (temporary && !keepAssembly) rmSync(temporary, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(LABEL, main);
