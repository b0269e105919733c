import { Writable } from 'node:stream';
import { createLogger } from '@zama/api';
import {
  API_ERROR_FILTER_PATTERN,
  API_ERROR_LEVELS,
  KONG_ERROR_SEVERITIES,
  kongErrorFilterPattern,
} from '../lib/log-patterns';

/**
 * CloudWatch Logs semantics for the two pattern shapes the platform uses: a JSON pattern made
 * of `($.field = "value")` terms joined by `||`, and `?"term"` alternatives matched as
 * substrings. A line that is not a JSON object never matches a JSON pattern.
 */
function matches(pattern: string, line: string): boolean {
  const json = /^\{ (.*) \}$/.exec(pattern);
  if (json) {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return false;
    }
    return (json[1] as string).split(' || ').some((term) => {
      const [, path, value] = /^\(\$\.([\w.]+) = "(.*)"\)$/.exec(term) ?? [];
      if (path === undefined) throw new Error(`unsupported term ${term}`);
      const field = path
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
      return field === value;
    });
  }
  return [...pattern.matchAll(/\?"([^"]*)"/g)].some(([, term]) => line.includes(term as string));
}

/** Lines as the API writes them: pino JSON with the level as its label. */
const apiLine = (level: string, msg: string) =>
  JSON.stringify({ level, time: 1767225600000, pid: 1, hostname: 'api-1', msg, request_id: '0f9c2e4a' });

describe('API error filter pattern', () => {
  test('is the pattern the API and the local data plane agree on', () => {
    // GIVEN the API's levels error and fatal
    // WHEN the pattern is rendered
    // THEN
    expect(API_ERROR_LEVELS).toEqual(['error', 'fatal']);
    expect(API_ERROR_FILTER_PATTERN).toBe('{ ($.level = "error") || ($.level = "fatal") }');
  });

  test.each(['error', 'fatal'])('counts a line logged at %s', (level) => {
    // GIVEN a pino line at an error level
    const line = apiLine(level, 'upstream failed');
    // WHEN / THEN
    expect(matches(API_ERROR_FILTER_PATTERN, line)).toBe(true);
  });

  test.each(['trace', 'debug', 'info', 'warn'])('ignores a line logged at %s', (level) => {
    // GIVEN a pino line below error
    const line = apiLine(level, 'an error was handled');
    // WHEN / THEN
    expect(matches(API_ERROR_FILTER_PATTERN, line)).toBe(false);
  });

  test('ignores numeric pino levels and plain text, so the API must log level labels as JSON', () => {
    // GIVEN pino's default numeric level (50 = error) and a plain-text line
    const lines = [JSON.stringify({ level: 50, msg: 'upstream failed' }), 'ERROR upstream failed'];
    // WHEN / THEN
    for (const line of lines) expect(matches(API_ERROR_FILTER_PATTERN, line)).toBe(false);
  });
});

describe('Kong error filter pattern', () => {
  test('counts nginx error-log lines of severity error and above, nothing below', () => {
    // GIVEN Kong's nginx error-log lines
    const line = (severity: string) =>
      `2026/01/01 12:00:00 ${severity} 1#0: *42 upstream timed out, client: 10.0.1.5`;
    const pattern = kongErrorFilterPattern().logPatternString;
    // WHEN / THEN
    for (const severity of KONG_ERROR_SEVERITIES) expect(matches(pattern, line(severity))).toBe(true);
    for (const severity of ['[warn]', '[notice]', '[info]', '[debug]'])
      expect(matches(pattern, line(severity))).toBe(false);
  });
});

describe("API error filter pattern against the API's own logger", () => {
  /** Log lines exactly as the API service writes them. */
  function realApiLines(log: (logger: ReturnType<typeof createLogger>) => void): string[] {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    log(createLogger({ logLevel: 'debug', logFormat: 'json' }, sink));
    return lines;
  }

  test('counts the lines the API logs at error and fatal, and no others', () => {
    // GIVEN the API's logger writing one line per level
    const lines = realApiLines((logger) => {
      logger.debug('debug line');
      logger.info({ request_id: 'r-1', status: 200 }, 'request completed');
      logger.warn('warn line');
      logger.error({ request_id: 'r-2', err: new Error('boom') }, 'request failed');
      logger.fatal('fatal line');
    });
    // WHEN the metric filter's pattern is applied
    const counted = lines.filter((line) => matches(API_ERROR_FILTER_PATTERN, line));
    // THEN exactly the error and fatal lines count
    expect(lines).toHaveLength(5);
    expect(counted.map((line) => JSON.parse(line).msg)).toEqual(['request failed', 'fatal line']);
  });

  test('would not count an error line written with pino numeric levels', () => {
    expect(matches(API_ERROR_FILTER_PATTERN, '{"level":50,"msg":"numeric"}')).toBe(false);
  });
});
