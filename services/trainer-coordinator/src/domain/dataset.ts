/**
 * A labelled training table: one row per change, features row-major so a slice of rows is one
 * contiguous subarray (cheap to hand to a worker or to ONNX Runtime as a [N, F] tensor).
 */
export interface Dataset {
  readonly featureNames: readonly string[];
  /** Row-major, `rows × featureNames.length`. */
  readonly x: Float64Array;
  /** 1 = defect-inducing. */
  readonly y: Uint8Array;
  /** Event time of each row (unix seconds); rows must be sorted by it for a chronological split. */
  readonly time: Float64Array;
  readonly ids?: readonly string[];
  /** Optional per-row training weight (e.g. recency), multiplied with class weights. */
  readonly weight?: Float64Array;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly code: 'DATASET_SHAPE' | 'DATASET_VALUE' | 'DATASET_ORDER' | 'DATASET_EMPTY',
    message: string,
  ) {
    super(message);
  }
}

export function rowCount(d: Dataset): number {
  return d.y.length;
}

export function featureCount(d: Dataset): number {
  return d.featureNames.length;
}

/** Throws a DatasetError naming the first thing wrong: shape, label values, non-finite features. */
export function validateDataset(d: Dataset): void {
  const n = d.y.length;
  const f = d.featureNames.length;
  if (f === 0) throw new DatasetError('DATASET_SHAPE', 'dataset has no features');
  if (d.x.length !== n * f) {
    throw new DatasetError(
      'DATASET_SHAPE',
      `x has ${d.x.length} values; expected rows (${n}) × features (${f}) = ${n * f}`,
    );
  }
  if (d.time.length !== n) throw new DatasetError('DATASET_SHAPE', `time has ${d.time.length} values; expected ${n}`);
  if (d.ids && d.ids.length !== n)
    throw new DatasetError('DATASET_SHAPE', `ids has ${d.ids.length} values; expected ${n}`);
  if (d.weight) {
    if (d.weight.length !== n)
      throw new DatasetError('DATASET_SHAPE', `weight has ${d.weight.length} values; expected ${n}`);
    for (let i = 0; i < n; i++) {
      if (!(d.weight[i]! >= 0 && Number.isFinite(d.weight[i]!)))
        throw new DatasetError('DATASET_VALUE', `row ${i}: weight must be finite and >= 0, got ${d.weight[i]}`);
    }
  }
  if (new Set(d.featureNames).size !== f)
    throw new DatasetError('DATASET_SHAPE', `duplicate feature names: ${d.featureNames.join(',')}`);
  for (let i = 0; i < n; i++) {
    const label = d.y[i]!;
    if (label !== 0 && label !== 1)
      throw new DatasetError('DATASET_VALUE', `row ${i}: label must be 0 or 1, got ${label}`);
  }
  for (let i = 0; i < d.x.length; i++) {
    if (!Number.isFinite(d.x[i]!)) {
      const row = Math.floor(i / f);
      throw new DatasetError(
        'DATASET_VALUE',
        `row ${row}: feature "${d.featureNames[i % f]}" is ${d.x[i]} (must be finite)`,
      );
    }
  }
}

/** Rows [start, end) as a view-free copy (typed-array slices copy, so workers can own them). */
export function sliceRows(d: Dataset, start: number, end: number): Dataset {
  const f = d.featureNames.length;
  return {
    featureNames: d.featureNames,
    x: d.x.slice(start * f, end * f),
    y: d.y.slice(start, end),
    time: d.time.slice(start, end),
    ...(d.ids ? { ids: d.ids.slice(start, end) } : {}),
    ...(d.weight ? { weight: d.weight.slice(start, end) } : {}),
  };
}

/** The rows at `indices`, in that order. */
export function takeRows(d: Dataset, indices: ArrayLike<number>): Dataset {
  const f = d.featureNames.length;
  const n = indices.length;
  const x = new Float64Array(n * f);
  const y = new Uint8Array(n);
  const time = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    x.set(d.x.subarray(i * f, i * f + f), k * f);
    y[k] = d.y[i]!;
    time[k] = d.time[i]!;
  }
  const ids = d.ids;
  const weight = d.weight;
  return {
    featureNames: d.featureNames,
    x,
    y,
    time,
    ...(ids ? { ids: Array.from(indices, (i) => ids[i]!) } : {}),
    ...(weight ? { weight: Float64Array.from(indices, (i) => weight[i]!) } : {}),
  };
}

export function positiveRate(y: Uint8Array): number {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  return y.length === 0 ? Number.NaN : pos / y.length;
}

/** Column `name` as a fresh array. */
export function column(d: Dataset, name: string): Float64Array {
  const j = d.featureNames.indexOf(name);
  if (j < 0) throw new DatasetError('DATASET_SHAPE', `no feature "${name}" (have ${d.featureNames.join(', ')})`);
  const f = d.featureNames.length;
  const n = d.y.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = d.x[i * f + j]!;
  return out;
}
