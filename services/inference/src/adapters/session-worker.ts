// Worker-thread entry: one ONNX Runtime session of one model version, running batches sent
// from the main thread. onnxruntime-node's session.run is synchronous on the calling thread, so
// on the main thread a batch blocks gRPC decoding and encoding for its whole duration; here it
// overlaps with them (the role of Triton's model instances).
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

export interface SessionWorkerInit {
  bytes: Uint8Array;
  options: ort.InferenceSession.SessionOptions;
}

export type SessionWorkerRequest = { id: number; x: Float32Array; rows: number; width: number };

export type SessionWorkerReply =
  | {
      kind: 'result';
      id: number;
      outputs: { name: string; type: ort.Tensor.Type; dims: number[]; data: ort.Tensor.DataType }[];
    }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'ready' }
  | { kind: 'load-failed'; message: string };

const port = parentPort;
if (!port) throw new Error('session-worker.ts must run as a worker thread');
const init = workerData as SessionWorkerInit;

try {
  const session = await ort.InferenceSession.create(init.bytes, init.options);
  const inputName = session.inputNames[0]!;
  port.on('message', (req: SessionWorkerRequest) => {
    session.run({ [inputName]: new ort.Tensor('float32', req.x, [req.rows, req.width]) }).then(
      (results) => {
        const outputs = session.outputNames.flatMap((name) => {
          const t = results[name];
          return t ? [{ name, type: t.type, dims: [...t.dims], data: t.data }] : [];
        });
        const reply = { kind: 'result', id: req.id, outputs } satisfies SessionWorkerReply;
        const transfer = outputs
          .map((o) => (o.data as ArrayBufferView).buffer)
          .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
        try {
          port.postMessage(reply, transfer);
        } catch {
          // A buffer the runtime does not let go of is copied instead.
          port.postMessage(reply);
        }
      },
      (err: unknown) =>
        port.postMessage({
          kind: 'error',
          id: req.id,
          message: err instanceof Error ? err.message : String(err),
        } satisfies SessionWorkerReply),
    );
  });
  port.postMessage({ kind: 'ready' } satisfies SessionWorkerReply);
} catch (err) {
  port.postMessage({
    kind: 'load-failed',
    message: err instanceof Error ? err.message : String(err),
  } satisfies SessionWorkerReply);
}
