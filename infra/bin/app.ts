#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ApiBundleError, bundleApi } from '../lib/api-image';
import { createPlatform } from '../lib/platform';
import { ProfileError, resolveProfile, selectProfile } from '../lib/profiles';
import { contextFromEnvironment, readSettings } from '../lib/settings';

const app = new App();
try {
  const profile = selectProfile(app.node.tryGetContext('profile'), process.env.PLATFORM_PROFILE);
  // Deployment settings may come from the environment (ALERTS_EMAIL, ...), `-c` winning, for the
  // AWS profiles: what an emulator gets stays what the repository says, whatever the shell holds.
  if (profile.name !== 'local') {
    const fromEnvironment = contextFromEnvironment(process.env, (key) => app.node.tryGetContext(key));
    for (const [key, value] of Object.entries(fromEnvironment)) app.node.setContext(key, value);
  }
  // A profile that names no image runs the image asset of api/: its bundle is written now, before
  // the asset is fingerprinted, so that `cdk deploy` builds and pushes the tree as it is (an
  // unchanged tree keeps its hash). Bad settings fail first, with nothing built.
  const resolved = resolveProfile(
    profile,
    readSettings((key) => app.node.tryGetContext(key)),
  );
  if (resolved.service.image === undefined) bundleApi();
  createPlatform(app, profile);
} catch (error) {
  if (!(error instanceof ProfileError || error instanceof ApiBundleError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
