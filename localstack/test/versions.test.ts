/**
 * versions.env is the one place versions and public image names are written: these tests fail
 * when another file pins a different one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinned, pinnedVersions } from '../src/versions';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('versions.env', () => {
  it('pins Node.js 24 LTS, by version and by the integrity of its npm package', () => {
    expect(pinned('NODE_VERSION', {})).toMatch(/^24\.\d+\.\d+$/);
    expect(pinnedVersions().get('NODE_PACKAGE_INTEGRITY')).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    expect(pinned('NODE_IMAGE', {})).toBe('node:24-bookworm-slim');
  });

  it('is what .nvmrc says', () => {
    // GIVEN .nvmrc WHEN compared with the pinned version THEN the majors agree
    expect(read('.nvmrc').trim()).toBe(pinned('NODE_VERSION', {}).split('.')[0]);
  });

  it("gives compose.yaml's fallbacks for every image it names", () => {
    // GIVEN compose.yaml's ${VAR:-default} image references
    const fallbacks = [...read('compose.yaml').matchAll(/image: \$\{([A-Z_]+)_IMAGE:-([^}]+)\}/g)];
    expect(fallbacks.length).toBeGreaterThanOrEqual(3);
    for (const [, prefix, fallback] of fallbacks) {
      const variable = `${prefix}_IMAGE`;
      // THEN each default is versions.env's (the emulator's comes from the LocalStack version)
      const expected =
        variable === 'EMULATOR_IMAGE'
          ? `localstack/localstack:${pinned('LOCALSTACK_VERSION', {})}`
          : pinnedVersions().get(variable);
      expect({ variable, fallback }).toEqual({ variable, fallback: expected });
    }
  });

  it('lets the environment win', () => {
    expect(pinned('NODE_IMAGE', { NODE_IMAGE: 'mirror/node:24' })).toBe('mirror/node:24');
    expect(pinned('NODE_IMAGE', { NODE_IMAGE: ' ' })).toBe('node:24-bookworm-slim');
  });

  it('is the only place that pins the Node.js image or a moto or LocalStack version', () => {
    // GIVEN the files that name images WHEN searched for a pinned tag THEN none is written out
    for (const file of ['Makefile', 'scripts/build-images.sh', 'api/scripts/build-image.sh']) {
      expect({ file, pins: read(file).match(/node:2\d|moto:\d|localstack:\d/g) }).toEqual({
        file,
        pins: null,
      });
    }
  });

  it("is the Dockerfiles' default base image", () => {
    // GIVEN Dockerfiles, which cannot read versions.env THEN their ARG default is its NODE_IMAGE
    for (const file of ['api/Dockerfile', 'localstack/images/node/Dockerfile']) {
      const defaults = [...read(file).matchAll(/node:\d+-[a-z-]+/g)].map(([image]) => image);
      expect({ file, defaults: [...new Set(defaults)] }).toEqual({
        file,
        defaults: [pinned('NODE_IMAGE', {})],
      });
    }
  });
});
