// ab-router: experiments over the inference service: sticky traffic split, statistics per arm,
// guardrails that roll back to the control, events on experiments.events.v1.
import { runService } from '@omen/service';
import { startAbRouter } from './app.ts';
import { ABROUTER_PORTS, abRouterConfigSchema } from './config.ts';

await runService({
  name: 'ab-router',
  configSchema: abRouterConfigSchema,
  ports: ABROUTER_PORTS,
  // Predict forwards one PredictRequest (inline features at most); experiments are small specs.
  maxReceiveMessageBytes: 256 * 1024,
  async start(ctx) {
    await startAbRouter(ctx);
  },
});
