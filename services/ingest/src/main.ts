// Wiring only: ingest's configuration, then the assembled service under runService (logs,
// metrics, tracing, gRPC health, dependency retries and probes, SIGTERM).
import { runService } from '@omen/service';
import { INGEST_PORTS, startIngestService } from './app.ts';
import { ingestConfigSchema } from './config.ts';

await runService({
  name: 'ingest',
  configSchema: ingestConfigSchema,
  ports: INGEST_PORTS,
  // PublishCommit carries a commit's hunks (trimmed to INGEST_MAX_HUNK_BYTES only after arrival).
  maxReceiveMessageBytes: 4 * 1024 * 1024,
  async start(ctx) {
    await startIngestService(ctx);
  },
});
