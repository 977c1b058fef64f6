// inference: serves registry models over gRPC (omen.inference.v1 and the Open Inference
// Protocol) and, with INFERENCE_STREAM=true, scores features.commits.v1 into predictions.v1.
import { runService } from '@omen/service';
import { startInference } from './app.ts';
import { INFERENCE_PORTS, inferenceConfigSchema } from './config.ts';

await runService({
  name: 'inference',
  configSchema: inferenceConfigSchema,
  ports: INFERENCE_PORTS,
  // PredictBatch / ModelInfer at INFERENCE_MAX_REQUEST_ROWS rows of named or packed features.
  maxReceiveMessageBytes: 4 * 1024 * 1024,
  start: (ctx) => {
    startInference(ctx);
  },
});
