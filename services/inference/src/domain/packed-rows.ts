// Packed rows (PredictBatchRequest.packed) turned into the model's input matrix column by column,
// without an object per row: the names are matched to the model's feature order once, then each
// value is checked against its definition and written into the row-major float32 matrix.
import { InvalidArgumentError } from '@omen/errors';
import { featureSetId, type FeatureDefinition, type FeatureSet } from '@omen/features';

/** Where each of the model's features is in the request's rows: `columns[j]` is the request column of model feature j. */
export function packedColumns(set: FeatureSet, names: readonly string[], field: string): Int32Array {
  const at = new Map<string, number>();
  names.forEach((n, i) => at.set(n, i));
  const columns = new Int32Array(set.features.length);
  const missing: string[] = [];
  set.features.forEach((f, j) => {
    const i = at.get(f.name);
    if (i === undefined) missing.push(f.name);
    else columns[j] = i;
  });
  const known = new Set(set.features.map((f) => f.name));
  const unknown = names.filter((n) => !known.has(n));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [
      ...missing.map((n) => `${n} is missing`),
      ...unknown.map((n) => `${JSON.stringify(n).slice(0, 42)} is not a feature of the set`),
    ];
    throw new InvalidArgumentError(
      `${field}: names do not match ${featureSetId(set)}: ${problems.slice(0, 20).join('; ')}`,
      field,
    );
  }
  return columns;
}

const KIND_NUMBER = 0;
const KIND_INTEGER = 1;
const KIND_BOOLEAN = 2;

/**
 * Writes every valid request row into the row-major float32 matrix `x`, valid rows packed to the
 * front in request order, and returns each request row's model row (-1 for a row with an invalid
 * value, left to inlineRow for the full list of its problems). The rules are inlineRow's: finite;
 * booleans 0 or 1; integers whole; within min/max. Column by column, with each feature's rule read
 * once, and no object per row.
 */
export function packRows(
  set: FeatureSet,
  columns: Int32Array,
  values: ArrayLike<number>,
  rows: number,
  x: Float32Array,
): Int32Array {
  const width = columns.length;
  const bad = new Uint8Array(rows);
  let anyBad = false;
  for (let j = 0; j < width; j++) {
    const f: FeatureDefinition = set.features[j]!;
    const kind = f.type === 'boolean' ? KIND_BOOLEAN : f.type === 'integer' ? KIND_INTEGER : KIND_NUMBER;
    const min = f.min ?? -Infinity;
    const max = f.max ?? Infinity;
    const col = columns[j]!;
    for (let r = 0, from = col, to = j; r < rows; r++, from += width, to += width) {
      const v = Number(values[from]);
      // NaN fails every comparison, so `!(v >= min && v <= max)` also refuses it.
      if (
        !(v >= min && v <= max) ||
        !Number.isFinite(v) ||
        (kind === KIND_BOOLEAN ? v !== 0 && v !== 1 : kind === KIND_INTEGER && !Number.isInteger(v))
      ) {
        bad[r] = 1;
        anyBad = true;
      }
      x[to] = v;
    }
  }
  const at = new Int32Array(rows);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    if (bad[r]) {
      at[r] = -1;
      continue;
    }
    if (anyBad && k !== r) x.copyWithin(k * width, r * width, (r + 1) * width);
    at[r] = k++;
  }
  return at;
}

/** Request row `r` as the values map a per-row request would have carried. */
export function rowValues(names: readonly string[], values: ArrayLike<number>, r: number): Record<string, number> {
  const row: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = Number(values[r * names.length + i]);
  return row;
}

/**
 * The `k` largest contributions by absolute value into `features`/`out` (model feature indexes,
 * values), in the order rankContributions gives them (ties by name), without sorting every
 * feature: k passes of a selection, k being small.
 */
export function topContributions(
  c: ArrayLike<number>,
  names: readonly string[],
  k: number,
  features: number[],
  out: number[],
): void {
  const taken = new Uint8Array(names.length);
  for (let n = 0; n < k; n++) {
    let best = -1;
    for (let j = 0; j < names.length; j++) {
      if (taken[j]) continue;
      if (best < 0) {
        best = j;
        continue;
      }
      const a = Math.abs(c[j]!);
      const b = Math.abs(c[best]!);
      if (a > b || (a === b && names[j]! < names[best]!)) best = j;
    }
    taken[best] = 1;
    features.push(best);
    out.push(c[best]!);
  }
}
