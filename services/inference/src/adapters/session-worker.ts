// Worker-thread entry: one ONNX Runtime session of one model version, running batches sent
// from the main thread. onnxruntime-node's session.run is synchronous on the calling thread, so
// on the main thread a batch blocks gRPC decoding and encoding for its whole duration; here it
// overlaps with them (the role of Triton's model instances).
import * as ort from 'onnxruntime-node';
import { serveWorkerCalls } from '@omen/service/worker';
import type { OutputTensor } from '../domain/prediction.ts';

export interface SessionWorkerInit {
  bytes: Uint8Array;
  options: ort.InferenceSession.SessionOptions;
}

export type SessionWorkerRequest = { x: Float32Array; rows: number; width: number };

serveWorkerCalls<SessionWorkerInit, SessionWorkerRequest, OutputTensor[]>(async (init) => {
  const session = await ort.InferenceSession.create(init.bytes, init.options);
  const inputName = session.inputNames[0]!;
  return async (req) => {
    const results = await session.run({ [inputName]: new ort.Tensor('float32', req.x, [req.rows, req.width]) });
    const outputs = session.outputNames.flatMap((name): OutputTensor[] => {
      const t = results[name];
      return t ? [{ name, type: t.type, dims: [...t.dims], data: t.data }] : [];
    });
    // The output buffers go back without a copy.
    const transfer = outputs
      .map((o) => (o.data as ArrayBufferView).buffer)
      .filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    return { value: outputs, transfer };
  };
});
