export { AccessLog, type AccessLogContext, formatAccessLogEntry } from './access-log';
export { createAdminServer, describeTargetHealth, type TargetHealthDescription } from './admin';
export { type ResolveHost, resolveIpv4, TargetDiscovery, type TargetDiscoveryOptions } from './discovery';
export { checkTargetHealth, HEALTH_CHECK_USER_AGENT, HealthChecker } from './health-checker';
export { ListenError } from './listen';
export {
  ALB_METRICS_NAMESPACE,
  type AlbMetricDimensions,
  type AlbMetricsOptions,
  AlbMetricsPublisher,
  type AlbMetricsPublisherOptions,
  type MetricDataSink,
  metricsIntervalSeconds,
} from './metrics';
export type { CompletedRequest, RequestObserver } from './observer';
export { AlbProxy, type AlbProxyOptions } from './proxy';
export {
  type AlbSettings,
  AlbSettingsError,
  type ArnEnvironment,
  AWS_DEFAULTS,
  albSettingsFromStacks,
  arnEnvironmentFrom,
  type HealthCheckSettings,
  httpCodeMatcher,
  loadAlbSettings,
} from './settings';
export {
  DEFAULT_DISCOVERY_INTERVAL_SECONDS,
  type Diagnostic,
  logDiagnostic,
  type SimulatedAlb,
  type SimulatedAlbOptions,
  startSimulatedAlb,
  stdoutAccessLog,
} from './simulated-alb';
export { DEFAULT_ADMIN_PORT, DEFAULT_TARGET_HOST, EnvironmentError, startFromEnvironment } from './start';
export * from './targets';
export { forwardedTraceHeader, newTraceId } from './trace-id';
