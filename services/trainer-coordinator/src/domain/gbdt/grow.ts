import type { Tree } from './tree.ts';

/** What one tree may do; see GbdtParams for meanings and defaults. */
export interface GrowOptions {
  readonly maxDepth: number;
  readonly maxLeaves: number;
  readonly minChildWeight: number;
  readonly minDataInLeaf: number;
  readonly lambda: number;
  readonly minSplitGain: number;
  readonly learningRate: number;
}

/** Shared, read-only inputs of every tree in one boosting run. */
export interface GrowContext {
  /** Row-major bin codes of the fit rows (see applyBins). */
  readonly bins: Uint8Array;
  readonly n: number;
  readonly f: number;
  readonly numBins: Int32Array;
  /** Split values per feature and bin (BinMapper.thresholds). */
  readonly thresholds: readonly Float64Array[];
  readonly options: GrowOptions;
}

const B = 256; // histogram slots per feature (bins fit a byte)
const S = 3; // grad, hess, count per slot

interface Split {
  gain: number;
  feature: number;
  bin: number;
  gl: number;
  hl: number;
  cl: number;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array;
  split: Split | null;
}

function buildHistogram(
  ctx: GrowContext,
  rows: Uint32Array,
  start: number,
  end: number,
  gh: Float64Array,
  features: Int32Array,
): Float64Array {
  const f = ctx.f;
  const hist = new Float64Array(f * B * S);
  const bins = ctx.bins;
  const nf = features.length;
  if (nf === f) {
    // All features: index by position, no indirection through `features` in the hot loop.
    for (let k = start; k < end; k++) {
      const r = rows[k]!;
      const g = gh[2 * r]!;
      const h = gh[2 * r + 1]!;
      const base = r * f;
      for (let j = 0; j < f; j++) {
        const slot = (j * B + bins[base + j]!) * S;
        hist[slot]! += g;
        hist[slot + 1]! += h;
        hist[slot + 2]! += 1;
      }
    }
    return hist;
  }
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const base = r * f;
    for (let q = 0; q < nf; q++) {
      const j = features[q]!;
      const slot = (j * B + bins[base + j]!) * S;
      hist[slot]! += g;
      hist[slot + 1]! += h;
      hist[slot + 2]! += 1;
    }
  }
  return hist;
}

function bestSplit(ctx: GrowContext, leaf: Leaf, features: Int32Array): Split | null {
  const { lambda, minChildWeight, minDataInLeaf, minSplitGain } = ctx.options;
  const count = leaf.end - leaf.start;
  if (count < 2 * minDataInLeaf) return null;
  const parentScore = (leaf.g * leaf.g) / (leaf.h + lambda);
  let best: Split | null = null;
  for (let q = 0; q < features.length; q++) {
    const j = features[q]!;
    const nb = ctx.numBins[j]!;
    const hoff = j * B * S;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b < nb - 1; b++) {
      const slot = hoff + b * S;
      gl += leaf.hist[slot]!;
      hl += leaf.hist[slot + 1]!;
      cl += leaf.hist[slot + 2]!;
      if (cl < minDataInLeaf || hl < minChildWeight) continue;
      const cr = count - cl;
      const hr = leaf.h - hl;
      if (cr < minDataInLeaf || hr < minChildWeight) break;
      const gr = leaf.g - gl;
      const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
      // Strict > keeps the first (lowest feature, lowest bin) of equal gains: deterministic.
      if (gain > minSplitGain && (best === null || gain > best.gain)) best = { gain, feature: j, bin: b, gl, hl, cl };
    }
  }
  return best;
}

export interface GrownTree {
  readonly tree: Tree;
  /** For each leaf: its node id and its rows as `rows[start, end)` of the (reordered) input. */
  readonly leaves: readonly { readonly node: number; readonly start: number; readonly end: number }[];
}

/**
 * Grows one tree leaf-wise (best gain first, as LightGBM does) on histograms of the gradient and
 * hessian (`gh`: g, h interleaved per row, so a row's pair shares a cache line), building the
 * smaller child's histogram and deriving the larger one by subtraction from its parent. `rows`
 * are the (sub)sampled fit rows; the array is reordered in place so each leaf's rows end up
 * contiguous (returned as ranges: the booster updates margins from them without walking the
 * tree). Adds split gains per feature into `gainByFeature`.
 */
export function growTree(
  ctx: GrowContext,
  rows: Uint32Array,
  gh: Float64Array,
  features: Int32Array,
  gainByFeature: Float64Array,
): GrownTree {
  const o = ctx.options;
  const tree: Tree = { feature: [-1], threshold: [0], thresholdBin: [0], left: [-1], right: [-1], value: [0] };
  const tmp = new Uint32Array(rows.length);
  let g = 0;
  let h = 0;
  for (let k = 0; k < rows.length; k++) {
    g += gh[2 * rows[k]!]!;
    h += gh[2 * rows[k]! + 1]!;
  }
  const root: Leaf = {
    node: 0,
    start: 0,
    end: rows.length,
    depth: 0,
    g,
    h,
    hist: buildHistogram(ctx, rows, 0, rows.length, gh, features),
    split: null,
  };
  root.split = o.maxDepth > 0 ? bestSplit(ctx, root, features) : null;
  const leaves: Leaf[] = [root];
  while (leaves.length < o.maxLeaves) {
    let pick = -1;
    for (let i = 0; i < leaves.length; i++) {
      const s = leaves[i]!.split;
      if (s && (pick < 0 || s.gain > leaves[pick]!.split!.gain)) pick = i;
    }
    if (pick < 0) break;
    const leaf = leaves[pick]!;
    const s = leaf.split!;
    // Stable partition of the leaf's rows: left rows first, order kept (deterministic, cache friendly).
    const f = ctx.f;
    const col = s.feature;
    let l = leaf.start;
    let t = 0;
    for (let k = leaf.start; k < leaf.end; k++) {
      const r = rows[k]!;
      if (ctx.bins[r * f + col]! <= s.bin) rows[l++] = r;
      else tmp[t++] = r;
    }
    rows.set(tmp.subarray(0, t), l);

    const leftNode = tree.feature.length;
    const rightNode = leftNode + 1;
    tree.feature[leaf.node] = s.feature;
    tree.thresholdBin[leaf.node] = s.bin;
    tree.threshold[leaf.node] = ctx.thresholds[s.feature]![s.bin]!;
    tree.left[leaf.node] = leftNode;
    tree.right[leaf.node] = rightNode;
    for (let c = 0; c < 2; c++) {
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.thresholdBin.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push(0);
    }
    gainByFeature[s.feature]! += s.gain;

    const depth = leaf.depth + 1;
    const left: Leaf = {
      node: leftNode,
      start: leaf.start,
      end: l,
      depth,
      g: s.gl,
      h: s.hl,
      hist: leaf.hist,
      split: null,
    };
    const right: Leaf = {
      node: rightNode,
      start: l,
      end: leaf.end,
      depth,
      g: leaf.g - s.gl,
      h: leaf.h - s.hl,
      hist: leaf.hist,
      split: null,
    };
    const [small, large] = l - leaf.start <= leaf.end - l ? [left, right] : [right, left];
    small.hist = buildHistogram(ctx, rows, small.start, small.end, gh, features);
    const parentHist = leaf.hist;
    for (let q = 0; q < features.length; q++) {
      const base = features[q]! * B * S;
      for (let k = base; k < base + B * S; k++) parentHist[k]! -= small.hist[k]!;
    }
    large.hist = parentHist;
    if (depth < o.maxDepth) {
      left.split = bestSplit(ctx, left, features);
      right.split = bestSplit(ctx, right, features);
    }
    leaves[pick] = left;
    leaves.push(right);
  }
  for (const leaf of leaves) tree.value[leaf.node] = (-leaf.g / (leaf.h + o.lambda)) * o.learningRate;
  return { tree, leaves: leaves.map(({ node, start, end }) => ({ node, start, end })) };
}
