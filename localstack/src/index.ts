export * as alb from './alb';
export { formatInbox, type ReceivedNotification, readInbox } from './alerts/inbox';
export * from './cloud-assembly';
export * from './deployed-values';
export { DEFAULT_ROLLING_RESTART, RollingRestartError, rollingRestart } from './ecs/rolling-restart';
export * from './emulator';
export { EMULATOR_INIT_DIR, START_HOOKS_PATH } from './emulator-init';
export * from './platform-names';
export { type PinnedName, pinned } from './versions';
