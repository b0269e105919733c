/**
 * The package's one door (`@zama/api`), for the other workspaces' tests that check their
 * configuration against the service itself: the gateway's key policy and the log patterns.
 */
export { createApp } from './app';
export { type Config, loadConfig } from './config';
export { createLogger, type Logger } from './logger';
export { apiKeyCheck } from './middleware/api-key-auth';
export type { AppState } from './state';
