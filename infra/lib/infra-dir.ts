import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * This package's folder, infra/, where cdk.json names the app: found upwards from here, since
 * the sources (lib/) and the compiled package (dist/lib/) sit at different depths under it.
 */
export const INFRA_DIR = findUpwards(__dirname, 'cdk.json');

/** The repository's api/, whose Dockerfile builds the API image. */
export const API_DIR = join(INFRA_DIR, '..', 'api');

function findUpwards(from: string, file: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, file))) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${file} in any folder above ${from}`);
  }
}
