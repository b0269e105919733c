/**
 * The API image asset's inputs. When a profile names no image (`service.image`: dev, and prod
 * unless pinned), the compute stack makes the image a CDK Docker image asset of this
 * repository's api/: `cdk deploy` builds api/Dockerfile there and publishes the image to the
 * bootstrap ECR repository. The Dockerfile copies the service bundled on the host
 * (`npm run bundle -w api` -> api/dist/image/), because a build inside a container cannot reach
 * the package registries here; `bin/app.ts` writes the bundle before the asset is fingerprinted.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { API_DIR } from './infra-dir';

/** The Dockerfile of the build context, as the asset manifest names it. */
export const API_DOCKERFILE = 'Dockerfile';

/** What api/Dockerfile copies, relative to the build context; `npm run bundle -w api` writes it. */
export const API_BUNDLE_ENTRY = join('dist', 'image', 'dist', 'server.js');

export class ApiBundleError extends Error {
  override readonly name = 'ApiBundleError';
}

/**
 * Writes the bundle the API image asset copies (api/scripts/bundle.mjs, about a second), so that
 * what `cdk deploy` fingerprints, builds and pushes is the service as the tree holds it now, never
 * a stale bundle. Its output is deterministic: an unchanged tree keeps the asset hash, and a deploy
 * changes nothing. Throws an {@link ApiBundleError} saying what to run when it fails.
 */
export function bundleApi(context: string = API_DIR): void {
  const script = join(context, 'scripts', 'bundle.mjs');
  // Its messages (esbuild's errors, warnings) on stderr: the app's stdout stays the CLI's.
  const run = spawnSync(process.execPath, [script, '--quiet'], { cwd: context, stdio: ['ignore', 2, 2] });
  if (run.status !== 0) {
    const why = run.error ? `: ${run.error.message}` : ` (exit ${run.status ?? run.signal})`;
    throw new ApiBundleError(
      `The API image asset needs the service bundle, and ${join('api', 'scripts', 'bundle.mjs')} failed${why}. ` +
        'Install the dependencies (npm ci at the repository root), fix what it printed, then check with ' +
        '`npm run bundle -w api`; or name an existing image with -c apiImage=<repository>@sha256:<digest> ' +
        'or PLATFORM_API_IMAGE.',
    );
  }
}
