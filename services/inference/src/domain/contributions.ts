// Per-feature contributions to a prediction, in log-odds, computed from the model's own
// parameters (read out of the ONNX graph by ./onnx-graph.ts):
//
// - Linear (logistic regression): coefficient × standardised value, c_j = w_j·(t(x_j) − μ_j)/σ_j
//   with t the in-graph transform (log1p or identity). They sum to margin − intercept.
// - Tree ensembles: exact *baseline Shapley values* (Sundararajan & Najmi, "The many Shapley
//   values for model explanation", ICML 2020; the single-reference case of interventional
//   TreeSHAP, Lundberg et al. 2020). The game is v(S) = f(x_S, r_¬S) for a reference row r
//   (the training medians when the registry provides them). ONNX tree ensembles carry no node
//   cover counts, so path-dependent TreeSHAP and Saabas (which need them) cannot be computed
//   from the artifact; baseline Shapley needs only the trees and r, is exact, and satisfies
//   efficiency: Σ_j c_j = f(x) − f(r).
//   For one leaf with value v, let A be the features whose splits on the path only x satisfies
//   and B those only r satisfies. The leaf is reached by the hybrid input iff A ⊆ S and
//   B ∩ S = ∅, a game whose Shapley values are v·(|A|−1)!|B|!/(|A|+|B|)! for j ∈ A and
//   −v·|A|!(|B|−1)!/(|A|+|B|)! for j ∈ B. One walk per tree visits only the leaves x or r can
//   reach through some mix, pruning paths that need a feature both in and out of S.
// - Weighted sums (the trainer's LR+GBDT ensemble): the weighted sum of the parts'.

/** How each tree node compares the feature with its value (ONNX TreeEnsemble `nodes_modes`). */
export const Branch = { Leaf: 0, Leq: 1, Lt: 2, Gte: 3, Gt: 4, Eq: 5, Neq: 6 } as const;

/** One tree as parallel arrays indexed by node position (0 = root). */
export interface TreeArrays {
  readonly mode: Uint8Array;
  readonly feature: Int32Array;
  /** float32 split values, compared with float32(x) as ONNX Runtime does. */
  readonly threshold: Float32Array;
  readonly trueChild: Int32Array;
  readonly falseChild: Int32Array;
  /** Leaf output toward the positive class's log-odds (0 on internal nodes). */
  readonly value: Float64Array;
}

export interface TreeEnsembleParams {
  readonly trees: readonly TreeArrays[];
  readonly base: number;
  /** Input width. */
  readonly features: number;
}

export interface LinearParams {
  readonly log1p: readonly boolean[];
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly coef: Float64Array;
  readonly intercept: number;
}

/** How a model's log-odds are built from its inputs, as far as explanations need. */
export type MarginTerm =
  | { readonly kind: 'trees'; readonly params: TreeEnsembleParams }
  | { readonly kind: 'linear'; readonly params: LinearParams }
  | { readonly kind: 'scaled'; readonly weight: number; readonly term: MarginTerm }
  | { readonly kind: 'sum'; readonly terms: readonly MarginTerm[] };

/** A method name for logs and metadata. */
export function explanationMethod(term: MarginTerm): string {
  const kinds = new Set<string>();
  const walk = (t: MarginTerm): void => {
    if (t.kind === 'trees') kinds.add('baseline-shapley');
    else if (t.kind === 'linear') kinds.add('linear');
    else if (t.kind === 'scaled') walk(t.term);
    else t.terms.forEach(walk);
  };
  walk(term);
  return [...kinds].sort().join('+');
}

function goesTrue(mode: number, x: number, t: number): boolean {
  switch (mode) {
    case Branch.Leq:
      return x <= t;
    case Branch.Lt:
      return x < t;
    case Branch.Gte:
      return x >= t;
    case Branch.Gt:
      return x > t;
    case Branch.Eq:
      return x === t;
    default:
      return x !== t;
  }
}

/** Leaf value reached by one row (used by tests and by f(r) checks). */
export function treeValue(tree: TreeArrays, x: ArrayLike<number>, offset = 0): number {
  let k = 0;
  while (tree.mode[k] !== Branch.Leaf) {
    k = goesTrue(tree.mode[k]!, Math.fround(x[offset + tree.feature[k]!]!), tree.threshold[k]!)
      ? tree.trueChild[k]!
      : tree.falseChild[k]!;
  }
  return tree.value[k]!;
}

/** The ensemble's margin for one row: base + Σ leaf values. */
export function ensembleMargin(params: TreeEnsembleParams, x: ArrayLike<number>, offset = 0): number {
  let m = params.base;
  for (const tree of params.trees) m += treeValue(tree, x, offset);
  return m;
}

// Shapley weights w(a, b) = a!·b!/(a+b+1)! in the forms the leaf rule needs; depth stays small
// (ONNX trees from GBDTs rarely exceed 30 distinct features on a path), cache by (a, b).
const factorials: number[] = [1];
function factorial(n: number): number {
  for (let i = factorials.length; i <= n; i++) factorials.push(factorials[i - 1]! * i);
  return factorials[n]!;
}

/**
 * Adds the baseline Shapley values of one tree ensemble for row `x` against reference `r`
 * into `out` (length = features), scaled by `weight`.
 */
export function addTreeShapley(
  params: TreeEnsembleParams,
  x: ArrayLike<number>,
  xOffset: number,
  r: ArrayLike<number>,
  out: Float64Array,
  weight = 1,
): void {
  // state[j]: 0 = free, 1 = must be in S (x's side), 2 = must be out of S (r's side).
  const w: Walk = { x, xOffset, r, out, weight, state: new Uint8Array(params.features), inA: [], inB: [] };
  for (const tree of params.trees) walkTree(tree, 0, w);
}

interface Walk {
  x: ArrayLike<number>;
  xOffset: number;
  r: ArrayLike<number>;
  out: Float64Array;
  weight: number;
  state: Uint8Array;
  inA: number[];
  inB: number[];
}

// A plain recursive function over explicit state (no closure per tree or row: this runs per
// request with top_k > 0 and must not allocate).
function walkTree(tree: TreeArrays, k: number, w: Walk): void {
  const mode = tree.mode[k]!;
  if (mode === Branch.Leaf) {
    const a = w.inA.length;
    const b = w.inB.length;
    if (a + b === 0) return; // reached by x and r alike: no difference to share
    const v = tree.value[k]! * w.weight;
    if (a > 0) {
      const share = (v * factorial(a - 1) * factorial(b)) / factorial(a + b);
      for (const j of w.inA) w.out[j]! += share;
    }
    if (b > 0) {
      const share = (v * factorial(a) * factorial(b - 1)) / factorial(a + b);
      for (const j of w.inB) w.out[j]! -= share;
    }
    return;
  }
  const j = tree.feature[k]!;
  const t = tree.threshold[k]!;
  const xTrue = goesTrue(mode, Math.fround(w.x[w.xOffset + j]!), t);
  const rTrue = goesTrue(mode, Math.fround(w.r[j]!), t);
  if (xTrue === rTrue) {
    walkTree(tree, xTrue ? tree.trueChild[k]! : tree.falseChild[k]!, w);
    return;
  }
  const xChild = xTrue ? tree.trueChild[k]! : tree.falseChild[k]!;
  const rChild = xTrue ? tree.falseChild[k]! : tree.trueChild[k]!;
  const s = w.state[j]!;
  if (s !== 2) {
    // x's branch: j must come from x.
    if (s === 0) {
      w.state[j] = 1;
      w.inA.push(j);
      walkTree(tree, xChild, w);
      w.inA.pop();
      w.state[j] = 0;
    } else walkTree(tree, xChild, w);
  }
  if (s !== 1) {
    if (s === 0) {
      w.state[j] = 2;
      w.inB.push(j);
      walkTree(tree, rChild, w);
      w.inB.pop();
      w.state[j] = 0;
    } else walkTree(tree, rChild, w);
  }
}

/** Adds c_j = w_j·(t(x_j) − μ_j)/σ_j, scaled by `weight`. */
export function addLinear(
  params: LinearParams,
  x: ArrayLike<number>,
  xOffset: number,
  out: Float64Array,
  weight = 1,
): void {
  for (let j = 0; j < params.coef.length; j++) {
    const raw = Math.fround(x[xOffset + j]!);
    const t = params.log1p[j] ? Math.log1p(raw > 0 ? raw : 0) : raw;
    out[j]! += (weight * params.coef[j]! * (t - params.mean[j]!)) / params.scale[j]!;
  }
}

/**
 * Contributions of every feature for one row (log-odds). `reference` is the baseline row for
 * tree terms (ignored by linear terms, whose reference is the training mean by construction).
 */
export function contributions(
  term: MarginTerm,
  x: ArrayLike<number>,
  xOffset: number,
  reference: ArrayLike<number>,
  features: number,
): Float64Array {
  const out = new Float64Array(features);
  const add = (t: MarginTerm, weight: number): void => {
    switch (t.kind) {
      case 'trees':
        addTreeShapley(t.params, x, xOffset, reference, out, weight);
        break;
      case 'linear':
        addLinear(t.params, x, xOffset, out, weight);
        break;
      case 'scaled':
        add(t.term, weight * t.weight);
        break;
      case 'sum':
        for (const s of t.terms) add(s, weight);
        break;
    }
  };
  add(term, 1);
  return out;
}

export interface Contribution {
  feature: string;
  value: number;
  contribution: number;
}

/** All features' contributions, largest absolute first (ties by name, so output is stable). */
export function rankContributions(
  names: readonly string[],
  x: ArrayLike<number>,
  xOffset: number,
  c: ArrayLike<number>,
): Contribution[] {
  return names
    .map((feature, j) => ({ feature, value: x[xOffset + j]!, contribution: c[j]! }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || (a.feature < b.feature ? -1 : 1));
}
