#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ProfileError, selectProfile } from '../lib/profiles';
import { contextFromEnvironment } from '../lib/settings';
import { createPlatform } from './platform';

const app = new App();
try {
  const profile = selectProfile(app.node.tryGetContext('profile'), process.env.PLATFORM_PROFILE);
  // Deployment settings may come from the environment (ALERTS_EMAIL, ...), `-c` winning, for the
  // AWS profiles: what an emulator gets stays what the repository says, whatever the shell holds.
  if (profile.name !== 'local') {
    const fromEnvironment = contextFromEnvironment(process.env, (key) => app.node.tryGetContext(key));
    for (const [key, value] of Object.entries(fromEnvironment)) app.node.setContext(key, value);
  }
  createPlatform(app, profile);
} catch (error) {
  if (!(error instanceof ProfileError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
