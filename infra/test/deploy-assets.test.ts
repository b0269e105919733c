import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILE_NAMES, PROFILES } from '../lib/profiles';
import { MODULES, synthesizeExample } from '../lib/synthesize';
import { rawTemplateOf } from './support';

/**
 * The one Lambda function the AWS profiles deploy: the custom resource that empties the VPC's
 * default security group (`network.restrictDefaultSecurityGroup`), which no emulator runs.
 */
const DEFAULT_SECURITY_GROUP_RESTRICTION = ['AWS::Lambda::Function', 'Custom::VpcRestrictDefaultSG'];

describe.each(PROFILE_NAMES)('what a %s deploy needs besides CloudFormation', (profile) => {
  const restricts = PROFILES[profile].network.restrictDefaultSecurityGroup;
  // A profile naming no image runs the API image asset, built and pushed by cdk deploy; the
  // local one names the locally built image, for emulators build and push no image.
  const buildsImage = PROFILES[profile].service.image === undefined;

  test('no Lambda function or custom resource but the default security group restriction, which emulators do not run', () => {
    // GIVEN / WHEN
    const types = MODULES.flatMap((module) =>
      Object.values(rawTemplateOf(profile, module).Resources).map((r) => r.Type),
    );
    // THEN
    expect(
      types.filter((type) => type.startsWith('AWS::Lambda::') || type.startsWith('Custom::')).sort(),
    ).toEqual(restricts ? DEFAULT_SECURITY_GROUP_RESTRICTION : []);
  });

  test(`no asset but the templates (and the restriction handler)${buildsImage ? ' and the API image' : ': no image is built or pushed'}`, () => {
    // GIVEN / WHEN
    const directory = synthesizeExample(profile).assemblyDir;
    const manifests = readdirSync(directory).filter((file) => file.endsWith('.assets.json'));
    // THEN
    expect(manifests).toHaveLength(MODULES.length);
    const others: string[] = [];
    const images: string[] = [];
    for (const file of manifests) {
      const manifest = JSON.parse(readFileSync(join(directory, file), 'utf8')) as {
        files: Record<string, { displayName?: string; source: { path: string } }>;
        dockerImages: Record<string, { displayName?: string }>;
      };
      for (const image of Object.values(manifest.dockerImages)) images.push(`${file}: ${image.displayName}`);
      for (const asset of Object.values(manifest.files)) {
        if (!asset.source.path.endsWith('.template.json'))
          others.push(asset.displayName ?? asset.source.path);
      }
    }
    expect(others).toEqual(
      restricts ? ['Networking/Custom::VpcRestrictDefaultSGCustomResourceProvider Code'] : [],
    );
    expect(images).toEqual(buildsImage ? ['Compute.assets.json: API image (api/Dockerfile)'] : []);
  });
});

test('the local profile, which emulators deploy, leaves the default security group as it is', () => {
  // GIVEN / WHEN / THEN
  expect(PROFILES.local.network.restrictDefaultSecurityGroup).toBe(false);
  expect(PROFILES.dev.network.restrictDefaultSecurityGroup).toBe(true);
  expect(PROFILES.prod.network.restrictDefaultSecurityGroup).toBe(true);
});
