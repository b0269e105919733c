import { FilterPattern, type IFilterPattern } from 'aws-cdk-lib/aws-logs';

/**
 * The API logs pino JSON lines with the level as its label, e.g.
 * `{"level":"error","time":1767225600000,"msg":"upstream failed","request_id":"..."}`.
 * These are the levels that count as API errors.
 */
export const API_ERROR_LEVELS = ['error', 'fatal'] as const;

/** CloudWatch Logs filter pattern of the API error metric filter. */
export function apiErrorFilterPattern(): IFilterPattern {
  return FilterPattern.any(
    ...API_ERROR_LEVELS.map((level) => FilterPattern.stringValue('$.level', '=', level)),
  );
}

/** `{ ($.level = "error") || ($.level = "fatal") }`, for tests that check real log lines against it. */
export const API_ERROR_FILTER_PATTERN = apiErrorFilterPattern().logPatternString;

/**
 * Kong writes nginx's plain-text error log (`2026/01/01 12:00:00 [error] 1#0: ...`);
 * these are nginx's severities from error up.
 */
export const KONG_ERROR_SEVERITIES = ['[error]', '[crit]', '[alert]', '[emerg]'] as const;

export function kongErrorFilterPattern(): IFilterPattern {
  return FilterPattern.anyTerm(...KONG_ERROR_SEVERITIES);
}
