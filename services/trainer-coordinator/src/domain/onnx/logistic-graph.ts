import type { LogisticModel } from '../model/logistic.ts';
import { boolTensor, floatTensor, node } from './builder.ts';
import type { OnnxTypes } from './proto.ts';

export interface SubGraph {
  readonly nodes: OnnxTypes.INodeProto[];
  readonly initializers: OnnxTypes.ITensorProto[];
  /** Name of the [N, 1] float log-odds tensor the subgraph produces. */
  readonly margin: string;
}

/**
 * Log-odds of the logistic model from raw features, all preprocessing in the graph:
 *   t = Where(isLog, Log(Relu(x) + 1), x)   — log1p of max(x, 0), as the trainer does
 *   margin = MatMul((t − mean) / scale, coef) + intercept
 * `prefix` keeps tensor names unique when the subgraph is part of an ensemble.
 */
export function logisticSubgraph(model: LogisticModel, input: string, prefix: string): SubGraph {
  const p = model.preprocessor;
  const f = model.featureNames.length;
  const n = (s: string): string => `${prefix}${s}`;
  const nodes: OnnxTypes.INodeProto[] = [];
  const initializers: OnnxTypes.ITensorProto[] = [
    floatTensor(n('mean'), [f], p.mean),
    floatTensor(n('scale'), [f], p.scale),
    floatTensor(n('coef'), [f, 1], model.coef),
    floatTensor(n('intercept'), [1], [model.intercept]),
  ];
  let transformed = input;
  if (p.log1p.some(Boolean)) {
    initializers.push(floatTensor(n('one'), [], [1]), boolTensor(n('is_log'), [f], [...p.log1p]));
    nodes.push(
      node('Relu', [input], [n('relu')]),
      node('Add', [n('relu'), n('one')], [n('plus1')]),
      node('Log', [n('plus1')], [n('log1p')]),
      node('Where', [n('is_log'), n('log1p'), input], [n('transformed')]),
    );
    transformed = n('transformed');
  }
  nodes.push(
    node('Sub', [transformed, n('mean')], [n('centered')]),
    node('Div', [n('centered'), n('scale')], [n('standardized')]),
    node('MatMul', [n('standardized'), n('coef')], [n('linear')]),
    node('Add', [n('linear'), n('intercept')], [n('margin')]),
  );
  return { nodes, initializers, margin: n('margin') };
}
