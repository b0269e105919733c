import {
  InsightsQueryError,
  naturalCompare,
  parseInsightsQuery,
  QueryNotSupportedError,
  recordOf,
  runInsightsQuery,
} from '../src/logs/insights-query';

const apiLine = (timestamp: number, fields: Record<string, unknown>) =>
  recordOf({
    timestamp,
    message: JSON.stringify(fields),
    logStreamName: 'api/api/1',
    logGroupName: '/aws/ecs/zama/api',
  });

/** The observability stack's "Latest API errors" widget. */
const LATEST_ERRORS = `SOURCE '/aws/ecs/zama/api' | fields @timestamp, level, msg, request_id
| filter level in ["error", "fatal"]
| sort @timestamp desc
| limit 50`;

/** Its "Rejected connections by source" widget. */
const REJECTED = `SOURCE '/vpc/flow-logs' | filter action = "REJECT"
| stats count(*) as rejected by srcAddr, dstPort
| sort rejected desc
| limit 20`;

describe('parseInsightsQuery', () => {
  test("reads the dashboard's SOURCE and commands", () => {
    const query = parseInsightsQuery(LATEST_ERRORS);
    expect(query.logGroupNames).toEqual(['/aws/ecs/zama/api']);
    expect(query.commands.map(({ kind }) => kind)).toEqual(['fields', 'filter', 'sort', 'limit']);
  });

  test.each([
    ['parse', `fields @message | parse @message "* *" as a, b`, /"parse" is not supported locally/],
    ['display', `display @message`, /"display" is not supported locally/],
    ['a stats function', `stats pct(latency, 99)`, /stats function "pct" is not supported locally/],
    ['grouping by bin()', `stats count(*) by bin(5m)`, /function bin\(\) is not supported locally/],
    ['a function in filter', `filter strlen(msg) > 3`, /function strlen\(\) is not supported locally/],
  ])('says that %s is not supported locally', (_, query, reason) => {
    expect(() => parseInsightsQuery(query)).toThrow(QueryNotSupportedError);
    expect(() => parseInsightsQuery(query)).toThrow(reason);
  });

  test.each([
    ['an open quote', `filter msg = "abc`],
    ['a limit of no rows', `limit 0`],
    ['trailing words', `sort @timestamp desc sideways`],
    ['an open list', `filter level in ["error"`],
  ])('refuses %s as malformed', (_, query) => {
    expect(() => parseInsightsQuery(query)).toThrow(InsightsQueryError);
    expect(() => parseInsightsQuery(query)).not.toThrow(QueryNotSupportedError);
  });
});

describe('runInsightsQuery', () => {
  test('latest errors: the error and fatal lines, newest first, with the chosen fields', () => {
    // GIVEN info, error and fatal lines of the api
    const records = [
      apiLine(1000, { level: 'info', msg: 'request completed', request_id: 'a' }),
      apiLine(2000, { level: 'error', msg: 'boom', request_id: 'b' }),
      apiLine(3000, { level: 'fatal', msg: 'gone', request_id: 'c' }),
      apiLine(4000, { level: 'warn', msg: 'slow', request_id: 'd' }),
    ];
    // WHEN
    const result = runInsightsQuery(parseInsightsQuery(LATEST_ERRORS), records);
    // THEN
    expect(result.columns).toEqual(['@timestamp', 'level', 'msg', 'request_id']);
    expect(result.rows).toEqual([
      { '@timestamp': 3000, level: 'fatal', msg: 'gone', request_id: 'c' },
      { '@timestamp': 2000, level: 'error', msg: 'boom', request_id: 'b' },
    ]);
  });

  test('rejected connections: counted by source and port, most first, from the default flow log format', () => {
    // GIVEN flow log records (version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status)
    const flow = (src: string, port: number, action: string) =>
      recordOf({
        timestamp: 1,
        message: `2 123456789012 eni-1 ${src} 10.0.1.5 40000 ${port} 6 1 40 1 2 ${action} OK`,
      });
    const records = [
      flow('203.0.113.9', 22, 'REJECT'),
      flow('203.0.113.9', 22, 'REJECT'),
      flow('198.51.100.7', 3389, 'REJECT'),
      flow('198.51.100.7', 8080, 'ACCEPT'),
    ];
    // WHEN
    const result = runInsightsQuery(parseInsightsQuery(REJECTED), records);
    // THEN
    expect(result.columns).toEqual(['srcAddr', 'dstPort', 'rejected']);
    expect(result.rows).toEqual([
      { srcAddr: '203.0.113.9', dstPort: 22, rejected: 2 },
      { srcAddr: '198.51.100.7', dstPort: 3389, rejected: 1 },
    ]);
  });

  test('filters compare numbers as numbers, and combine with and, or, not and like', () => {
    const records = [
      apiLine(1, { status: 500, path: '/api/v1/sum' }),
      apiLine(2, { status: 200, path: '/api/v1/sum' }),
      apiLine(3, { status: 404, path: '/HEALTHZ' }),
      apiLine(4, { nested: { ms: 12 } }),
    ];
    const run = (query: string) =>
      runInsightsQuery(parseInsightsQuery(`fields @timestamp | ${query}`), records).rows.map(
        (r) => r['@timestamp'],
      );
    expect(run('filter status >= 400')).toEqual([1, 3]);
    expect(run('filter status >= 400 and not path like /health/i')).toEqual([1]);
    expect(run('filter status = 200 or nested.ms > 10')).toEqual([2, 4]);
    expect(run('filter path like "v1"')).toEqual([1, 2]);
    expect(run('filter status not in [200, 500]')).toEqual([3, 4]);
    expect(run('filter status != 200')).toEqual([1, 3]);
  });

  test('stats without by, and sum, avg, min and max', () => {
    const records = [apiLine(1, { ms: 2 }), apiLine(2, { ms: 4 }), apiLine(3, { other: 1 })];
    const result = runInsightsQuery(
      parseInsightsQuery('stats count(*), count(ms) as timed, sum(ms), avg(ms), min(ms), max(ms)'),
      records,
    );
    expect(result.rows).toEqual([
      { 'count(*)': 3, timed: 2, 'sum(ms)': 6, 'avg(ms)': 3, 'min(ms)': 2, 'max(ms)': 4 },
    ]);
  });

  test('without fields, the rows are @timestamp and @message, at most 10,000 of them', () => {
    const records = Array.from({ length: 10_001 }, (_, i) =>
      recordOf({ timestamp: i, message: `line ${i}` }),
    );
    const result = runInsightsQuery(parseInsightsQuery("SOURCE 'g'"), records);
    expect(result.columns).toEqual(['@timestamp', '@message']);
    expect(result.rows).toHaveLength(10_000);
  });
});

describe('naturalCompare', () => {
  test("orders as the guide's sort example: symbols, alphanumerics, letters, then numbers", () => {
    // GIVEN the guide's ascending example, shuffled
    const sorted = [
      '!:',
      '#',
      '*%04',
      '0#',
      '5A',
      '111A',
      '2345_',
      '@',
      '@_',
      'A',
      'A9876fghj',
      'a12345hfh',
      '0',
      '01',
      '1',
      '2',
      '3',
    ];
    const shuffled = [...sorted].reverse();
    // WHEN / THEN
    expect(shuffled.sort(naturalCompare)).toEqual(sorted);
  });
});
