// ONNX models for tests and the bench, written to the trainer's export contract
// (services/trainer-coordinator/src/domain/onnx/export.ts): input `features` float [N, F] of raw
// metrics in the feature set's order; outputs `label` int64 [N] and `probabilities` float
// [N, 2]; metadata_props `feature_names` (JSON) and `model_kind`. Built here rather than imported
// because a service never imports another service's src/; the serving side must accept what
// that contract describes, which is what these models exercise.
import onnxProto from 'onnx-proto';
import { seededRandom as seeded } from '@omen/service/random';

const onnx = onnxProto.onnx;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttr = onnxProto.onnx.IAttributeProto;

const AT = onnx.AttributeProto.AttributeType;
const DT = onnx.TensorProto.DataType;
const utf8 = new TextEncoder();

type AttrValue =
  { f: number } | { i: number } | { s: string } | { floats: number[] } | { ints: number[] } | { strings: string[] };

function attribute(name: string, v: AttrValue): IAttr {
  if ('f' in v) return { name, type: AT.FLOAT, f: v.f };
  if ('i' in v) return { name, type: AT.INT, i: v.i };
  if ('s' in v) return { name, type: AT.STRING, s: utf8.encode(v.s) };
  if ('floats' in v) return { name, type: AT.FLOATS, floats: v.floats };
  if ('ints' in v) return { name, type: AT.INTS, ints: v.ints };
  return { name, type: AT.STRINGS, strings: v.strings.map((s) => utf8.encode(s)) };
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  domain = '',
): INode {
  return {
    opType,
    domain,
    input: inputs,
    output: outputs,
    name: `${opType}_${outputs[0] ?? ''}`,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): ITensor {
  return { name, dataType: DT.FLOAT, dims, floatData: Array.from(values, (v) => Math.fround(v)) };
}

function valueInfo(
  name: string,
  elemType: 'float' | 'int64',
  dims: (number | string)[],
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType === 'float' ? DT.FLOAT : DT.INT64,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** One regression tree as parallel arrays (node 0 the root; feature -1 marks a leaf; x ≤ threshold goes left). */
export interface TestTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface TestGbdt {
  kind: 'gbdt';
  featureNames: string[];
  baseScore: number;
  trees: TestTree[];
}

export interface TestLogistic {
  kind: 'logistic';
  featureNames: string[];
  log1p: boolean[];
  mean: number[];
  scale: number[];
  coef: number[];
  intercept: number;
}

export interface TestEnsemble {
  kind: 'ensemble';
  featureNames: string[];
  logistic: TestLogistic;
  gbdt: TestGbdt;
  logisticWeight: number;
  gbdtWeight: number;
}

export type TestModel = TestGbdt | TestLogistic | TestEnsemble;

function treeAttributes(model: TestGbdt) {
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
  };
  const leaves = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  model.trees.forEach((tree, t) => {
    for (let k = 0; k < tree.feature.length; k++) {
      const leaf = tree.feature[k]! < 0;
      n.treeIds.push(t);
      n.nodeIds.push(k);
      n.featureIds.push(leaf ? 0 : tree.feature[k]!);
      n.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      n.values.push(leaf ? 0 : tree.threshold[k]!);
      n.trueIds.push(leaf ? 0 : tree.left[k]!);
      n.falseIds.push(leaf ? 0 : tree.right[k]!);
      if (leaf) {
        leaves.treeIds.push(t);
        leaves.nodeIds.push(k);
        leaves.weights.push(tree.value[k]!);
      }
    }
  });
  return {
    nodes: {
      nodes_treeids: { ints: n.treeIds },
      nodes_nodeids: { ints: n.nodeIds },
      nodes_featureids: { ints: n.featureIds },
      nodes_modes: { strings: n.modes },
      nodes_values: { floats: n.values },
      nodes_truenodeids: { ints: n.trueIds },
      nodes_falsenodeids: { ints: n.falseIds },
    } satisfies Record<string, AttrValue>,
    leaves,
  };
}

function logisticNodes(model: TestLogistic, prefix: string): { nodes: INode[]; init: ITensor[]; margin: string } {
  const f = model.featureNames.length;
  const p = (s: string) => `${prefix}${s}`;
  const init: ITensor[] = [
    floatTensor(p('mean'), [f], model.mean),
    floatTensor(p('scale'), [f], model.scale),
    floatTensor(p('coef'), [f, 1], model.coef),
    floatTensor(p('intercept'), [1], [model.intercept]),
  ];
  const nodes: INode[] = [];
  let t = 'features';
  if (model.log1p.some(Boolean)) {
    init.push(floatTensor(p('one'), [], [1]), {
      name: p('is_log'),
      dataType: DT.BOOL,
      dims: [f],
      int32Data: model.log1p.map((b) => (b ? 1 : 0)),
    });
    nodes.push(
      node('Relu', ['features'], [p('relu')]),
      node('Add', [p('relu'), p('one')], [p('plus1')]),
      node('Log', [p('plus1')], [p('log1p')]),
      node('Where', [p('is_log'), p('log1p'), 'features'], [p('transformed')]),
    );
    t = p('transformed');
  }
  nodes.push(
    node('Sub', [t, p('mean')], [p('centered')]),
    node('Div', [p('centered'), p('scale')], [p('standardized')]),
    node('MatMul', [p('standardized'), p('coef')], [p('linear')]),
    node('Add', [p('linear'), p('intercept')], [p('margin')]),
  );
  return { nodes, init, margin: p('margin') };
}

function head(margin: string): { nodes: INode[]; init: ITensor[] } {
  return {
    init: [floatTensor('head_one', [], [1])],
    nodes: [
      node('Sigmoid', [margin], ['p1']),
      node('Sub', ['head_one', 'p1'], ['p0']),
      node('Concat', ['p0', 'p1'], ['probabilities'], { axis: { i: 1 } }),
      node('ArgMax', ['probabilities'], ['label'], { axis: { i: 1 }, keepdims: { i: 0 } }),
    ],
  };
}

export interface BuildOptions {
  /** Extra metadata_props. */
  metadata?: Record<string, string>;
  /** Declared input width (defaults to the feature count); a mismatch makes a deliberately broken model. */
  declaredFeatures?: number;
}

/** Serialises a test model as ONNX bytes in the trainer's export format. */
export function buildOnnx(model: TestModel, options: BuildOptions = {}): Uint8Array {
  let nodes: INode[];
  let init: ITensor[] = [];
  let usesMl = false;
  if (model.kind === 'gbdt') {
    const { nodes: attrs, leaves } = treeAttributes(model);
    nodes = [
      node(
        'TreeEnsembleClassifier',
        ['features'],
        ['label', 'probabilities'],
        {
          ...attrs,
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
    ];
    usesMl = true;
  } else if (model.kind === 'logistic') {
    const lr = logisticNodes(model, 'lr_');
    const h = head(lr.margin);
    nodes = [...lr.nodes, ...h.nodes];
    init = [...lr.init, ...h.init];
  } else {
    const lr = logisticNodes(model.logistic, 'lr_');
    const { nodes: attrs, leaves } = treeAttributes(model.gbdt);
    const h = head('margin');
    nodes = [
      ...lr.nodes,
      node(
        'TreeEnsembleRegressor',
        ['features'],
        ['gbdt_margin'],
        {
          ...attrs,
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
      ...h.nodes,
    ];
    init = [
      ...lr.init,
      floatTensor('w_lr', [], [model.logisticWeight]),
      floatTensor('w_gbdt', [], [model.gbdtWeight]),
      ...h.init,
    ];
    usesMl = true;
  }
  const f = options.declaredFeatures ?? model.featureNames.length;
  const opsetImport = [{ domain: '', version: 15 }];
  if (usesMl) opsetImport.push({ domain: 'ai.onnx.ml', version: 3 });
  const metadata = {
    feature_names: JSON.stringify(model.featureNames),
    model_kind: model.kind,
    input_name: 'features',
    probability_output: 'probabilities',
    positive_class_index: '1',
    ...options.metadata,
  };
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'omen-inference-tests',
    opsetImport,
    graph: {
      name: `test_${model.kind}`,
      node: nodes,
      initializer: init,
      input: [valueInfo('features', 'float', ['N', f])],
      output: [valueInfo('label', 'int64', ['N']), valueInfo('probabilities', 'float', ['N', 2])],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  }).finish();
}

/** The kit's seeded PRNG, so fixtures are the same on every run. */
export { seeded };

export interface RandomGbdtOptions {
  trees: number;
  /** Depth of every tree (complete binary trees: 2^depth leaves). */
  depth: number;
  /** Per-feature candidate thresholds (e.g. quantiles of real data); thresholds are drawn from them. */
  thresholds: number[][];
  seed?: number;
  baseScore?: number;
  /** Scale of leaf values (log-odds). @default 0.05 */
  leafScale?: number;
}

/**
 * A GBDT with the trainer's shape (complete trees of a given depth, float32 thresholds, leaf
 * values already scaled by a learning rate). Its predictions mean nothing; its cost and its
 * structure are those of a trained model of the same size, which is what serving measures.
 */
export function randomGbdt(featureNames: string[], options: RandomGbdtOptions): TestGbdt {
  const rand = seeded(options.seed ?? 1);
  const scale = options.leafScale ?? 0.05;
  const trees: TestTree[] = [];
  for (let t = 0; t < options.trees; t++) {
    const tree: TestTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const grow = (depth: number): number => {
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(0);
      if (depth === 0) {
        tree.value[id] = (rand() * 2 - 1) * scale;
        return id;
      }
      const j = Math.floor(rand() * featureNames.length);
      const candidates = options.thresholds[j] ?? [0];
      tree.feature[id] = j;
      tree.threshold[id] = Math.fround(candidates[Math.floor(rand() * candidates.length)] ?? 0);
      tree.left[id] = grow(depth - 1);
      tree.right[id] = grow(depth - 1);
      return id;
    };
    grow(options.depth);
    trees.push(tree);
  }
  return { kind: 'gbdt', featureNames, baseScore: options.baseScore ?? -1.2, trees };
}

/** Margin (log-odds) of a GBDT for one row, exactly as the ONNX graph computes it (float32 compare). */
export function gbdtMargin(model: TestGbdt, x: ArrayLike<number>): number {
  let m = model.baseScore;
  for (const tree of model.trees) {
    let k = 0;
    while (tree.feature[k]! >= 0)
      k = Math.fround(x[tree.feature[k]!]!) <= tree.threshold[k]! ? tree.left[k]! : tree.right[k]!;
    m += tree.value[k]!;
  }
  return m;
}
