import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  exportOnnx,
  featureNamesFromMetadata,
  sliceRows,
  JIT_TRAIN_PARAMS,
  ONNX_INPUT,
  ONNX_LABEL,
  ONNX_PROBABILITIES,
  predict,
  trainModel,
  type Dataset,
  type ModelKind,
} from '../../src/domain/index.ts';
import { onnx } from '../../src/domain/onnx/proto.ts';
import { qtSlice } from '../helpers/fixtures.ts';

async function runOnnx(
  bytes: Uint8Array,
  d: Dataset,
): Promise<{ p1: Float32Array; p0: Float32Array; label: BigInt64Array }> {
  const session = await ort.InferenceSession.create(bytes);
  const n = d.y.length;
  const f = d.featureNames.length;
  const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', Float32Array.from(d.x), [n, f]) });
  const probs = out[ONNX_PROBABILITIES]!;
  expect(probs.dims).toEqual([n, 2]);
  const data = probs.data as Float32Array;
  return {
    p0: data.filter((_, i) => i % 2 === 0),
    p1: data.filter((_, i) => i % 2 === 1),
    label: out[ONNX_LABEL]!.data as BigInt64Array,
  };
}

const data = qtSlice();
// Train on the first 3,000 real rows; compare on all 4,000 (seen and unseen rows alike).
const train = sliceRows(data, 0, 3000);

describe('ONNX export', () => {
  it.each<ModelKind>(['logistic', 'gbdt', 'ensemble'])(
    '%s: ONNX Runtime reproduces the trainer’s probabilities from raw metrics',
    async (kind) => {
      const { model, threshold } = trainModel(kind, train, {
        ...JIT_TRAIN_PARAMS,
        gbdt: { ...JIT_TRAIN_PARAMS.gbdt, numTrees: 300 },
      });
      if (model.kind !== 'logistic')
        expect((model.kind === 'gbdt' ? model : model.gbdt).trees.length).toBeGreaterThan(10);
      const bytes = exportOnnx(model, { threshold, metadata: { model_version: 'test-1' } });
      const { p0, p1, label } = await runOnnx(bytes, data);
      const mine = predict(model, data.x);
      let maxDiff = 0;
      for (let i = 0; i < mine.length; i++) maxDiff = Math.max(maxDiff, Math.abs(p1[i]! - mine[i]!));
      expect(maxDiff).toBeLessThan(1e-5);
      // The predictions must actually vary (a mis-encoded classifier returns 0.5 everywhere).
      expect(Math.max(...p1) - Math.min(...p1)).toBeGreaterThan(0.3);
      for (let i = 0; i < mine.length; i++) {
        expect(p0[i]! + p1[i]!).toBeCloseTo(1, 6);
        if (Math.abs(p1[i]! - 0.5) > 1e-6) expect(label[i]).toBe(p1[i]! > 0.5 ? 1n : 0n);
      }
    },
  );

  it('records the feature order, kind and threshold in metadata_props', () => {
    const { model, threshold } = trainModel('logistic', train, {});
    const decoded = onnx.ModelProto.decode(exportOnnx(model, { threshold, metadata: { model_version: 'v7' } }));
    const meta: Record<string, string> = Object.fromEntries(
      decoded.metadataProps.map((e) => [e.key, e.value] as const),
    );
    expect(featureNamesFromMetadata(meta)).toEqual([...data.featureNames]);
    expect(meta['model_kind']).toBe('logistic');
    expect(Number(meta['decision_threshold'])).toBeCloseTo(threshold, 12);
    expect(meta['model_version']).toBe('v7');
    expect(decoded.graph?.input?.[0]?.name).toBe(ONNX_INPUT);
    expect(decoded.graph?.output?.map((o) => o.name)).toEqual([ONNX_LABEL, ONNX_PROBABILITIES]);
  });

  it('the binary TreeEnsembleClassifier puts every leaf weight on class 0 with one base value', () => {
    const { model } = trainModel('gbdt', train, { gbdt: { numTrees: 5, earlyStoppingRounds: 0 } });
    const decoded = onnx.ModelProto.decode(exportOnnx(model));
    const tree = decoded.graph!.node!.find((nd) => nd.opType === 'TreeEnsembleClassifier')!;
    const attr = (name: string) => tree.attribute!.find((a) => a.name === name)!;
    expect(attr('class_ids').ints!.every((v) => Number(v) === 0)).toBe(true);
    expect(attr('base_values').floats).toHaveLength(1);
    expect(new TextDecoder().decode(attr('post_transform').s ?? new Uint8Array())).toBe('LOGISTIC');
    expect(decoded.graph!.node!.some((nd) => nd.opType === 'ZipMap')).toBe(false);
  });
});
