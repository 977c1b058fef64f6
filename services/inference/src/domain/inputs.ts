// Turning request features into the model's input row, with errors that name the field.
import { FailedPreconditionError, InvalidArgumentError } from '@omen/errors';
import { featureSetId, validateFeatureValues, type FeatureDefinition, type FeatureSet } from '@omen/features';

/**
 * The row when every value is valid, else undefined — the per-request fast path. It accepts
 * exactly what validateFeatureValues accepts (the registry's rules: finite numbers; booleans
 * 0 or 1; integers whole; within min/max; every feature present, no other key); anything it
 * refuses goes through validateFeatureValues for the full list of problems.
 */
function fastRow(
  features: readonly FeatureDefinition[],
  values: Readonly<Record<string, number>>,
  allowUnknown: boolean,
): Float32Array | undefined {
  const row = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    const v = values[f.name];
    if (typeof v !== 'number' || !Number.isFinite(v) || !Object.hasOwn(values, f.name)) return undefined;
    if (f.type === 'boolean' ? v !== 0 && v !== 1 : f.type === 'integer' && !Number.isInteger(v)) return undefined;
    if ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max)) return undefined;
    row[i] = v;
  }
  if (!allowUnknown) {
    let keys = 0;
    for (const k in values) if (Object.hasOwn(values, k)) keys++;
    if (keys !== features.length) return undefined;
  }
  return row;
}

/**
 * The row for caller-supplied features: every feature of the set, nothing else, each of its
 * declared type. `field` is the request path of the values map (e.g. `features.values`,
 * `requests[3].features.values`); the error names the first offending feature under it and
 * lists every problem.
 */
export function inlineRow(set: FeatureSet, values: Readonly<Record<string, number>>, field: string): Float32Array {
  const fast = fastRow(set.features, values, false);
  if (fast) return fast;
  const problems = validateFeatureValues(set, values);
  if (problems.length > 0) {
    const count = Object.keys(values).length;
    const countNote =
      count !== set.features.length ? ` (${count} values given, ${featureSetId(set)} has ${set.features.length})` : '';
    const first = problems[0]!;
    throw new InvalidArgumentError(
      `${field}: features do not match ${featureSetId(set)}${countNote}: ${problems.map((p) => `${p.feature} ${p.problem}`).join('; ')}`,
      `${field}.${first.feature}`,
      { problems },
    );
  }
  return Float32Array.from(set.features, (f) => values[f.name]!);
}

/**
 * The row for features read from the online store. They were validated when written; a value
 * that is absent or out of bounds now means the store and the model disagree (a feature the
 * featurizer could not compute, or a newer definition), which the caller cannot fix:
 * FAILED_PRECONDITION naming the key and the features.
 */
export function storedRow(set: FeatureSet, values: Readonly<Record<string, number>>, key: string): Float32Array {
  const fast = fastRow(set.features, values, true);
  if (fast) return fast;
  const problems = validateFeatureValues(set, values, { allowUnknown: true });
  if (problems.length > 0) {
    throw new FailedPreconditionError(
      `stored features ${key} (${featureSetId(set)}) cannot be scored: ${problems.map((p) => `${p.feature} ${p.problem}`).join('; ')}`,
      { key },
    );
  }
  return Float32Array.from(set.features, (f) => values[f.name]!);
}

/** A caller naming a feature set must name the model's. */
export function checkInlineFeatureSet(set: FeatureSet, name: string, version: number, field: string): void {
  if (name !== '' && name !== set.name) {
    throw new InvalidArgumentError(
      `${field}.feature_set is "${name}" but the model takes ${featureSetId(set)}`,
      `${field}.feature_set`,
    );
  }
  if (version !== 0 && version !== set.version) {
    throw new InvalidArgumentError(
      `${field}.feature_set_version is ${version} but the model takes ${featureSetId(set)}`,
      `${field}.feature_set_version`,
    );
  }
}
