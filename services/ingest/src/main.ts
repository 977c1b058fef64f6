// Wiring only: ingest's configuration, then the assembled service under runService (logs,
// metrics, tracing, gRPC health, dependency retries, SIGTERM).
import { runService } from '@omen/service';
import { startIngest } from './app.ts';
import { ingestConfigSchema } from './config.ts';

await runService({
  name: 'ingest',
  configSchema: ingestConfigSchema,
  ports: { grpcPort: 50051, metricsPort: 9464 },
  async start(ctx) {
    const app = await startIngest(ctx.config, {
      logger: ctx.logger,
      metrics: ctx.metrics,
      grpc: ctx.grpc,
      host: ctx.config.HTTP_HOST,
      dependency: (name, connect) => ctx.dependency(name, connect),
    });
    ctx.onShutdown(() => app.close(), 'webhooks, kafka, redis');
  },
});
