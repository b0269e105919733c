#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ProfileError, selectProfile } from '../lib/profiles';
import { createPlatform } from './platform';

const app = new App();
try {
  createPlatform(app, selectProfile(app.node.tryGetContext('profile'), process.env.PLATFORM_PROFILE));
} catch (error) {
  if (!(error instanceof ProfileError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
