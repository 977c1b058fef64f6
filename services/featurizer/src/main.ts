// Wiring only: config, then the assembled featurizer, stopped on SIGTERM/SIGINT.
import { exitOnConfigError, loadConfig } from '@omen/config';
import { stopOnSignals } from '@omen/kafka';
import { createLogger } from '@omen/telemetry';
import { startFeaturizer } from './app.ts';
import { featurizerConfigSchema } from './config.ts';

const config = await exitOnConfigError(() => loadConfig(featurizerConfigSchema));
const logger = createLogger({ service: 'featurizer', level: config.LOG_LEVEL });
try {
  const featurizer = await startFeaturizer(config, logger);
  stopOnSignals([featurizer], { logger });
} catch (err) {
  logger.fatal({ err }, 'featurizer failed to start');
  process.exit(1);
}
