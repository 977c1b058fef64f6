// drift-detector: compares features, predictions and labels per event-time window with the
// serving model's training reference; publishes monitoring.drift.v1, ClickHouse rows, gauges and
// drift.alert, and answers GetDriftReport / ListDriftReports.
import { runService } from '@omen/service';
import { startDriftDetector } from './app.ts';
import { DRIFT_PORTS, driftConfigSchema } from './config.ts';

await runService({
  name: 'drift-detector',
  configSchema: driftConfigSchema,
  ports: DRIFT_PORTS,
  // Report reads: a model, a version, a repository and a page token.
  maxReceiveMessageBytes: 64 * 1024,
  start: (ctx) => {
    startDriftDetector(ctx);
  },
});
