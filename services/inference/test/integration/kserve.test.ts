// The Open Inference Protocol as a Triton/KServe client speaks it: a client built from the
// published grpc_predict_v2.proto alone, tensors as little-endian raw bytes.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRegistry, jitGbdt, jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { call, callError, kserveClient, startTestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

let client: grpc.Client;
let champion: Uint8Array;

beforeAll(async () => {
  const reg = await createTestRegistry(cleanup);
  champion = await reg.publish('jit-defect', '3', jitGbdt(3), ['champion']);
  // No REDIS_URL: the KServe path needs no online store.
  const svc = await startTestService(cleanup, { INFERENCE_REGISTRY_DIR: reg.dir });
  await svc.running.ready;
  client = kserveClient(svc.address);
  cleanup(() => Promise.resolve(client.close()));
});

interface InferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: {
    name: string;
    datatype: string;
    shape: number[];
    contents?: { fp32_contents: number[]; int64_contents: number[] };
  }[];
  raw_output_contents: Buffer[];
}

const rows = [jitValues(11), jitValues(12), jitValues(13)].map(jitRow);
const rawInput = () => {
  const x = new Float32Array(rows.length * 14);
  rows.forEach((r, i) => x.set(r, i * 14));
  return Buffer.from(x.buffer);
};

describe('KServe v2 health and metadata', () => {
  it('reports live, ready, and per-model readiness', async () => {
    expect(await call(client, 'ServerLive', {})).toEqual({ live: true });
    expect(await call(client, 'ServerReady', {})).toEqual({ ready: true });
    expect(await call(client, 'ModelReady', { name: 'jit-defect', version: '' })).toEqual({ ready: true });
    expect(await call(client, 'ModelReady', { name: 'jit-defect', version: '3' })).toEqual({ ready: true });
    expect(await call(client, 'ModelReady', { name: 'jit-defect', version: '4' })).toEqual({ ready: false });
    expect(await call(client, 'ModelReady', { name: 'other', version: '' })).toEqual({ ready: false });
  });

  it('describes the server and the model’s tensors', async () => {
    // Plain proto-loader leaves empty repeated fields out, as a protobuf client would.
    expect(await call(client, 'ServerMetadata', {})).toEqual({ name: 'omen-inference', version: '0.1.0' });
    const meta = await call(client, 'ModelMetadata', { name: 'jit-defect', version: '' });
    expect(meta).toEqual({
      name: 'jit-defect',
      versions: ['3'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 14] }],
      outputs: [
        { name: 'label', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    });
    const missing = await callError(client, 'ModelMetadata', { name: 'other' });
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('session workers', () => {
  it('run batches on worker threads with the same results as the main-thread session', async () => {
    const reg = await createTestRegistry(cleanup);
    await reg.publish('jit-defect', '3', jitGbdt(3), ['champion']);
    const svc = await startTestService(cleanup, { INFERENCE_REGISTRY_DIR: reg.dir, INFERENCE_SESSION_WORKERS: '2' });
    await svc.running.ready;
    const workersClient = kserveClient(svc.address);
    cleanup(() => Promise.resolve(workersClient.close()));
    const request = {
      model_name: 'jit-defect',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [3, 14] }],
      raw_input_contents: [rawInput()],
    };
    // Several at once, so both workers take batches.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call<InferResponse>(workersClient, 'ModelInfer', request)),
    );
    const expected = await referenceP1(champion, rows);
    for (const res of answers) {
      const raw = res.raw_output_contents[1]!;
      const probs = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expected.forEach((p, i) => expect(probs[i * 2 + 1]).toBeCloseTo(p, 6));
    }
  });
});

describe('ModelInfer', () => {
  it('takes raw little-endian FP32 input and answers with raw outputs that match ONNX Runtime', async () => {
    const res = await call<InferResponse>(client, 'ModelInfer', {
      model_name: 'jit-defect',
      id: 'triton-1',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [3, 14] }],
      outputs: [{ name: 'probabilities' }],
      raw_input_contents: [rawInput()],
    });
    expect(res).toMatchObject({ model_name: 'jit-defect', model_version: '3', id: 'triton-1' });
    expect(res.outputs).toEqual([{ name: 'probabilities', datatype: 'FP32', shape: [3, 2] }]);
    const raw = res.raw_output_contents[0]!;
    const probs = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const expected = await referenceP1(champion, rows);
    expected.forEach((p, i) => {
      expect(probs[i * 2 + 1]).toBeCloseTo(p, 6);
      expect(probs[i * 2]! + probs[i * 2 + 1]!).toBeCloseTo(1, 6);
    });
  });

  it('takes typed contents and answers in kind, every output when none is requested', async () => {
    const res = await call<InferResponse>(client, 'ModelInfer', {
      model_name: 'jit-defect',
      inputs: [
        {
          name: 'features',
          datatype: 'FP32',
          shape: [3, 14],
          contents: { fp32_contents: rows.flatMap((r) => [...r]) },
        },
      ],
    });
    expect(res.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
    const expected = await referenceP1(champion, rows);
    const probs = res.outputs[1]!.contents!.fp32_contents;
    expected.forEach((p, i) => expect(probs[i * 2 + 1]).toBeCloseTo(p, 6));
    expect(res.outputs[0]!.contents!.int64_contents).toEqual(expected.map((p) => (p > 0.5 ? 1 : 0)));
  });

  it('refuses malformed tensors with INVALID_ARGUMENT naming the field, an unknown model with NOT_FOUND', async () => {
    const base = {
      model_name: 'jit-defect',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [3, 14] }],
      raw_input_contents: [rawInput()],
    };
    const cases: [unknown, string, RegExp][] = [
      [
        { ...base, inputs: [{ name: 'features', datatype: 'FP64', shape: [3, 14] }] },
        'inputs[0].datatype',
        /"features" is FP32/,
      ],
      [
        { ...base, inputs: [{ name: 'features', datatype: 'FP32', shape: [3, 13] }] },
        'inputs[0].shape',
        /takes 14 features/,
      ],
      [
        { ...base, inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 14] }] },
        'inputs[0].name',
        /model's input is "features"/,
      ],
      [
        { ...base, raw_input_contents: [rawInput().subarray(4)] },
        'raw_input_contents[0]',
        /164 bytes; FP32 \[3, 14\] needs 168/,
      ],
      [{ ...base, outputs: [{ name: 'logits' }] }, 'outputs[0].name', /not an output/],
    ];
    for (const [request, field, message] of cases) {
      const err = await callError(client, 'ModelInfer', request);
      expect(err.code, field).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.metadata.get('omen-field')[0]).toBe(field);
      expect(err.details).toMatch(message);
    }
    const nan = rawInput();
    nan.writeFloatLE(Number.NaN, 4 * 16);
    const err = await callError(client, 'ModelInfer', { ...base, raw_input_contents: [nan] });
    expect(err.details).toMatch(/inputs\[0\]\[1, 2\] \(nf\) is NaN/);
    const unknown = await callError(client, 'ModelInfer', { ...base, model_name: 'other' });
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });
});
