import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { graphOps, planProviders } from '../../src/domain/execution-provider.ts';

const onnx = onnxProto.onnx;
const model = (nodes: { opType: string; domain?: string }[]): Uint8Array =>
  onnx.ModelProto.encode({ irVersion: 8, graph: { name: 'g', node: nodes } }).finish();

describe('execution provider per model', () => {
  it('reads every node of the graph with its domain', () => {
    expect(
      graphOps(model([{ opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml' }, { opType: 'Sigmoid' }])),
    ).toEqual([
      { domain: 'ai.onnx.ml', opType: 'TreeEnsembleClassifier' },
      { domain: '', opType: 'Sigmoid' },
    ]);
  });

  it('a tree ensemble opens on CPU even with cuda configured, and says why', () => {
    const plan = planProviders(
      ['cuda', 'cpu'],
      graphOps(model([{ opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml' }])),
    );
    expect(plan).toEqual({
      providers: ['cpu'],
      cpuBecause: 'the graph has no CUDA kernels (ai.onnx.ml:TreeEnsembleClassifier)',
    });
  });

  it('a graph mixing tree and tensor ops stays on CPU (no per-batch host/device copies)', () => {
    const plan = planProviders(
      ['cuda', 'cpu'],
      [
        { domain: '', opType: 'MatMul' },
        { domain: 'ai.onnx.ml', opType: 'TreeEnsembleRegressor' },
        { domain: '', opType: 'Add' },
      ],
    );
    expect(plan.providers).toEqual(['cpu']);
    expect(plan.cpuBecause).toBe(
      'ai.onnx.ml:TreeEnsembleRegressor has no CUDA kernel; a split graph would copy every batch between host and device',
    );
  });

  it('a logistic regression of ONNX tensor ops keeps cuda first', () => {
    const ops = graphOps(model([{ opType: 'MatMul' }, { opType: 'Add' }, { opType: 'Sigmoid' }, { opType: 'Concat' }]));
    expect(planProviders(['cuda', 'cpu'], ops)).toEqual({ providers: ['cuda', 'cpu'], cpuBecause: undefined });
  });

  it('leaves a CPU-only configuration alone, and never returns no provider', () => {
    const trees = [{ domain: 'ai.onnx.ml', opType: 'TreeEnsembleClassifier' }];
    expect(planProviders(['cpu'], trees)).toEqual({ providers: ['cpu'], cpuBecause: undefined });
    expect(planProviders([], trees).providers).toEqual(['cpu']);
    expect(planProviders(['cuda'], trees).providers).toEqual(['cpu']);
  });
});
