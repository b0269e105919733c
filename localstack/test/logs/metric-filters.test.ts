import type { MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { MetricFilterError, MetricFilters } from '../../src/logs/metric-filters';

const GROUP = '/ecs/zama-api-platform-local/api';
const API_ERRORS: MetricFilter = {
  filterName: 'api-errors',
  logGroupName: GROUP,
  filterPattern: '{ ($.level = "error") || ($.level = "fatal") }',
  metricTransformations: [
    { metricNamespace: 'ZamaApiPlatform', metricName: 'ApiErrorCount', metricValue: '1', defaultValue: 0 },
  ],
};
const LATENCY: MetricFilter = {
  filterName: 'latency',
  logGroupName: GROUP,
  filterPattern: '{ $.duration_ms > 0 }',
  metricTransformations: [
    {
      metricNamespace: 'ZamaApiPlatform',
      metricName: 'Latency',
      metricValue: '$.duration_ms',
      unit: 'Milliseconds',
    },
  ],
};
const AT = new Date('2026-11-25T10:00:10Z');
const line = (fields: Record<string, unknown>) => JSON.stringify({ time: '2026-11-25T10:00:00Z', ...fields });
const event = (message: string, logGroupName = GROUP) => ({ logGroupName, timestamp: AT.getTime(), message });

describe('MetricFilters', () => {
  it('counts each matching line of its log group as one sample of the metric value', () => {
    // GIVEN the api's error filter
    const filters = new MetricFilters([API_ERRORS]);
    // WHEN two error lines, a fatal one and an info one arrive, and one error line of another group
    for (const level of ['error', 'info', 'error', 'fatal']) filters.add(event(line({ level, msg: 'x' })));
    filters.add(event(line({ level: 'error' }), '/ecs/other'));
    // THEN the window's datum holds three samples of 1
    expect(filters.drain(AT)).toEqual([
      {
        namespace: 'ZamaApiPlatform',
        datum: {
          MetricName: 'ApiErrorCount',
          Timestamp: AT,
          StorageResolution: 1,
          StatisticValues: { SampleCount: 3, Sum: 3, Minimum: 1, Maximum: 1 },
        },
      },
    ]);
  });

  it('emits the default value for a window whose lines all failed to match', () => {
    const filters = new MetricFilters([API_ERRORS]);
    filters.add(event(line({ level: 'info' })));
    expect(filters.drain(AT)).toEqual([
      {
        namespace: 'ZamaApiPlatform',
        datum: { MetricName: 'ApiErrorCount', Timestamp: AT, StorageResolution: 1, Value: 0 },
      },
    ]);
  });

  it('emits nothing for a window without lines, or without matches when there is no default value', () => {
    const filters = new MetricFilters([API_ERRORS, LATENCY]);
    expect(filters.drain(AT)).toEqual([]);
    filters.add(event('not json at all'));
    expect(filters.drain(AT).map(({ datum }) => datum.MetricName)).toEqual(['ApiErrorCount']);
  });

  it('takes the metric value from the line and keeps the unit', () => {
    const filters = new MetricFilters([LATENCY]);
    filters.add(event(line({ duration_ms: 12 })));
    filters.add(event(line({ duration_ms: 30 })));
    expect(filters.drain(AT)[0].datum).toMatchObject({
      Unit: 'Milliseconds',
      StatisticValues: { SampleCount: 2, Sum: 42, Minimum: 12, Maximum: 30 },
    });
  });

  it('starts every window afresh', () => {
    const filters = new MetricFilters([API_ERRORS]);
    filters.add(event(line({ level: 'error' })));
    filters.drain(AT);
    expect(filters.drain(AT)).toEqual([]);
  });

  it('refuses a filter whose pattern is invalid, naming the filter', () => {
    expect(() => new MetricFilters([{ ...API_ERRORS, filterPattern: '{ $.level = }' }])).toThrow(
      new MetricFilterError(
        'metric filter api-errors: Invalid filter pattern "{ $.level = }": expected a value after "=" at position 13',
      ),
    );
  });
});
