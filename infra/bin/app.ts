#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ApiBundleError } from '../lib/api-image';
import { defineApp } from '../lib/app';
import { ProfileError } from '../lib/profiles';

const app = new App();
try {
  defineApp(app, process.env);
} catch (error) {
  if (!(error instanceof ProfileError || error instanceof ApiBundleError)) throw error;
  console.error(error.message);
  process.exit(1);
}
app.synth();
