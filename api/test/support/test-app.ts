import type Koa from 'koa';
import { type AppDependencies, createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { Readiness } from '../../src/readiness';
import type { AppState } from '../../src/state';
import { MemoryLog } from './memory-log';

export const DEMO_KEY = 'demo-key-value-7f3a9c';
export const OTHER_KEY = 'other-key-value-1b2d4e';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ API_KEYS: JSON.stringify({ api_key_demo: DEMO_KEY, api_key_other: OTHER_KEY }) }),
    ...overrides,
  };
}

export interface TestApp {
  app: Koa<AppState>;
  log: MemoryLog;
  readiness: Readiness;
}

/** A ready app whose log lines go to memory. */
export function buildTestApp(
  overrides: Partial<Config> = {},
  dependencies: Partial<Omit<AppDependencies, 'logger'>> = {},
): TestApp {
  const config = testConfig(overrides);
  const log = new MemoryLog();
  const readiness = dependencies.readiness ?? new Readiness();
  if (!dependencies.readiness) readiness.markReady();
  const app = createApp(config, { ...dependencies, readiness, logger: createLogger(config, log) });
  return { app, log, readiness };
}
