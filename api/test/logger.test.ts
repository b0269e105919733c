import { createLogger } from '../src/logger';
import { MemoryLog } from './support/memory-log';

// infra/test/log-patterns.test.ts checks these lines against the infra metric filter.
describe('createLogger', () => {
  it('writes one JSON object per line with the level as its label', () => {
    const log = new MemoryLog();
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, log);
    logger.info({ request_id: 'r-1' }, 'all good');
    logger.error({ request_id: 'r-2' }, 'something broke');

    expect(log.lines).toHaveLength(2);
    const [info, error] = log.entries;
    expect(info).toMatchObject({ level: 'info', msg: 'all good', request_id: 'r-1', service: 'zama-api' });
    expect(error).toMatchObject({ level: 'error', msg: 'something broke', request_id: 'r-2' });
    expect(new Date(String(info.time)).toISOString()).toBe(info.time);
  });

  it('writes warn and fatal as labels too', () => {
    const log = new MemoryLog();
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, log);
    logger.warn('careful');
    logger.fatal('gone');
    expect(log.entries.map((entry) => entry.level)).toEqual(['warn', 'fatal']);
  });

  it('drops lines below LOG_LEVEL', () => {
    const log = new MemoryLog();
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, log);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(log.entries.map((entry) => entry.msg)).toEqual(['w', 'e']);
  });

  it('writes debug lines when LOG_LEVEL=debug', () => {
    const log = new MemoryLog();
    createLogger({ logLevel: 'debug', logFormat: 'json' }, log).debug('details');
    expect(log.entries).toEqual([expect.objectContaining({ level: 'debug', msg: 'details' })]);
  });

  it('writes human-readable lines when LOG_FORMAT=pretty', () => {
    const log = new MemoryLog();
    createLogger({ logLevel: 'info', logFormat: 'pretty' }, log).error(
      { request_id: 'r-9' },
      'pretty failure',
    );
    expect(log.text).toMatch(/ERROR.*pretty failure/);
    expect(log.text).toContain('request_id: "r-9"');
    expect(() => JSON.parse(log.lines[0])).toThrow();
  });
});
