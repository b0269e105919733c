import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { isoNow } from './clock';
import type { Config } from './config';
import { stdoutDestination } from './log-destination';
import { SERVICE_NAME } from './service-info';

export type { Logger } from 'pino';

/**
 * One JSON object per line. The level is written as its label ("error", not 50) because the
 * platform's CloudWatch metric filter counts `{ ($.level = "error") || ($.level = "fatal") }`.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  destination: DestinationStream = stdoutDestination(),
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    messageKey: 'msg',
    base: { service: SERVICE_NAME },
    timestamp: () => `,"time":"${isoNow()}"`,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (config.logFormat === 'pretty') {
    const prettify = prettyFactory({ colorize: false });
    return pino(options, { write: (line: string) => destination.write(prettify(line)) });
  }
  return pino(options, destination);
}
