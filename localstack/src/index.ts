/**
 * The package's one door (`@zama/localstack`), for the e2e suites: the local data plane's parts
 * they start or drive themselves, and what they read of the cloud assembly and the emulator.
 */
export * as alb from './alb';
export { formatInbox, type ReceivedNotification, readInbox } from './alerts/inbox';
export * from './cloud-assembly';
export type { AlarmState } from './cloudwatch/alarm-evaluator';
export { ALARM_HISTORY_FILE_NAME, AlarmHistoryFile, stateUpdateItem } from './cloudwatch/alarm-history';
export { compileFilterPattern, type FilterPattern, FilterPatternError } from './cloudwatch/filter-pattern';
export { cloudWatchOutbox, type MetricBacklog, MetricOutbox } from './cloudwatch/metric-outbox';
export { fillEmulatorGaps, isNoSuchDashboard } from './deploy/emulator-gaps';
export * from './deployed-names';
export * from './deployed-values';
export { DEFAULT_ROLLING_RESTART, RollingRestartError, rollingRestart } from './ecs/rolling-restart';
export { taskIdOf } from './ecs/task-containers';
export * from './emulator';
export * from './emulator-clients';
export { EMULATOR_INIT_DIR, START_HOOKS_PATH } from './emulator-init';
export { gatewayLimits, readGatewayTemplate } from './gateway/render';
export { LogShipper, type LogShippingBacklog, type ShippedLogEvent } from './logs/log-shipper';
export { ShippingCheckpoints } from './logs/shipping-checkpoints';
export { type PinnedName, pinned } from './versions';
