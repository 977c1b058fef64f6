// Reads what serving needs from an ONNX artifact beyond what ONNX Runtime exposes: the
// metadata_props (feature names, model kind, threshold) and the structure of the log-odds
// (tree ensembles, the logistic subgraph, their weighted sum) so contributions can be computed
// from the model's own parameters. The graph shapes recognised are the trainer's export
// (services/trainer-coordinator/src/domain/onnx/export.ts) and, for trees, any binary
// TreeEnsembleClassifier/Regressor; anything else loads and serves without contributions.
import onnxProto from 'onnx-proto';
import {
  Branch,
  type LinearParams,
  type MarginTerm,
  type TreeArrays,
  type TreeEnsembleParams,
} from './contributions.ts';

const onnx = onnxProto.onnx;
type Node = onnxProto.onnx.INodeProto;
type Attr = onnxProto.onnx.IAttributeProto;
type Tensor = onnxProto.onnx.ITensorProto;

export interface OnnxGraphInfo {
  readonly metadata: Readonly<Record<string, string>>;
  /** How the positive class's log-odds are computed; undefined when the graph is not recognised. */
  readonly margin: MarginTerm | undefined;
  /** Why `margin` is undefined. */
  readonly marginUnsupported: string | undefined;
  readonly opsets: readonly { domain: string; version: number }[];
}

type LongLike = number | { toNumber(): number };
const num = (v: LongLike | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber();
const text = new TextDecoder();

function attrs(node: Node): Map<string, Attr> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}

function tensorValues(t: Tensor): Float64Array {
  const count = (t.dims ?? []).reduce<number>((p, d) => p * num(d), 1);
  if (t.floatData && t.floatData.length > 0) return Float64Array.from(t.floatData);
  if (t.doubleData && t.doubleData.length > 0) return Float64Array.from(t.doubleData);
  if (t.int32Data && t.int32Data.length > 0) return Float64Array.from(t.int32Data);
  if (t.int64Data && t.int64Data.length > 0) return Float64Array.from(t.int64Data, (v) => num(v as LongLike));
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float64Array(count);
    const type: number = t.dataType ?? 0;
    const DT = onnx.TensorProto.DataType as unknown as Record<
      'FLOAT' | 'DOUBLE' | 'BOOL' | 'UINT8' | 'INT64' | 'INT32',
      number
    >;
    for (let i = 0; i < count; i++) {
      if (type === DT.FLOAT) out[i] = view.getFloat32(i * 4, true);
      else if (type === DT.DOUBLE) out[i] = view.getFloat64(i * 8, true);
      else if (type === DT.BOOL || type === DT.UINT8) out[i] = view.getUint8(i);
      else if (type === DT.INT64) out[i] = Number(view.getBigInt64(i * 8, true));
      else if (type === DT.INT32) out[i] = view.getInt32(i * 4, true);
      else throw new Error(`initializer ${t.name ?? ''} has unsupported raw data type ${type}`);
    }
    return out;
  }
  return new Float64Array(count);
}

const modeCodes: Record<string, number> = {
  LEAF: Branch.Leaf,
  BRANCH_LEQ: Branch.Leq,
  BRANCH_LT: Branch.Lt,
  BRANCH_GTE: Branch.Gte,
  BRANCH_GT: Branch.Gt,
  BRANCH_EQ: Branch.Eq,
  BRANCH_NEQ: Branch.Neq,
};

/**
 * Trees of a TreeEnsembleClassifier/Regressor. `prefix` is `class_` or `target_`. For a binary
 * classifier the positive log-odds are the weights of one class id: ONNX Runtime (and the
 * trainer) put every weight on class 0 with LOGISTIC and report [1 − σ(s), σ(s)].
 */
function parseTrees(node: Node, prefix: 'class_' | 'target_', features: number): TreeEnsembleParams | string {
  const a = attrs(node);
  const ints = (name: string): number[] => (a.get(name)?.ints ?? []).map((v) => num(v as LongLike));
  const floats = (name: string): number[] => a.get(name)?.floats ?? [];
  const treeIds = ints('nodes_treeids');
  const nodeIds = ints('nodes_nodeids');
  const featureIds = ints('nodes_featureids');
  const modes = (a.get('nodes_modes')?.strings ?? []).map((s) => text.decode(s));
  const values = floats('nodes_values');
  const trueIds = ints('nodes_truenodeids');
  const falseIds = ints('nodes_falsenodeids');
  if (treeIds.length === 0 || values.length !== treeIds.length)
    return 'tree ensemble uses attributes other than nodes_values (e.g. *_as_tensor)';
  const leafTrees = ints(`${prefix}treeids`);
  const leafNodes = ints(`${prefix}nodeids`);
  const leafIds = ints(`${prefix}ids`);
  const leafWeights = floats(`${prefix}weights`);
  const classIds = new Set(leafIds);
  if (classIds.size > 1)
    return `tree ensemble writes ${classIds.size} ${prefix}ids; only single-output (binary) ensembles are explained`;
  const post = text.decode(a.get('post_transform')?.s ?? new Uint8Array());
  if (prefix === 'class_' && post !== 'LOGISTIC')
    return `binary TreeEnsembleClassifier with post_transform ${post || 'NONE'} is not explained (LOGISTIC expected)`;
  if (prefix === 'target_' && post !== '' && post !== 'NONE')
    return `TreeEnsembleRegressor with post_transform ${post} is not explained`;
  const aggregate = text.decode(a.get('aggregate_function')?.s ?? new Uint8Array());
  if (aggregate !== '' && aggregate !== 'SUM')
    return `tree ensemble aggregate ${aggregate} is not explained (SUM expected)`;

  // Group nodes by tree, positions by node id.
  const byTree = new Map<number, number[]>();
  treeIds.forEach((t, i) => {
    const list = byTree.get(t) ?? [];
    list.push(i);
    byTree.set(t, list);
  });
  const leafValue = new Map<string, number>();
  leafTrees.forEach((t, i) => {
    const key = `${t}:${leafNodes[i]}`;
    leafValue.set(key, (leafValue.get(key) ?? 0) + (leafWeights[i] ?? 0));
  });
  const trees: TreeArrays[] = [];
  for (const [t, rows] of [...byTree.entries()].sort((x, y) => x[0] - y[0])) {
    const position = new Map<number, number>();
    // The root is the node no other node points to; ONNX exporters list it first in practice,
    // but find it rather than assume it.
    const children = new Set<number>();
    rows.forEach((i) => {
      if (modes[i] !== 'LEAF') {
        children.add(trueIds[i]!);
        children.add(falseIds[i]!);
      }
    });
    const root = rows.find((i) => !children.has(nodeIds[i]!));
    if (root === undefined) return `tree ${t} has no root`;
    const ordered = [root, ...rows.filter((i) => i !== root)];
    ordered.forEach((i, k) => position.set(nodeIds[i]!, k));
    const n = ordered.length;
    const tree: TreeArrays = {
      mode: new Uint8Array(n),
      feature: new Int32Array(n),
      threshold: new Float32Array(n),
      trueChild: new Int32Array(n),
      falseChild: new Int32Array(n),
      value: new Float64Array(n),
    };
    for (let k = 0; k < n; k++) {
      const i = ordered[k]!;
      const mode = modeCodes[modes[i] ?? ''];
      if (mode === undefined) return `tree ${t} node ${nodeIds[i]} has unknown mode ${modes[i]}`;
      tree.mode[k] = mode;
      if (mode === Branch.Leaf) {
        tree.value[k] = leafValue.get(`${t}:${nodeIds[i]}`) ?? 0;
        continue;
      }
      const j = featureIds[i]!;
      if (j < 0 || j >= features)
        return `tree ${t} node ${nodeIds[i]} splits on feature ${j}, outside 0..${features - 1}`;
      tree.feature[k] = j;
      tree.threshold[k] = values[i]!;
      const tc = position.get(trueIds[i]!);
      const fc = position.get(falseIds[i]!);
      if (tc === undefined || fc === undefined) return `tree ${t} node ${nodeIds[i]} points at a missing child`;
      tree.trueChild[k] = tc;
      tree.falseChild[k] = fc;
    }
    trees.push(tree);
  }
  const base = floats('base_values');
  if (base.length > 1) return `tree ensemble has ${base.length} base values; one expected`;
  return { trees, base: base[0] ?? 0, features };
}

/**
 * Reads a model's metadata and log-odds structure. `inputName` is the model's (single) input;
 * `features` its width.
 */
export function readOnnxGraph(bytes: Uint8Array, inputName: string, features: number): OnnxGraphInfo {
  const model = onnx.ModelProto.decode(bytes);
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const opsets = (model.opsetImport ?? []).map((o) => ({
    domain: o.domain ?? '',
    version: num(o.version as LongLike),
  }));
  const graph = model.graph;
  const producer = new Map<string, Node>();
  for (const n of graph?.node ?? []) for (const o of n.output ?? []) producer.set(o, n);
  const init = new Map<string, Tensor>();
  for (const t of graph?.initializer ?? []) if (t.name) init.set(t.name, t);
  const initValues = (name: string | undefined): Float64Array | undefined => {
    const t = name === undefined ? undefined : init.get(name);
    return t ? tensorValues(t) : undefined;
  };
  const scalar = (name: string | undefined): number | undefined => {
    const v = initValues(name);
    return v && v.length === 1 ? v[0] : undefined;
  };

  /** Linear term ending in `Add(MatMul(standardised, coef), intercept)`. */
  const linear = (addNode: Node): LinearParams | string => {
    const [a, b] = addNode.input ?? [];
    const matmulOut = init.has(b ?? '') ? a : b;
    const intercept = scalar(init.has(b ?? '') ? b : a);
    const matmul = producer.get(matmulOut ?? '');
    if (!matmul || matmul.opType !== 'MatMul' || intercept === undefined)
      return 'linear term is not Add(MatMul(...), intercept)';
    const coef = initValues(matmul.input?.[1]);
    if (!coef || coef.length !== features) return `linear coefficients must have ${features} values`;
    const div = producer.get(matmul.input?.[0] ?? '');
    const scale = div?.opType === 'Div' ? initValues(div.input?.[1]) : undefined;
    const sub = div ? producer.get(div.input?.[0] ?? '') : undefined;
    const mean = sub?.opType === 'Sub' ? initValues(sub.input?.[1]) : undefined;
    if (!scale || !mean || scale.length !== features || mean.length !== features)
      return 'linear term does not standardise with Sub(mean)/Div(scale)';
    const source = sub?.input?.[0];
    let log1p = new Array<boolean>(features).fill(false);
    if (source !== inputName) {
      const where = producer.get(source ?? '');
      const mask = where?.opType === 'Where' ? initValues(where.input?.[0]) : undefined;
      if (!where || !mask || mask.length !== features || where.input?.[2] !== inputName)
        return 'linear term transforms its input other than by Where(is_log, log1p, x)';
      const logNode = producer.get(where.input?.[1] ?? '');
      const addOne = logNode?.opType === 'Log' ? producer.get(logNode.input?.[0] ?? '') : undefined;
      const relu = addOne?.opType === 'Add' ? producer.get(addOne.input?.[0] ?? '') : undefined;
      if (relu?.opType !== 'Relu' || relu.input?.[0] !== inputName || scalar(addOne?.input?.[1]) !== 1)
        return 'log transform is not Log(Relu(x) + 1)';
      log1p = Array.from(mask, (m) => m !== 0);
    }
    return { log1p, mean, scale, coef, intercept };
  };

  /** The log-odds term that produces tensor `name`. */
  const term = (name: string, depth = 0): MarginTerm | string => {
    if (depth > 32) return 'margin expression is too deep';
    const n = producer.get(name);
    if (!n) return `tensor ${name} is not produced by a node`;
    switch (n.opType) {
      case 'TreeEnsembleRegressor': {
        const nTargets = num(attrs(n).get('n_targets')?.i);
        if (nTargets > 1) return 'multi-target TreeEnsembleRegressor is not explained';
        const t = parseTrees(n, 'target_', features);
        return typeof t === 'string' ? t : { kind: 'trees', params: t };
      }
      case 'Mul': {
        const [a, b] = n.input ?? [];
        const w = scalar(b) ?? scalar(a);
        const other = scalar(b) !== undefined ? a : b;
        if (w === undefined || other === undefined) return 'Mul in the margin is not by a scalar constant';
        const inner = term(other, depth + 1);
        return typeof inner === 'string' ? inner : { kind: 'scaled', weight: w, term: inner };
      }
      case 'Add': {
        const [a, b] = n.input ?? [];
        const aProducer = producer.get(a ?? '');
        const bProducer = producer.get(b ?? '');
        if (aProducer?.opType === 'MatMul' || bProducer?.opType === 'MatMul') {
          const l = linear(n);
          return typeof l === 'string' ? l : { kind: 'linear', params: l };
        }
        const left = term(a ?? '', depth + 1);
        const right = term(b ?? '', depth + 1);
        if (typeof left === 'string') return left;
        if (typeof right === 'string') return right;
        return { kind: 'sum', terms: [left, right] };
      }
      default:
        return `${n.opType} in the margin is not explained`;
    }
  };

  let margin: MarginTerm | string;
  const nodes = graph?.node ?? [];
  const classifier = nodes.find((n) => n.opType === 'TreeEnsembleClassifier');
  const sigmoid = nodes.find((n) => n.opType === 'Sigmoid');
  if (classifier) {
    const labels =
      (attrs(classifier).get('classlabels_int64s')?.ints ?? []).length ||
      (attrs(classifier).get('classlabels_strings')?.strings ?? []).length;
    if (labels !== 2) margin = `TreeEnsembleClassifier with ${labels} classes is not explained (binary expected)`;
    else {
      const t = parseTrees(classifier, 'class_', features);
      margin = typeof t === 'string' ? t : { kind: 'trees', params: t };
    }
  } else if (sigmoid) {
    margin = term(sigmoid.input?.[0] ?? '');
  } else {
    margin = 'no TreeEnsembleClassifier or Sigmoid head found';
  }
  return {
    metadata,
    margin: typeof margin === 'string' ? undefined : margin,
    marginUnsupported: typeof margin === 'string' ? margin : undefined,
    opsets,
  };
}

/** Feature names recorded in metadata_props (`feature_names`, a JSON array), if any. */
export function metadataFeatureNames(metadata: Readonly<Record<string, string>>): string[] | undefined {
  const raw = metadata['feature_names'];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? parsed : undefined;
}
