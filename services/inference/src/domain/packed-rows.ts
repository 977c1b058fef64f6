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

function valid(f: FeatureDefinition, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  if (f.type === 'boolean' ? v !== 0 && v !== 1 : f.type === 'integer' && !Number.isInteger(v)) return false;
  return !((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max));
}

/**
 * Writes request row `r` into `x` at model row `k` when every value is valid (the same rules as
 * inlineRow: finite; booleans 0 or 1; integers whole; within min/max); false leaves the row to
 * inlineRow for the full list of problems.
 */
export function packRow(
  set: FeatureSet,
  columns: Int32Array,
  values: ArrayLike<number>,
  r: number,
  x: Float32Array,
  k: number,
): boolean {
  const width = columns.length;
  const base = r * width;
  for (let j = 0; j < width; j++) {
    const v = Number(values[base + columns[j]!]);
    if (!valid(set.features[j]!, v)) return false;
    x[k * width + j] = v;
  }
  return true;
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
