/**
 * The log view's search: a log group's events in a time range that match a filter pattern,
 * with the syntax of metric filters and FilterLogEvents ("Filter pattern syntax" in the
 * CloudWatch Logs user guide), applied by the data plane's own engine rather than the emulator's
 * (moto's FilterLogEvents knows only a few forms). The live tail asks again from the newest
 * event it has, as often as the page refreshes.
 */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { compileFilterPattern, type FilterPattern } from '@zama/localstack';
import { type DashboardReader, LOG_EVENTS_READ } from '../dashboard/dashboard-view';

/** Matching events shown, the newest; CloudWatch's console pages through 10,000 at most. */
export const LOG_SEARCH_SHOWN = 1_000;

export interface LogSearchResult {
  /** Oldest first, the newest {@link LOG_SEARCH_SHOWN} that match. */
  readonly events: readonly FilteredLogEvent[];
  readonly scanned: number;
  readonly matched: number;
  /** The range held more events than the console reads ({@link LOG_EVENTS_READ}, the oldest). */
  readonly truncated: boolean;
}

/** Compiles the pattern, or throws FilterPatternError with the engine's words; an empty one matches all. */
export function logFilter(pattern: string): FilterPattern | undefined {
  return pattern.trim() === '' ? undefined : compileFilterPattern(pattern);
}

export async function searchLogEvents(
  reader: Pick<DashboardReader, 'filterLogEvents'>,
  logGroupName: string,
  filter: FilterPattern | undefined,
  start: Date,
  end: Date,
): Promise<LogSearchResult> {
  const { events, truncated } = await reader.filterLogEvents(logGroupName, start, end, LOG_EVENTS_READ);
  const matching = filter ? events.filter(({ message = '' }) => filter.matches(message)) : events;
  return {
    events: matching.slice(-LOG_SEARCH_SHOWN),
    scanned: events.length,
    matched: matching.length,
    truncated,
  };
}
