/**
 * The package's one door (`@zama/console`): what the e2e suites use of the console.
 */
export { type DashboardResponse, TIME_RANGES } from './console-app';
export { SUPPORTED_COMMANDS } from './logs/insights-query';
