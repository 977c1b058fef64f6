// trainer-coordinator: trains model versions on point-in-time training sets from ClickHouse,
// gates them against the champion, keeps the model registry, and announces promotions and
// rollbacks on NATS.
import { runService } from '@omen/service';
import { startTrainer } from './app.ts';
import { TRAINER_PORTS, trainerConfigSchema } from './config.ts';

await runService({
  name: 'trainer-coordinator',
  configSchema: trainerConfigSchema,
  ports: TRAINER_PORTS,
  // ImportModel may carry the ONNX model itself; every other request is a few ids.
  maxReceiveMessageBytes: 32 * 1024 * 1024,
  async start(ctx) {
    await startTrainer(ctx);
  },
});
