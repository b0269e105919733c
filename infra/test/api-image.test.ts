import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { API_DOCKERFILE, ApiBundleError, bundleApi } from '../lib/api-image';
import { API_DIR } from '../lib/infra-dir';
import { PROFILES, ProfileError, validateProfile } from '../lib/profiles';
import { platformOf, templateOf, templatesWith } from './support';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
/** The bootstrap stack's container assets repository in the profiles' region (default qualifier). */
const ASSETS_REPOSITORY = `cdk-hnb659fds-container-assets-\${AWS::AccountId}-eu-west-3`;

interface DockerImageEntry {
  readonly displayName?: string;
  readonly source: Record<string, unknown>;
  readonly destinations: Record<string, Record<string, unknown>>;
}

/** The compute stack's template and the docker images its asset manifest lists, of one synthesis. */
function computeOf(profile: 'dev' | 'prod') {
  const { app, platform, templates } = platformOf(profile);
  const manifest = JSON.parse(
    readFileSync(join(app.outdir, `${platform.compute.artifactId}.assets.json`), 'utf8'),
  ) as { dockerImages: Record<string, DockerImageEntry> };
  return { outdir: app.outdir, template: Template.fromJSON(templates.compute), manifest };
}

function filesUnder(dir: string, root: string = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name), root)
      : [relative(root, join(dir, entry.name)).split('\\').join('/')],
  );
}

describe('the API image', () => {
  test('dev runs the image asset: the task definition names the image its asset manifest lists, in the bootstrap repository', () => {
    // GIVEN the dev profile, which names no image
    // WHEN
    const { template, manifest } = computeOf('dev');
    // THEN the manifest lists one docker image, built from api/Dockerfile as cdk deploy builds it
    const hashes = Object.keys(manifest.dockerImages);
    expect(hashes).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    const hash = hashes[0] as string;
    expect(manifest.dockerImages[hash]).toEqual({
      displayName: 'API image (api/Dockerfile)',
      // No build arguments: the Dockerfile's default base image (versions.env's NODE_IMAGE).
      source: { directory: `asset.${hash}`, dockerFile: API_DOCKERFILE, platform: 'linux/amd64' },
      destinations: {
        [Object.keys(manifest.dockerImages[hash]?.destinations ?? {})[0] as string]: {
          repositoryName: ASSETS_REPOSITORY,
          imageTag: hash,
          region: 'eu-west-3',
          assumeRoleArn: `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-hnb659fds-image-publishing-role-\${AWS::AccountId}-eu-west-3`,
        },
      },
    });
    // AND the container runs exactly that image
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'api',
          Image: {
            'Fn::Sub': `\${AWS::AccountId}.dkr.ecr.eu-west-3.\${AWS::URLSuffix}/${ASSETS_REPOSITORY}:${hash}`,
          },
        }),
      ],
    });
    // AND the execution role may pull from that repository alone
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:aws:ecr:eu-west-3:',
                  { Ref: 'AWS::AccountId' },
                  ':repository/',
                  { 'Fn::Sub': ASSETS_REPOSITORY },
                ],
              ],
            },
          },
        ]),
      },
    });
  });

  test("the asset is this repository's api/ as its .dockerignore admits it: the Dockerfile and the host-built bundle, no sources", () => {
    // GIVEN the dev synthesis and the build context it staged for the CLI
    const { outdir, manifest } = computeOf('dev');
    const [hash] = Object.keys(manifest.dockerImages);
    const context = API_DIR;
    // WHEN
    const staged = filesUnder(join(outdir, `asset.${hash}`)).sort();
    // THEN it holds the api/ files the .dockerignore admits, whether or not a bundle was written
    const bundle = (() => {
      try {
        return filesUnder(join(context, 'dist', 'image')).map((file) => `dist/image/${file}`);
      } catch {
        return [];
      }
    })();
    expect(staged).toEqual(['.dockerignore', API_DOCKERFILE, ...bundle].sort());
    expect(readFileSync(join(outdir, `asset.${hash}`, API_DOCKERFILE), 'utf8')).toBe(
      readFileSync(join(context, API_DOCKERFILE), 'utf8'),
    );
    expect(relative(join(__dirname, '..', '..'), context)).toBe('api');
  });

  test('prod runs the image asset unless the settings pin an existing image by its digest', () => {
    // GIVEN prod without an image, and prod with one pinned in a registry and in ECR
    const ecrRepository = '123456789012.dkr.ecr.eu-west-3.amazonaws.com/zama/api';
    // WHEN
    const asset = computeOf('prod');
    const pinned = templatesWith('prod', { apiImage: `ghcr.io/zama/api:0.1.0@${DIGEST}` });
    const pinnedInEcr = Template.fromJSON(
      templatesWith('prod', { apiImage: `${ecrRepository}@${DIGEST}` }).compute,
    );
    // THEN
    const [hash] = Object.keys(asset.manifest.dockerImages);
    asset.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: {
            'Fn::Sub': `\${AWS::AccountId}.dkr.ecr.eu-west-3.\${AWS::URLSuffix}/${ASSETS_REPOSITORY}:${hash}`,
          },
        }),
      ],
    });
    Template.fromJSON(pinned.compute).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: `ghcr.io/zama/api@${DIGEST}` })],
    });
    pinnedInEcr.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: {
            'Fn::Join': [
              '',
              ['123456789012.dkr.ecr.eu-west-3.', { Ref: 'AWS::URLSuffix' }, `/zama/api@${DIGEST}`],
            ],
          },
        }),
      ],
    });
  });

  test('prod refuses an existing image named by a tag alone, with one line naming the setting', () => {
    // GIVEN prod with an image whose tag could be moved
    // WHEN
    const synthesize = () => templatesWith('prod', { apiImage: 'ghcr.io/zama/api:0.1.0' });
    // THEN
    expect(synthesize).toThrow(ProfileError);
    expect(synthesize).toThrow(
      'Invalid profile "prod":\n  - service.image "ghcr.io/zama/api:0.1.0" has no digest; the prod profile runs a named image only pinned by its digest, so that a deploy and its rollback run the same bytes: give -c apiImage=<repository>@sha256:<digest> or PLATFORM_API_IMAGE=<repository>@sha256:<digest>, or leave it unset to deploy the image asset cdk deploy builds',
    );
  });

  test('dev takes an existing image by tag too (no digest required)', () => {
    // GIVEN / WHEN
    const template = Template.fromJSON(templatesWith('dev', { apiImage: 'ghcr.io/zama/api:1.2.3' }).compute);
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Image: 'ghcr.io/zama/api:1.2.3' })],
    });
  });

  test('local runs the locally built zama/api:local, which emulators pull from the machine', () => {
    // GIVEN / WHEN
    const template = templateOf('local', 'compute');
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'api', Image: 'zama/api:local' })],
    });
  });

  test('the local profile must name an image: emulators neither build nor push image assets', () => {
    // GIVEN the local profile without its image
    const { image: _image, ...service } = PROFILES.local.service;
    // WHEN / THEN
    expect(() => validateProfile({ ...PROFILES.local, service })).toThrow(
      'Invalid profile "local":\n  - service.image is required for the local profile: emulators neither build nor publish image assets, so its tasks run a locally built image (zama/api:local)',
    );
  });
});

describe('bundleApi, which bin/app.ts runs before a profile without an image is synthesized', () => {
  /** A build context whose scripts/bundle.mjs is `script`. */
  function contextWith(script: string): string {
    const context = mkdtempSync(join(tmpdir(), 'api-context-'));
    mkdirSync(join(context, 'scripts'));
    writeFileSync(join(context, 'scripts', 'bundle.mjs'), script);
    return context;
  }

  test("runs the context's bundle script, quietly, in the context", () => {
    // GIVEN a bundle script that records how it ran
    const context = contextWith(
      "import { writeFileSync } from 'node:fs'; writeFileSync('ran.json', JSON.stringify(process.argv.slice(2)));",
    );
    // WHEN
    bundleApi(context);
    // THEN
    expect(existsSync(join(context, 'ran.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(context, 'ran.json'), 'utf8'))).toEqual(['--quiet']);
  });

  test('says what to run when the bundle does not build', () => {
    // GIVEN a bundle script that fails
    const context = contextWith('process.exit(3);');
    // WHEN / THEN
    expect(() => bundleApi(context)).toThrow(ApiBundleError);
    expect(() => bundleApi(context)).toThrow(
      'The API image asset needs the service bundle, and api/scripts/bundle.mjs failed (exit 3). Install the dependencies (npm ci at the repository root), fix what it printed, then check with `npm run bundle -w api`; or name an existing image with -c apiImage=<repository>@sha256:<digest> or PLATFORM_API_IMAGE.',
    );
  });
});
