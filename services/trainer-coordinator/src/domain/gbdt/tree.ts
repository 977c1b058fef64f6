/**
 * One regression tree as parallel node arrays (node 0 is the root). A node is a leaf when
 * `feature[node] === -1`; otherwise rows with float32(x[feature]) ≤ threshold go left. Plain
 * arrays so a model is JSON as it is (registry, worker messages).
 */
export interface Tree {
  readonly feature: number[];
  /** float32-exact split values (see binning.ts). */
  readonly threshold: number[];
  /** The same split as a bin index of the training BinMapper. */
  readonly thresholdBin: number[];
  readonly left: number[];
  readonly right: number[];
  /** Leaf output (already multiplied by the learning rate); 0 on internal nodes. */
  readonly value: number[];
}

export function emptyTree(): Tree {
  return { feature: [-1], threshold: [0], thresholdBin: [0], left: [-1], right: [-1], value: [0] };
}

/** Leaf value for one row of raw features starting at `offset` in row-major `x`. */
export function treeValueRaw(tree: Tree, x: Float64Array, offset: number): number {
  let node = 0;
  for (let j = tree.feature[0]!; j >= 0; j = tree.feature[node]!) {
    node = Math.fround(x[offset + j]!) <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

/** Leaf value for row `i` of row-major bin codes with `f` features. */
export function treeValueBinned(tree: Tree, bins: Uint8Array, f: number, i: number): number {
  let node = 0;
  const base = i * f;
  for (let j = tree.feature[0]!; j >= 0; j = tree.feature[node]!) {
    node = bins[base + j]! <= tree.thresholdBin[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

export function leafCount(tree: Tree): number {
  let c = 0;
  for (const j of tree.feature) if (j < 0) c++;
  return c;
}
