import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';

/** Anything with an async stop: consumers, a Kafka client's `close`, servers. */
export interface Stoppable {
  stop(): Promise<void>;
}

export interface StopOnSignalsOptions {
  /** @default ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[];
  logger?: Logger;
  /**
   * Exit the process once everything stopped (code 0, or 1 if a stop failed); a second
   * signal exits at once with 130. @default true
   */
  exit?: boolean;
}

/**
 * Graceful shutdown: on the first signal, stops each target in order (consumers stop
 * fetching, finish the record in flight, commit and leave their group). Returns a function
 * that removes the handlers.
 */
export function stopOnSignals(targets: readonly Stoppable[], options: StopOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const logger = options.logger ?? silentLogger;
  const exit = options.exit ?? true;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown; exiting now');
      if (exit) process.exit(130);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    void (async () => {
      let failed = false;
      for (const target of targets) {
        try {
          await target.stop();
        } catch (err) {
          failed = true;
          logger.error({ err }, 'stop failed');
        }
      }
      logger.info({ signal, failed }, 'stopped');
      if (exit) process.exit(failed ? 1 : 0);
    })();
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
