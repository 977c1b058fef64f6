// Worker thread entry: one training job per worker, result posted back, then the thread exits.
import { parentPort, workerData } from 'node:worker_threads';
import { trainModel } from '../training/train-model.ts';
import type { TrainReply, TrainRequest } from './messages.ts';

const port = parentPort;
if (!port) throw new Error('train-worker.ts must run as a worker thread');
const req = workerData as TrainRequest;
let reply: TrainReply;
try {
  const started = performance.now();
  const result = trainModel(req.kind, req.dataset, req.params);
  reply = { ok: true, result, durationMs: performance.now() - started };
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  reply = {
    ok: false,
    error: {
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(e.stack ? { stack: e.stack } : {}),
    },
  };
}
port.postMessage(reply);
