import type { App } from 'aws-cdk-lib';
import { bundleApi } from './api-image';
import { createPlatform, type Platform } from './platform';
import { resolveProfile, selectProfile } from './profiles';
import { contextFromEnvironment, readSettings } from './settings';

/**
 * What `cdk synth` runs (`bin/app.ts`) on its App: the profile from `-c profile` or
 * PLATFORM_PROFILE, the deployment settings, the API bundle when the profile runs the image
 * asset, then the four stacks. Bad settings throw a ProfileError listing every problem before
 * anything is built; a bundle that cannot be built throws an ApiBundleError.
 */
export function defineApp(app: App, environment: NodeJS.ProcessEnv): Platform {
  const profile = selectProfile(app.node.tryGetContext('profile'), environment.PLATFORM_PROFILE);
  // Deployment settings may come from the environment (ALERTS_EMAIL, ...), `-c` winning, for the
  // AWS profiles: what an emulator gets stays what the repository says, whatever the shell holds.
  if (profile.name !== 'local') {
    const fromEnvironment = contextFromEnvironment(environment, (key) => app.node.tryGetContext(key));
    for (const [key, value] of Object.entries(fromEnvironment)) app.node.setContext(key, value);
  }
  // A profile that names no image runs the image asset of api/: its bundle is written now, before
  // the asset is fingerprinted, so that `cdk deploy` builds and pushes the tree as it is (an
  // unchanged tree keeps its hash).
  const resolved = resolveProfile(
    profile,
    readSettings((key) => app.node.tryGetContext(key)),
  );
  if (resolved.service.image === undefined) bundleApi();
  return createPlatform(app, profile);
}
