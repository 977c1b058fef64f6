import { logLevel, type logCreator } from 'kafkajs';

/**
 * The logging surface this package needs; a pino logger (what @omen/telemetry hands out)
 * satisfies it as is.
 */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Routes kafkajs' own logs into ours. Its INFO lines ("Starting", "joined the group") are
 * lifecycle chatter that would drown a service log, so they go to debug.
 */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log as Record<string, unknown>;
      const entry = { component: 'kafkajs', namespace, ...fields };
      const text = typeof message === 'string' ? message : '';
      if (level === logLevel.ERROR) logger.error(entry, text);
      else if (level === logLevel.WARN) logger.warn(entry, text);
      else logger.debug(entry, text);
    };
}
