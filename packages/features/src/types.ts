/**
 * How a feature's value is encoded. Every value travels as a double (Avro `map<double>`,
 * ONNX float tensors); the type says which doubles are legal.
 * - `boolean`: exactly 0 or 1.
 * - `integer`: a whole number (within `min`/`max` when given).
 * - `real`: any finite number (within `min`/`max` when given).
 */
export type FeatureType = 'boolean' | 'integer' | 'real';

export interface FeatureDefinition {
  /** Name in `values` maps, ClickHouse columns and model metadata; snake_case, unique in its set. */
  readonly name: string;
  readonly type: FeatureType;
  /** What the number means, precisely enough to recompute it by hand. */
  readonly description: string;
  /** Unit of a dimensioned value, e.g. `days`, `lines`. */
  readonly unit?: string;
  /** Smallest legal value (inclusive). */
  readonly min?: number;
  /** Largest legal value (inclusive). */
  readonly max?: number;
}

/** What one row of the set describes. */
export type FeatureScope = 'commit' | 'file';

export interface FeatureSet {
  /** Registry name, e.g. `jit_change_metrics`; the `feature_set` field of features.commits.v1. */
  readonly name: string;
  /** Bumped whenever a name, the order, a type or a definition changes. */
  readonly version: number;
  readonly scope: FeatureScope;
  readonly description: string;
  /**
   * The features in their one fixed order: the order of ONNX model inputs and of training
   * matrices. Never reorder within a version.
   */
  readonly features: readonly FeatureDefinition[];
}
