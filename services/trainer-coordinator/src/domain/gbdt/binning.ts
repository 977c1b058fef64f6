/**
 * Quantile binning of each feature into at most `maxBins` (≤ 256, so a bin fits a byte).
 *
 * Bin b of feature j holds values v with thresholds[b−1] < v ≤ thresholds[b]; the last bin is
 * unbounded above. A tree split "bin ≤ b" is therefore exactly "x ≤ thresholds[b]", which is what
 * the exported ONNX tree evaluates. Values are compared as float32, because ONNX Runtime sees
 * float32 inputs and float32 thresholds: every threshold is a float32 value chosen so that
 * float32(lower) ≤ threshold < float32(upper), and binning uses Math.fround(x) too, so trainer and
 * runtime take the same branch for every input.
 */
export interface BinMapper {
  /** thresholds[j] are ascending float32 values; feature j has thresholds[j].length + 1 bins. */
  readonly thresholds: readonly Float64Array[];
  readonly maxBins: number;
}

const SAMPLE_LIMIT = 200_000;

function cutBetween(lo: number, hi: number): number {
  const mid = Math.fround(lo + (hi - lo) / 2);
  return mid >= lo && mid < hi ? mid : lo;
}

/** Fits bin thresholds on row-major `x` (n × f). Deterministic: samples rows by fixed stride. */
export function fitBins(x: Float64Array, n: number, f: number, maxBins = 255): BinMapper {
  if (!(Number.isInteger(maxBins) && maxBins >= 2 && maxBins <= 256))
    throw new RangeError(`maxBins must be an integer in [2, 256]; got ${maxBins}`);
  const stride = Math.max(1, Math.ceil(n / SAMPLE_LIMIT));
  const m = Math.ceil(n / stride);
  const thresholds: Float64Array[] = [];
  const vals = new Float64Array(m);
  for (let j = 0; j < f; j++) {
    for (let k = 0; k < m; k++) vals[k] = Math.fround(x[k * stride * f + j]!);
    vals.sort();
    const distinct: number[] = [];
    const counts: number[] = [];
    for (let k = 0; k < m; k++) {
      if (k === 0 || vals[k] !== vals[k - 1]) {
        distinct.push(vals[k]!);
        counts.push(1);
      } else {
        counts[counts.length - 1]!++;
      }
    }
    const cuts: number[] = [];
    if (distinct.length <= maxBins) {
      for (let d = 0; d + 1 < distinct.length; d++) cuts.push(cutBetween(distinct[d]!, distinct[d + 1]!));
    } else {
      // Greedy equal-frequency: close a bin once it holds its share of the rows still to place.
      // A heavy single value (e.g. fix = 0, or ns = 1) gets a bin of its own instead of swallowing neighbours.
      let remainingRows = m;
      let remainingBins = maxBins;
      let acc = 0;
      for (let d = 0; d + 1 < distinct.length && remainingBins > 1; d++) {
        acc += counts[d]!;
        const target = remainingRows / remainingBins;
        const next = counts[d + 1]!;
        if (acc >= target || next >= target) {
          cuts.push(cutBetween(distinct[d]!, distinct[d + 1]!));
          remainingRows -= acc;
          remainingBins--;
          acc = 0;
        }
      }
    }
    thresholds.push(Float64Array.from(cuts));
  }
  return { thresholds, maxBins };
}

/** Index of the bin of `v` (float32-rounded): the first threshold ≥ v, by binary search. */
export function binOf(thr: Float64Array, v: number): number {
  const x = Math.fround(v);
  let lo = 0;
  let hi = thr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= thr[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Row-major bin codes: `bins[i * f + j]` is the bin of row i, feature j. Row-major because
 * histogram building visits a node's rows one by one, and a row's f codes then share a cache line.
 */
export function applyBins(mapper: BinMapper, x: Float64Array, n: number, f: number): Uint8Array {
  const bins = new Uint8Array(n * f);
  for (let j = 0; j < f; j++) {
    const thr = mapper.thresholds[j]!;
    for (let i = 0; i < n; i++) bins[i * f + j] = binOf(thr, x[i * f + j]!);
  }
  return bins;
}
