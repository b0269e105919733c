import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildAsset,
  type DockerImageAsset,
  dockerBuildArguments,
  readDockerImageAssets,
} from '../bin/build-image-assets';
import { platformOf } from './support';

describe('build-image-assets', () => {
  beforeEach(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test("finds the dev assembly's one image asset and builds it with the CLI's command line", () => {
    // GIVEN the dev cloud assembly
    const { app } = platformOf('dev');
    // WHEN
    const assets = readDockerImageAssets(app.outdir);
    // THEN
    expect(assets).toHaveLength(1);
    const [asset] = assets as [DockerImageAsset];
    expect(asset).toMatchObject({
      displayName: 'API image (api/Dockerfile)',
      source: { directory: `asset.${asset.id}`, dockerFile: 'Dockerfile', platform: 'linux/amd64' },
      manifests: ['Compute.assets.json'],
    });
    expect(dockerBuildArguments(asset)).toEqual([
      'build',
      '--tag',
      `image-asset-check:${asset.id}`,
      '--file',
      'Dockerfile',
      '--platform',
      'linux/amd64',
      '.',
    ]);
    // AND the registry-less base is one more build argument, where the CLI puts them
    expect(dockerBuildArguments(asset, { NODE_IMAGE: 'zama-local/node:24-bookworm' }).slice(0, 3)).toEqual([
      'build',
      '--build-arg',
      'NODE_IMAGE=zama-local/node:24-bookworm',
    ]);
  });

  test('finds none in the local assembly: emulators get no image asset', () => {
    // GIVEN / WHEN / THEN
    expect(readDockerImageAssets(platformOf('local').app.outdir)).toEqual([]);
  });

  test('passes every field of a manifest entry in the order the CLI does, once per asset', () => {
    // GIVEN asset manifests (no manifest.json) listing one asset twice, with every option
    const dir = mkdtempSync(join(tmpdir(), 'image-assets-test-'));
    const entry = {
      displayName: 'Everything',
      source: {
        directory: 'asset.abc',
        dockerFile: 'build/Dockerfile',
        dockerBuildTarget: 'runtime',
        dockerBuildArgs: { A: '1', NODE_IMAGE: 'node:24-bookworm-slim' },
        dockerBuildContexts: { extra: '../extra' },
        dockerBuildSecrets: { npmrc: 'src=.npmrc' },
        dockerBuildSsh: 'default',
        networkMode: 'host',
        platform: 'linux/arm64',
        dockerOutputs: ['type=docker'],
        cacheFrom: [{ type: 'registry', params: { ref: 'r:cache' } }],
        cacheTo: { type: 'inline' },
        cacheDisabled: true,
      },
      destinations: {},
    };
    for (const file of ['A.assets.json', 'B.assets.json']) {
      writeFileSync(join(dir, file), JSON.stringify({ version: '55.0.0', dockerImages: { ABC: entry } }));
    }
    // WHEN
    const assets = readDockerImageAssets(dir);
    // THEN
    expect(assets.map((asset) => asset.manifests)).toEqual([['A.assets.json', 'B.assets.json']]);
    expect(dockerBuildArguments(assets[0] as DockerImageAsset, { NODE_IMAGE: 'local/node' })).toEqual([
      'build',
      '--build-arg',
      'A=1',
      '--build-arg',
      'NODE_IMAGE=local/node',
      '--build-context',
      'extra=../extra',
      '--secret',
      'id=npmrc,src=.npmrc',
      '--ssh',
      'default',
      '--tag',
      'image-asset-check:abc',
      '--target',
      'runtime',
      '--file',
      'build/Dockerfile',
      '--network',
      'host',
      '--platform',
      'linux/arm64',
      '--output=type=docker',
      '--cache-from',
      'type=registry,ref=r:cache',
      '--cache-to',
      'type=inline',
      '--no-cache',
      '.',
    ]);
  });

  test('a build that fails names the asset and its Dockerfile', () => {
    // GIVEN the dev asset and a docker whose build fails
    const [asset] = readDockerImageAssets(platformOf('dev').app.outdir) as [DockerImageAsset];
    // WHEN
    const failure = buildAsset(asset, { docker: 'false' });
    // THEN
    expect(failure).toBe(
      `the docker image asset "API image (api/Dockerfile)" (${asset.id}) did not build from its Dockerfile ${join(platformOf('dev').app.outdir, `asset.${asset.id}`, 'Dockerfile')} (the assembly's copy of the asset's source): false build exited with 1`,
    );
  });

  test('an asset built by a command is reported, not run', () => {
    // GIVEN / WHEN
    const failure = buildAsset({
      id: 'x',
      source: { executable: ['./build.sh'] },
      manifestDir: tmpdir(),
      manifests: ['A.assets.json'],
    });
    // THEN
    expect(failure).toBe(
      'the docker image asset (x) is built by a command (./build.sh), which this check does not run',
    );
  });
});
