import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { loadProtos } from '@omen/contracts';
import { withFastResponses } from '../../src/server/fast-responses.ts';

const defs = loadProtos(['inference', 'kserve']);
const inference = defs['omen.inference.v1.Inference'] as grpc.ServiceDefinition;
const kserve = defs['inference.GRPCInferenceService'] as grpc.ServiceDefinition;

const prediction = {
  request_id: 'r1',
  model_name: 'jit-defect',
  model_version: 'v3',
  repo_id: 'github:a/b',
  entity_id: 'abc',
  bug_probability: 0.25,
  complexity_score: 0.5,
  security_risks: [{ category: 'weak_hash', path: '', score: 0.5, description: '1 hit' }],
  refactoring_suggestions: [{ path: 'x.ts', kind: 'reduce_complexity', message: 'm', priority: 0.75 }],
  top_contributions: [{ feature: 'la', value: 120, contribution: -0.125 }],
  scores: { bug_probability: 0.25, other: 1.5 },
  feature_set: 'jit_change_metrics',
  feature_set_version: 1,
  latency_ms: 0.75,
  trace_id: '',
};

/** The fast bytes must decode to exactly what proto-loader's own bytes decode to. */
function sameAsStandard(def: grpc.ServiceDefinition, service: string, method: string, value: unknown): void {
  const standard = def[method]!;
  const fast = withFastResponses(def, service)[method]!;
  const expected = standard.responseDeserialize(standard.responseSerialize(value));
  expect(fast.responseDeserialize(fast.responseSerialize(value))).toEqual(expected);
}

describe('withFastResponses', () => {
  it('encodes Predict, PredictBatch and PredictStream answers as the standard serializer does', () => {
    sameAsStandard(inference, 'omen.inference.v1.Inference', 'Predict', prediction);
    const { complexity_score: _c, ...withoutOptional } = prediction;
    sameAsStandard(inference, 'omen.inference.v1.Inference', 'Predict', withoutOptional);
    sameAsStandard(inference, 'omen.inference.v1.Inference', 'PredictBatch', {
      results: [
        { index: 0, prediction },
        { index: 1, error: { code: 'INVALID_ARGUMENT', message: 'requests[1].features.values: nf is missing' } },
      ],
    });
    sameAsStandard(inference, 'omen.inference.v1.Inference', 'PredictStream', {
      index: 7,
      prediction: withoutOptional,
    });
    sameAsStandard(inference, 'omen.inference.v1.Inference', 'PredictBatch', {
      results: [],
      packed: {
        model_name: 'jit-defect',
        model_version: 'v3',
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        rows: 2,
        bug_probability: [0.25, NaN],
        score_names: ['other'],
        scores: [1.5, NaN],
        top_k: 1,
        contribution_features: [3, -1],
        contributions: [-0.125, NaN],
        details: [
          { index: 1, error: { code: 'INVALID_ARGUMENT', message: 'packed.rows[1].features.values: nf is missing' } },
        ],
        latency_ms: 0.5,
        trace_id: '',
      },
    });
  });

  it('encodes KServe answers (int64 shapes, raw bytes, typed contents) as the standard serializer does', () => {
    const probs = new Float32Array([0.75, 0.25, 0.5, 0.5]);
    sameAsStandard(kserve, 'inference.GRPCInferenceService', 'ModelInfer', {
      model_name: 'jit-defect',
      model_version: '3',
      id: 'x',
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [2, 2] }],
      raw_output_contents: [Buffer.from(probs.buffer)],
    });
    sameAsStandard(kserve, 'inference.GRPCInferenceService', 'ModelInfer', {
      model_name: 'jit-defect',
      outputs: [
        { name: 'label', datatype: 'INT64', shape: [2], contents: { int64_contents: ['0', '1'] } },
        { name: 'probabilities', datatype: 'FP32', shape: [2, 2], contents: { fp32_contents: [...probs] } },
      ],
    });
    sameAsStandard(kserve, 'inference.GRPCInferenceService', 'ModelMetadata', {
      name: 'jit-defect',
      versions: ['3'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 14] }],
      outputs: [{ name: 'label', datatype: 'INT64', shape: [-1] }],
    });
    sameAsStandard(kserve, 'inference.GRPCInferenceService', 'ServerReady', { ready: true });
  });
});
