// The registry process: `node --import tsx packages/schema-registry/src/main.ts`.
import { createLogger } from '@omen/telemetry';
import { registryConfigFromEnv } from './config.ts';
import { createRegistryServer } from './server.ts';

const logger = createLogger({ service: 'schema-registry', level: process.env['OMEN_LOG_LEVEL'] ?? 'info' });
let config: ReturnType<typeof registryConfigFromEnv>;
let server: Awaited<ReturnType<typeof createRegistryServer>>;
try {
  config = registryConfigFromEnv();
  server = await createRegistryServer(config);
} catch (err) {
  // A bad setting, a taken port or a corrupt state file: the message says which; no stack.
  logger.fatal({ err }, `cannot start: ${(err as Error).message}`);
  process.exit(1);
}
// Launchers may wait for this line; keep its "listening on <url>" shape.
logger.info({ url: server.url, dataDir: config.dataDir }, `listening on ${server.url}`);

let closing = false;
const shutdown = (signal: string): void => {
  if (closing) return;
  closing = true;
  server.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err, signal }, 'error while stopping');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
