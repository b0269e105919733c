import {
  compileFilterPattern,
  FilterPatternError,
  metricValueFor,
} from '../../src/cloudwatch/filter-pattern';

/** The events of `events` that `pattern` matches, in order. */
function matching(pattern: string, events: readonly string[]): string[] {
  const compiled = compileFilterPattern(pattern);
  return events.filter((event) => compiled.matches(event));
}

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

// The project's own patterns, as infra/lib/log-patterns.ts renders them through the CDK.
const API_ERROR_PATTERN = '{ ($.level = "error") || ($.level = "fatal") }';
const KONG_ERROR_PATTERN = '?"[error]" ?"[crit]" ?"[alert]" ?"[emerg]"';

const pinoLine = (level: unknown) =>
  JSON.stringify({
    level,
    time: '2026-11-25T10:00:00.000Z',
    service: 'zama-api',
    msg: 'request failed',
    request_id: 'abc',
  });

describe('unstructured patterns', () => {
  // The guide's sample log for unstructured patterns.
  const EVENTS = [
    '[INFO 200] SUCCESSFUL REQUEST',
    '[ERROR 401] UNAUTHORIZED REQUEST',
    '[ERROR 400] BAD REQUEST',
    '[ERROR 419] MISSING ARGUMENTS',
    '[ERROR 420] INVALID ARGUMENTS',
    '[ERROR 500] INTERNAL SERVER ERROR',
    '[SUCCESS 200] AUTHORIZED REQUEST',
    '[INFO] REQUEST FAILED',
    '[WARN] UNAUTHORIZED REQUEST',
    '[WARNING 404] PAGE NOT FOUND',
    '[DEBUG 500] DEBUGGING INTERNAL INVALID',
  ];
  const ERRORS = EVENTS.filter((event) => event.startsWith('[ERROR'));

  test.each([
    ['a single term', 'ERROR', ERRORS],
    [
      'every term (AND)',
      'ERROR ARGUMENTS',
      ['[ERROR 419] MISSING ARGUMENTS', '[ERROR 420] INVALID ARGUMENTS'],
    ],
    ['any ? term (OR)', '?ERROR ?ARGUMENTS', ERRORS],
    [
      '? terms beside other terms, which AWS ignores',
      '?ERROR ?ARGUMENTS REQUEST',
      [
        '[INFO 200] SUCCESSFUL REQUEST',
        '[ERROR 401] UNAUTHORIZED REQUEST',
        '[ERROR 400] BAD REQUEST',
        '[SUCCESS 200] AUTHORIZED REQUEST',
        '[INFO] REQUEST FAILED',
        '[WARN] UNAUTHORIZED REQUEST',
      ],
    ],
    ['an exact phrase', '"INTERNAL SERVER ERROR"', ['[ERROR 500] INTERNAL SERVER ERROR']],
    [
      'an included and an excluded term',
      'ERROR -ARGUMENTS',
      ['[ERROR 401] UNAUTHORIZED REQUEST', '[ERROR 400] BAD REQUEST', '[ERROR 500] INTERNAL SERVER ERROR'],
    ],
    ['a blank phrase: everything', '" "', EVENTS],
    ['the empty pattern: everything', '', EVENTS],
    ['whitespace only: everything', '   ', EVENTS],
    ['an excluded term alone', '-REQUEST', EVENTS.filter((event) => !event.includes('REQUEST'))],
    ['case-sensitive terms', 'error', []],
    ['terms inside words', 'WARN', ['[WARN] UNAUTHORIZED REQUEST', '[WARNING 404] PAGE NOT FOUND']],
    ['a quoted term with symbols', '"[ERROR 4"', ERRORS.filter((event) => event.startsWith('[ERROR 4'))],
    [
      'an excluded quoted phrase',
      'REQUEST -"[ERROR"',
      EVENTS.filter((e) => e.includes('REQUEST') && !e.includes('[ERROR')),
    ],
    ['a number', '500', ['[ERROR 500] INTERNAL SERVER ERROR', '[DEBUG 500] DEBUGGING INTERNAL INVALID']],
  ])('%s: %s', (_case, pattern, expected) => {
    expect(matching(pattern, EVENTS)).toEqual(expected);
  });

  // The earlier edition of the guide, with its own sample events.
  test.each([
    ['ERROR', ['[ERROR] A fatal exception has occurred', 'Exiting with ERRORCODE: -1']],
    ['"ERROR" - "Exiting"', ['[ERROR] A fatal exception has occurred']],
    ['ERROR -Exiting', ['[ERROR] A fatal exception has occurred']],
  ])('%s on the guide\'s "ERROR" events', (pattern, expected) => {
    expect(
      matching(pattern, ['[ERROR] A fatal exception has occurred', 'Exiting with ERRORCODE: -1']),
    ).toEqual(expected);
  });

  test('ERROR Exception on the guide\'s "multiple terms" events', () => {
    const events = [
      '[ERROR] Caught IllegalArgumentException',
      '[ERROR] Unhandled Exception',
      '[ERROR] Timed out',
    ];
    expect(matching('ERROR Exception', events)).toEqual(events.slice(0, 2));
  });

  test.each([
    ['ERROR', ['ERROR WARN message', 'ERROR message']],
    ['?ERROR ?WARN', ['ERROR WARN message', 'ERROR message', 'WARN message']],
    ['ERROR WARN', ['ERROR WARN message']],
    ['ERROR -WARN', ['ERROR message']],
  ])("%s on the guide's OR examples", (pattern, expected) => {
    expect(matching(pattern, ['ERROR WARN message', 'ERROR message', 'WARN message'])).toEqual(expected);
  });

  test.each([
    ['2026/11/25 10:00:00 [error] 1#0: *7 connect() failed (111: Connection refused)', true],
    ['2026/11/25 10:00:00 [crit] 1#0: SSL_do_handshake() failed', true],
    ['2026/11/25 10:00:00 [emerg] 1#0: bind() to 0.0.0.0:8000 failed', true],
    ['2026/11/25 10:00:00 [warn] 1#0: an upstream response is buffered', false],
    ['2026/11/25 10:00:00 [notice] 1#0: signal process started', false],
  ])('the Kong error pattern on %s', (line, expected) => {
    expect(compileFilterPattern(KONG_ERROR_PATTERN).matches(line)).toBe(expected);
  });
});

describe('JSON patterns', () => {
  // The guide's sample event (both editions), on one line as the guide says to test it.
  const EVENT = JSON.stringify({
    eventType: 'UpdateTrail',
    sourceIPAddress: '111.111.111.111',
    arrayKey: ['value', 'another value'],
    objectList: [
      { name: 'a', id: 1 },
      { name: 'b', id: 2 },
    ],
    SomeObject: null,
    ThisFlag: true,
    'cluster.name': 'c',
  });

  test.each([
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.sourceIPAddress != 123.123.* }', true],
    ['{ $.arrayKey[0] = "value" }', true],
    ['{ $.objectList[1].id = 2 }', true],
    ['{ $.SomeObject IS NULL }', true],
    ['{ $.SomeOtherObject NOT EXISTS }', true],
    ['{ $.ThisFlag IS TRUE }', true],
    ['{ $.[\'cluster.name\'] = "c" }', true],
    ['{$.eventType=UpdateTrail}', true],
    ['{ $.eventType = "UpdateTrail2" }', false],
    ['{ $.eventType != "UpdateTrail" }', false],
    ['{ $.eventType = "updatetrail" }', false],
    ['{ $.sourceIPAddress = 123.123.* }', false],
    ['{ $.sourceIPAddress = 111.111.* }', true],
    ['{ $.ThisFlag IS FALSE }', false],
    ['{ $.SomeObject IS TRUE }', false],
    ['{ $.SomeObject NOT EXISTS }', false],
    ['{ $.eventType NOT EXISTS }', false],
    ['{ $.objectList[2].id NOT EXISTS }', true],
    ['{ $.arrayKey[0].name NOT EXISTS }', true],
    ['{ $.objectList[2].id = 2 }', false],
    ['{ $.objectList[2].id != 2 }', false],
    // A selector that points at an array or object is no match, whatever the operator.
    ['{ $.arrayKey = "value" }', false],
    ['{ $.arrayKey != "value" }', false],
    ['{ $.objectList[0] != 1 }', false],
    ['{ $.missing != "value" }', false],
  ])('%s', (pattern, expected) => {
    expect(compileFilterPattern(pattern).matches(EVENT)).toBe(expected);
  });

  test.each([
    ['{ $.eventType = "Update*" }', true],
    ['{ $.eventType = Update* }', true],
    ['{ $.eventType = *Trail }', true],
    ['{ $.eventType = *date* }', true],
    ['{ $.eventType = "*" }', true],
    ['{ $.eventType = * }', true],
    ['{ $.eventType = Delete* }', false],
    ['{ $.eventType != Delete* }', true],
    // The guide: a * inside a value (Ev*ent) only matches a literal *.
    ['{ $.eventType = Up*Trail }', false],
    ['{ $.SomeObject = * }', false],
    ['{ $.SomeOtherObject = * }', false],
    ['{ $.ThisFlag = * }', false],
    ['{ $.objectList[0].id = * }', true],
  ])('wildcard %s', (pattern, expected) => {
    expect(compileFilterPattern(pattern).matches(EVENT)).toBe(expected);
  });

  describe('compound conditions on the guide\'s "user" event', () => {
    const USERS = JSON.stringify({
      user: { id: 1, email: 'John.Stiles@example.com' },
      users: [
        { id: 2, email: 'John.Doe@example.com' },
        { id: 3, email: 'Jane.Doe@example.com' },
      ],
      actions: ['GET', 'PUT', 'DELETE'],
      coordinates: [
        [0, 1, 2],
        [4, 5, 6],
        [7, 8, 9],
      ],
    });

    test.each([
      ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
      ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
      [
        '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }',
        true,
      ],
      [
        '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }',
        false,
      ],
      [
        '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
        true,
      ],
      ['{ $.coordinates[2][0] = 7 && $.coordinates[1][2] >= 6 }', true],
      ['{ (($.actions[1] = "PUT")) }', true],
      ['{ $.actions[0] = "GET" && $.actions[1] = "GET" || $.user.id = 1 }', true],
      ['{ $.actions[0] = "GET" && ($.actions[1] = "GET" || $.user.id = 2) }', false],
    ])('%s', (pattern, expected) => {
      expect(compileFilterPattern(pattern).matches(USERS)).toBe(expected);
    });
  });

  describe('numeric comparisons', () => {
    const METRICS = JSON.stringify({
      bandwidth: 80,
      latency: 30,
      refreshRate: 60,
      responseTime: 4,
      errorCode: 400,
      number: [1000, 0.001],
      processes: [{}, {}, {}, {}, { averageRuntime: 55.5 }],
      text: '30',
    });

    test.each([
      ['{ $.bandwidth > 75 }', true],
      ['{ $.latency < 50 }', true],
      ['{ $.refreshRate >= 60 }', true],
      ['{ $.responseTime <= 5 }', true],
      ['{ $.errorCode = 400}', true],
      ['{ $.errorCode != 500 }', true],
      ['{ $.number[0] = 1e+3 }', true],
      ['{ $.number[0] != 1e-3 }', true],
      ['{ $.number[1] = 1e-3 }', true],
      ['{ $.number[0] < 10e3 }', true],
      ['{ $.processes[4].averageRuntime <= 55.5 }', true],
      ['{ $.latency > +10 }', true],
      ['{ $.latency > -1.5 }', true],
      ['{ $.errorCode = 400.0 }', true],
      ['{ $.bandwidth > 80 }', false],
      ['{ $.bandwidth < 80 }', false],
      ['{ $.refreshRate > 60 }', false],
      ['{ $.errorCode != 400 }', false],
      ['{ $.latency > +1000 }', false],
      // Numeric operators want a JSON number: not a string, an array or a missing property.
      ['{ $.text < 50 }', false],
      ['{ $.number > 1 }', false],
      ['{ $.missing < 50 }', false],
    ])('%s', (pattern, expected) => {
      expect(compileFilterPattern(pattern).matches(METRICS)).toBe(expected);
    });
  });

  test.each([
    ['a plain text line', 'level=error msg="request failed"'],
    ['JSON after a timestamp', `2026-11-25T10:00:00.000Z ${pinoLine('error')}`],
    ['a JSON string', '"error"'],
    ['truncated JSON', pinoLine('error').slice(0, -1)],
    ['an empty line', ''],
  ])('%s never matches a JSON pattern, not even NOT EXISTS', (_case, line) => {
    expect(compileFilterPattern('{ $.level = "error" }').matches(line)).toBe(false);
    expect(compileFilterPattern('{ $.level NOT EXISTS }').matches(line)).toBe(false);
  });

  test.each([
    ['error', true],
    ['fatal', true],
    ['warn', false],
    ['info', false],
    ['debug', false],
    ['ERROR', false],
    [50, false],
  ])('the API error pattern on a pino line at level %p', (level, expected) => {
    expect(compileFilterPattern(API_ERROR_PATTERN).matches(pinoLine(level))).toBe(expected);
  });

  test('the API error pattern ignores a trailing newline and needs a level', () => {
    const pattern = compileFilterPattern(API_ERROR_PATTERN);
    expect(pattern.matches(`${pinoLine('error')}\n`)).toBe(true);
    expect(pattern.matches(JSON.stringify({ msg: 'error', service: 'zama-api' }))).toBe(false);
  });

  test('the patterns the CDK renders for exists, notExists, isNull, booleanValue and numberValue', () => {
    // FilterPattern.all(exists('$.a'), notExists('$.b'), isNull('$.c'), booleanValue('$.d', false), numberValue('$.e', '>=', 3))
    const pattern = compileFilterPattern(
      '{ ($.a = "*") && ($.b NOT EXISTS) && ($.c IS NULL) && ($.d IS FALSE) && ($.e >= 3) }',
    );
    expect(pattern.matches('{"a":"x","c":null,"d":false,"e":3}')).toBe(true);
    expect(pattern.matches('{"a":"x","b":1,"c":null,"d":false,"e":3}')).toBe(false);
    expect(pattern.matches('{"a":"x","c":null,"d":false,"e":2.5}')).toBe(false);
    expect(pattern.matches('{"c":null,"d":false,"e":3}')).toBe(false);
  });

  test('keywords are case-insensitive', () => {
    const event = '{"flag":false,"gone":null}';
    expect(compileFilterPattern('{ $.flag is false && $.other not exists }').matches(event)).toBe(true);
  });

  test('extract returns the selected JSON value of a matching event', () => {
    const pattern = compileFilterPattern('{ $.level = "error" }');
    const line = '{"level":"error","http":{"status":503,"path":"/v1/keys"},"tags":["a","b"]}';
    expect(pattern.extract(line, '$.http.status')).toBe(503);
    expect(pattern.extract(line, '$.http')).toEqual({ status: 503, path: '/v1/keys' });
    expect(pattern.extract(line, '$.tags[1]')).toBe('b');
    expect(pattern.extract(line, '$.missing')).toBeUndefined();
    expect(pattern.extract(line.replace('"error"', '"info"'), '$.http.status')).toBeUndefined();
  });
});

describe('space-delimited patterns', () => {
  // The guide's Apache access log events, and its 404 event.
  const ACCESS_LOG = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
    '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 326',
  ];
  const [ok1534, error5324, ok4355, notFoundHtml, notFound326] = ACCESS_LOG;

  test.each([
    ['[ip, user, username, timestamp, request, status_code, bytes]', ACCESS_LOG],
    [
      '[ip, user, username, timestamp, request, status_code, bytes > 1000]',
      [ok1534, error5324, ok4355, notFoundHtml],
    ],
    ['[ip, user, username, timestamp, request, status_code = 200, bytes]', [ok1534, ok4355]],
    ['[ip, user, username, timestamp, request, status_code = 4*, bytes]', [notFoundHtml, notFound326]],
    ['[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', [notFoundHtml]],
    ['[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]', [notFoundHtml]],
    ['[..., request =*.html*, status_code = 4*, bytes]', [notFoundHtml]],
    [
      '[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]',
      [notFoundHtml],
    ],
    ['[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000, bytes]', [notFoundHtml]],
    ['[ip, user, username, timestamp, request, status_code = 4* && status_code != 404, bytes]', []],
    [
      '[ip, user, username, timestamp, request, status_code != 200, bytes]',
      [error5324, notFoundHtml, notFound326],
    ],
    ['[..., status_code, bytes]', ACCESS_LOG],
    ['[ip, user, ..., status_code, bytes]', ACCESS_LOG],
    ['[ip, user, ...]', ACCESS_LOG],
    ['[...]', ACCESS_LOG],
    ['[..., status_code = 500, ...]', [error5324]],
    ['[ip, user = Prod, ...]', [notFoundHtml]],
    ['[ip, user = "-", ...]', [ok1534, error5324, ok4355, notFound326]],
    ['[ip, user, username, timestamp = "10/Oct/2000:13:25:15 -0700", ...]', [ok1534, notFoundHtml]],
    ['[ip, user, username, timestamp, request = "GET /index.html HTTP/1.0", ...]', [notFoundHtml]],
    ['[ip, user, username, timestamp, request, status_code, bytes, extra]', []],
    ['[ip, user, username, timestamp, request, status_code = 200, bytes < 2000]', [ok1534]],
  ])('%s', (pattern, expected) => {
    expect(matching(pattern, ACCESS_LOG)).toEqual(expected);
  });

  // The guide's events for matching words in order.
  const SERVICE_LOG = [
    'INFO 09/25/2014 12:00:00 GET /service/resource/67 1200',
    'INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310',
    'WARNING 09/25/2014 12:00:02 Invalid user request',
    'ERROR 09/25/2014 12:00:02 Failed to process request',
  ];
  const [get, post, warning, error] = SERVICE_LOG;

  test.each([
    ['[w1=ERROR, w2]', [error]],
    ['[w1=ERROR || w1=WARNING, w2]', [warning, error]],
    ['[w1!=ERROR && w1!=WARNING, w2]', [get, post]],
    // Without a second field, the one field is the whole line.
    ['[w1=ERROR]', []],
    ['[w1]', SERVICE_LOG],
    ['[level, date, time, method, url = "/service/resource/*", response_time]', [get, post]],
    ['[level, date, time, method, url, response_time > 1250]', [post]],
    ['[level = INFO, ..., response_time > 1250]', [post]],
    ['[level, date, time, rest = "Failed to*"]', [error]],
  ])('%s', (pattern, expected) => {
    expect(matching(pattern, SERVICE_LOG)).toEqual(expected);
  });

  test('the pattern the CDK renders for spaceDelimited().whereString().whereNumber()', () => {
    const pattern = compileFilterPattern(
      '[time, component = "HttpServer", ..., result_code != 200, latency]',
    );
    expect(pattern.matches('2026-11-25T10:00:00Z HttpServer GET /v1/keys 503 12')).toBe(true);
    expect(pattern.matches('2026-11-25T10:00:00Z HttpServer GET /v1/keys 200 12')).toBe(false);
    expect(pattern.matches('2026-11-25T10:00:00Z Worker GET /v1/keys 503 12')).toBe(false);
  });

  test('extract returns the text of named and numbered fields, without quotes or brackets', () => {
    const pattern = compileFilterPattern(
      '[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]',
    );
    expect(
      Object.fromEntries(
        ['$bytes', '$status_code', '$request', '$timestamp', '$username', '$user', '$ip', '$4', '$7'].map(
          (selector) => [selector, pattern.extract(notFoundHtml, selector)],
        ),
      ),
    ).toEqual({
      $bytes: '1534',
      $status_code: '404',
      $request: 'GET /index.html HTTP/1.0',
      $timestamp: '10/Oct/2000:13:25:15 -0700',
      $username: 'frank',
      $user: 'Prod',
      $ip: '127.0.0.1',
      $4: '10/Oct/2000:13:25:15 -0700',
      $7: '1534',
    });
    expect(pattern.extract(ok1534, '$bytes')).toBeUndefined();
    expect(pattern.extract(notFoundHtml, '$8')).toBeUndefined();
  });

  test('the last field of a pattern without "..." takes the rest of the line', () => {
    expect(compileFilterPattern('[w1=ERROR, w2]').extract(error, '$w2')).toBe(
      '09/25/2014 12:00:02 Failed to process request',
    );
  });
});

describe('metricValueFor', () => {
  const LAMBDA_REPORT =
    'REPORT RequestId: 5002d846-892a-4bfe-83bb-b0c32406c482\tDuration: 741.17 ms\tBilled Duration: 800 ms\tMemory Size: 128 MB\tMax Memory Used: 84 MB';
  const APACHE_404 = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';
  const APACHE_PATTERN = '[ip, user, username, timestamp, request, status_code = 4*, bytes]';

  test.each([
    [
      'the guide: { $.latency = * } with $.latency',
      '{ $.latency = * }',
      '$.latency',
      '{"latency": 50, "requestType": "GET"}',
      50,
    ],
    ['a count on an API error line', API_ERROR_PATTERN, '1', pinoLine('error'), 1],
    ['a count on an API info line', API_ERROR_PATTERN, '1', pinoLine('info'), undefined],
    ['a fractional count', API_ERROR_PATTERN, '0.5', pinoLine('fatal'), 0.5],
    ['a count on a plain line with the empty pattern', '', '1', 'anything at all', 1],
    ['a count on a matching term', 'ERROR', ' 1 ', '[ERROR 500] INTERNAL SERVER ERROR', 1],
    [
      'a nested JSON number',
      '{ $.level = "error" }',
      '$.http.duration_ms',
      '{"level":"error","http":{"duration_ms":12.5}}',
      12.5,
    ],
    [
      'a JSON string holding a number',
      '{ $.level = "error" }',
      '$.latency',
      '{"level":"error","latency":"75"}',
      75,
    ],
    [
      'a JSON string that is no number',
      '{ $.level = "error" }',
      '$.latency',
      '{"level":"error","latency":"slow"}',
      undefined,
    ],
    ['a JSON boolean', '{ $.level = "error" }', '$.latency', '{"level":"error","latency":true}', undefined],
    ['a missing JSON property', '{ $.level = "error" }', '$.latency', '{"level":"error"}', undefined],
    [
      'a JSON event that does not match',
      '{ $.level = "error" }',
      '$.latency',
      '{"level":"info","latency":5}',
      undefined,
    ],
    ['a named field', APACHE_PATTERN, '$bytes', APACHE_404, 1534],
    ['another named field', APACHE_PATTERN, '$status_code', APACHE_404, 404],
    ['a numbered field', APACHE_PATTERN, '$7', APACHE_404, 1534],
    ['a field that is no number', APACHE_PATTERN, '$request', APACHE_404, undefined],
    ['a line that does not match', APACHE_PATTERN, '$bytes', APACHE_404.replace('404', '200'), undefined],
    [
      'a Lambda REPORT line split on tabs',
      '[type = REPORT, request_id_label, request_id, duration_label, duration, ...]',
      '$duration',
      LAMBDA_REPORT,
      741.17,
    ],
  ])('%s', (_case, pattern, metricValue, message, expected) => {
    expect(metricValueFor(pattern, metricValue, message)).toBe(expected);
  });

  test('takes a compiled pattern as well as its text', () => {
    const compiled = compileFilterPattern(API_ERROR_PATTERN);
    expect(metricValueFor(compiled, '1', pinoLine('fatal'))).toBe(1);
    expect(metricValueFor(compiled, '1', pinoLine('warn'))).toBeUndefined();
  });

  test.each([
    [
      'a selector with an unstructured pattern',
      'ERROR',
      '$.latency',
      'only JSON and space-delimited patterns have fields',
    ],
    ['a field with a JSON pattern', API_ERROR_PATTERN, '$latency', 'JSON selectors start with "$."'],
    [
      'a JSON selector with a space-delimited pattern',
      APACHE_PATTERN,
      '$.bytes',
      'use $ and one of its fields ($ip,',
    ],
    ['a field the pattern does not declare', APACHE_PATTERN, '$size', 'use $ and one of its fields'],
    ['a word', API_ERROR_PATTERN, 'latency', 'Invalid metric value "latency": expected a number'],
    ['a broken JSON selector', API_ERROR_PATTERN, '$.a[', 'Invalid selector "$.a[": expected an array index'],
  ])('rejects %s', (_case, pattern, metricValue, message) => {
    expect(() => metricValueFor(pattern, metricValue, pinoLine('error'))).toThrow(message);
  });
});

describe('invalid patterns', () => {
  test.each([
    ['{ $.level = }', 'expected a value after "=" at position 13'],
    ['{ $.level = "error"', 'unclosed "{" at position 1; add the matching "}"'],
    ['{ ($.level = "error" }', 'expected "&&", "||" or ")" at position 22'],
    ['{ ($.level = "error"', 'unclosed "(" at position 3; add the matching ")"'],
    ['{ $.level = "error" } extra', 'unexpected text after the closing "}" at position 23'],
    ['{ $.level = "error" $.msg = "x" }', 'expected "&&", "||" or "}" at position 21'],
    ['{ $.level == "error" }', 'unknown operator "==" at position 11; use one of = != < > <= >='],
    ['{ $.level =~ "error" }', 'unknown operator "=~" at position 11'],
    ['{ $.level LIKE "error" }', 'unknown operator "LIKE" at position 11'],
    [
      '{ $.level "error" }',
      'expected an operator (= != < > <= >=), IS or NOT EXISTS after the selector at position 11',
    ],
    ['{ $.a = 1 & $.b = 2 }', 'unknown operator "&" at position 11; use "&&" or "||"'],
    ['{ $.a = 1 | $.b = 2 }', 'unknown operator "|" at position 11'],
    ['{ $.latency > fast }', 'expected a number after ">" at position 15'],
    ['{ $.latency >= "5" }', 'expected a number after ">=" at position 16'],
    ['{ $.email = john@example.com }', 'expected "&&", "||" or "}" at position 17'],
    ['{ $.email = @example.com }', 'expected a value after "=" at position 13; put values with characters'],
    ['{ level = "error" }', 'expected a selector such as "$.level" at position 3'],
    ['{ }', 'expected a selector such as "$.level" at position 3'],
    ['{', 'expected a selector such as "$.level" at the end of the filter pattern'],
    ['{ $ = 1 }', 'expected a property after "$", such as "$.level" at position 4'],
    ['{ $. = 1 }', 'expected a property name after "." at position 5'],
    ['{ $.a[x] = 1 }', 'expected an array index or a quoted property name after "[" at position 7'],
    ['{ $.a[0 = 1 }', 'expected "]" at position 9'],
    ['{ $.a[*] = 1 }', 'wildcard selectors are not supported at position 7'],
    ['{ $.* = 1 }', 'wildcard selectors are not supported at position 5'],
    ['{ $.a = %Trail% }', 'regular expressions (%...%) are not supported at position 9'],
    ['{ $.a EXISTS }', 'EXISTS is not supported by CloudWatch Logs at position 7; use "= *"'],
    ['{ $.a IS NOT NULL }', 'IS NOT is not supported by CloudWatch Logs at position 7'],
    ['{ $.a IS MAYBE }', 'expected TRUE, FALSE or NULL after "IS" at position 10'],
    ['{ $.a NOT THERE }', 'expected EXISTS after "NOT" at position 11'],
    ['{ $.a = "open }', 'the quoted text starting here is never closed at position 9; add the closing "'],
    ['[ip, user', 'unclosed "[" at position 1; add the matching "]"'],
    ['[ip user]', 'expected an operator (= != < > <= >=) after "ip" at position 5'],
    ['[ip, user = 1 bytes]', 'expected "," or "]" at position 15'],
    ['[ip, ]', 'expected a field name or "..." at position 6'],
    ['[]', 'expected a field name or "..." at position 2'],
    ['[ip, ip]', 'field "ip" is declared twice at position 6'],
    [
      '[ip, status = 4* && bytes > 10]',
      'condition on "bytes", which is not a field of this pattern at position 21',
    ],
    ['[ip, status = ]', 'expected a value after "=" at position 15'],
    ['[ip, status ~ 4]', 'unknown operator "~" at position 13'],
    ['[ip, status 4]', 'expected an operator (= != < > <= >=) after "status" at position 13'],
    ['[ip, bytes > many]', 'expected a number after ">" at position 14'],
    ['[ip] trailing', 'unexpected text after the closing "]" at position 6'],
    ['[ip=%127\\.0%, user]', 'regular expressions (%...%) are not supported at position 5'],
    [
      'ERROR:',
      'term "ERROR:" has characters other than letters, digits and underscores at position 1; put it in double quotes',
    ],
    [
      'ERROR zama-api',
      'term "zama-api" has characters other than letters, digits and underscores at position 7',
    ],
    ['"unterminated phrase', 'the quoted text starting here is never closed at position 1'],
    ['ERROR -', 'expected a term after "-" at the end of the filter pattern'],
    ['%AUTHORIZED%', 'regular expressions (%...%) are not supported at position 1'],
  ])('%s', (pattern, problem) => {
    const error = errorOf(() => compileFilterPattern(pattern));
    expect(error).toBeInstanceOf(FilterPatternError);
    expect(error.message).toContain(`Invalid filter pattern "${pattern}": ${problem}`);
  });

  test('the message quotes the pattern and says what is wrong where', () => {
    expect(() => compileFilterPattern('{ $.level = }')).toThrow(
      new FilterPatternError(
        'Invalid filter pattern "{ $.level = }": expected a value after "=" at position 13',
      ),
    );
  });
});
