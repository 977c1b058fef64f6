import type { GbdtModel } from '../gbdt/booster.ts';
import type { EnsembleModel } from '../model/ensemble.ts';
import type { LogisticModel } from '../model/logistic.ts';
import type { Model } from '../model/model.ts';
import { encodeModel, floatTensor, node, valueInfo, type GraphSpec } from './builder.ts';
import { logisticSubgraph } from './logistic-graph.ts';
import type { OnnxTypes } from './proto.ts';
import { treeNodeAttributes } from './tree-attributes.ts';

/** The serving contract every exported model keeps. */
export const ONNX_INPUT = 'features';
export const ONNX_LABEL = 'label';
export const ONNX_PROBABILITIES = 'probabilities';

export interface ExportOptions {
  /** Decision threshold to record in metadata (the serving side may apply it to P(class 1)). */
  readonly threshold?: number;
  /** Extra metadata_props entries (model version, dataset hash, ...). */
  readonly metadata?: Readonly<Record<string, string>>;
}

interface Body {
  nodes: OnnxTypes.INodeProto[];
  initializers: OnnxTypes.ITensorProto[];
  usesMl: boolean;
}

/** From a [N, 1] log-odds tensor to the contract's outputs: probabilities [N, 2], label [N]. */
function probabilityHead(margin: string, body: Body): void {
  body.initializers.push(floatTensor('head_one', [], [1]));
  body.nodes.push(
    node('Sigmoid', [margin], ['p1']),
    node('Sub', ['head_one', 'p1'], ['p0']),
    node('Concat', ['p0', 'p1'], [ONNX_PROBABILITIES], { axis: { i: 1 } }),
    node('ArgMax', [ONNX_PROBABILITIES], [ONNX_LABEL], { axis: { i: 1 }, keepdims: { i: 0 } }),
  );
}

function logisticBody(model: LogisticModel): Body {
  const sub = logisticSubgraph(model, ONNX_INPUT, 'lr_');
  const body: Body = { nodes: sub.nodes, initializers: sub.initializers, usesMl: false };
  probabilityHead(sub.margin, body);
  return body;
}

/**
 * ONNX Runtime's binary TreeEnsembleClassifier wants every leaf weight on class id 0 and a single
 * base value; it then reports [1 − σ(score), σ(score)] under LOGISTIC. Weights split over two
 * class ids (the "natural" encoding) make it return 0.5 for every row without an error.
 */
function gbdtBody(model: GbdtModel): Body {
  const { nodes, leaves } = treeNodeAttributes(model);
  return {
    nodes: [
      node(
        'TreeEnsembleClassifier',
        [ONNX_INPUT],
        [ONNX_LABEL, ONNX_PROBABILITIES],
        {
          ...nodes,
          class_treeids: { ints: leaves.treeIds },
          class_nodeids: { ints: leaves.nodeIds },
          class_ids: { ints: leaves.treeIds.map(() => 0) },
          class_weights: { floats: leaves.weights },
          classlabels_int64s: { ints: [0, 1] },
          base_values: { floats: [model.baseScore] },
          post_transform: { s: 'LOGISTIC' },
        },
        'ai.onnx.ml',
      ),
    ],
    initializers: [],
    usesMl: true,
  };
}

/** LR log-odds and TreeEnsembleRegressor log-odds, weighted and summed, then the shared head. */
function ensembleBody(model: EnsembleModel): Body {
  const lr = logisticSubgraph(model.logistic, ONNX_INPUT, 'lr_');
  const { nodes, leaves } = treeNodeAttributes(model.gbdt);
  const body: Body = {
    nodes: [
      ...lr.nodes,
      node(
        'TreeEnsembleRegressor',
        [ONNX_INPUT],
        ['gbdt_margin'],
        {
          ...nodes,
          n_targets: { i: 1 },
          target_treeids: { ints: leaves.treeIds },
          target_nodeids: { ints: leaves.nodeIds },
          target_ids: { ints: leaves.treeIds.map(() => 0) },
          target_weights: { floats: leaves.weights },
          base_values: { floats: [model.gbdt.baseScore] },
          aggregate_function: { s: 'SUM' },
          post_transform: { s: 'NONE' },
        },
        'ai.onnx.ml',
      ),
      node('Mul', [lr.margin, 'w_lr'], ['lr_weighted']),
      node('Mul', ['gbdt_margin', 'w_gbdt'], ['gbdt_weighted']),
      node('Add', ['lr_weighted', 'gbdt_weighted'], ['margin']),
    ],
    initializers: [
      ...lr.initializers,
      floatTensor('w_lr', [], [model.logisticWeight]),
      floatTensor('w_gbdt', [], [model.gbdtWeight]),
    ],
    usesMl: true,
  };
  probabilityHead('margin', body);
  return body;
}

/**
 * Serialises a trained model as ONNX. Input: `features`, float32 [N, F] of RAW metrics in
 * `model.featureNames` order (every transform is inside the graph). Outputs: `label` int64 [N]
 * (argmax, i.e. P(1) > 0.5) and `probabilities` float32 [N, 2] = [P(0), P(1)]; no ZipMap.
 * metadata_props records feature names (JSON), model kind, output names and the threshold.
 */
export function exportOnnx(model: Model, options: ExportOptions = {}): Uint8Array {
  const body =
    model.kind === 'logistic' ? logisticBody(model) : model.kind === 'gbdt' ? gbdtBody(model) : ensembleBody(model);
  const f = model.featureNames.length;
  const spec: GraphSpec = {
    name: `omen_${model.kind}`,
    nodes: body.nodes,
    initializers: body.initializers,
    inputs: [valueInfo(ONNX_INPUT, 'float', ['N', f])],
    outputs: [valueInfo(ONNX_LABEL, 'int64', ['N']), valueInfo(ONNX_PROBABILITIES, 'float', ['N', 2])],
    metadata: {
      feature_names: JSON.stringify(model.featureNames),
      model_kind: model.kind,
      input_name: ONNX_INPUT,
      probability_output: ONNX_PROBABILITIES,
      positive_class_index: '1',
      ...(options.threshold === undefined ? {} : { decision_threshold: String(options.threshold) }),
      ...options.metadata,
    },
    usesMl: body.usesMl,
  };
  return encodeModel(spec);
}

/** Feature names recorded in a model's metadata_props (for serving-side checks). */
export function featureNamesFromMetadata(metadata: Readonly<Record<string, string>>): string[] {
  const raw = metadata['feature_names'];
  if (raw === undefined) throw new Error('model metadata has no feature_names');
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string'))
    throw new Error('feature_names metadata is not a JSON array of strings');
  return parsed;
}
