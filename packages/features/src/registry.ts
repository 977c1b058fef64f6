import { createHash } from 'node:crypto';
import { InvalidArgumentError, NotFoundError } from '@omen/errors';
import { codeFileMetricsV1, codeMetricsV1, jitChangeMetricsV1 } from './sets.ts';
import type { FeatureDefinition, FeatureSet } from './types.ts';

/** `<name>@v<version>`, e.g. `jit_change_metrics@v1`: how logs, metrics and model metadata name a set. */
export function featureSetId(set: Pick<FeatureSet, 'name' | 'version'>): string {
  return `${set.name}@v${set.version}`;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Checks a set's own consistency; the registry refuses a set that fails. */
export function checkFeatureSet(set: FeatureSet): string[] {
  const problems: string[] = [];
  if (!NAME.test(set.name)) problems.push(`set name "${set.name}" is not snake_case`);
  if (!Number.isInteger(set.version) || set.version < 1)
    problems.push(`${set.name}: version must be an integer >= 1, got ${set.version}`);
  if (set.features.length === 0) problems.push(`${set.name}: has no features`);
  const seen = new Set<string>();
  for (const f of set.features) {
    if (!NAME.test(f.name)) problems.push(`${set.name}: feature name "${f.name}" is not snake_case`);
    if (seen.has(f.name)) problems.push(`${set.name}: feature "${f.name}" is declared twice`);
    seen.add(f.name);
    if (f.description.trim() === '') problems.push(`${set.name}.${f.name}: description is empty`);
    if (f.min !== undefined && f.max !== undefined && f.min > f.max)
      problems.push(`${set.name}.${f.name}: min ${f.min} > max ${f.max}`);
  }
  return problems;
}

function freezeSet(set: FeatureSet): FeatureSet {
  for (const f of set.features) Object.freeze(f);
  Object.freeze(set.features);
  return Object.freeze(set);
}

/**
 * All feature sets omen knows, by name and version. Versions are append-only: a model trained
 * on `x@v1` keeps resolving `x@v1` after `x@v2` is added.
 */
export class FeatureRegistry {
  readonly #sets = new Map<string, Map<number, FeatureSet>>();

  constructor(sets: readonly FeatureSet[]) {
    for (const set of sets) {
      const problems = checkFeatureSet(set);
      if (problems.length > 0)
        throw new InvalidArgumentError(
          `feature set ${featureSetId(set)} is invalid: ${problems.join('; ')}`,
          'feature_set',
        );
      const versions = this.#sets.get(set.name) ?? new Map<number, FeatureSet>();
      if (versions.has(set.version))
        throw new InvalidArgumentError(`feature set ${featureSetId(set)} is registered twice`, 'feature_set');
      versions.set(set.version, freezeSet(set));
      this.#sets.set(set.name, versions);
    }
  }

  /** The set `name@version`; without a version, the newest. Throws NotFoundError naming what exists. */
  get(name: string, version?: number): FeatureSet {
    const versions = this.#sets.get(name);
    if (!versions) {
      throw new NotFoundError(
        `unknown feature set "${name}"; known: ${[...this.#sets.keys()].sort().join(', ')}`,
        `feature_set/${name}`,
      );
    }
    const v = version ?? Math.max(...versions.keys());
    const set = versions.get(v);
    if (!set) {
      throw new NotFoundError(
        `feature set "${name}" has no version ${v}; known versions: ${[...versions.keys()].sort((a, b) => a - b).join(', ')}`,
        `feature_set/${name}@v${v}`,
      );
    }
    return set;
  }

  has(name: string, version: number): boolean {
    return this.#sets.get(name)?.has(version) ?? false;
  }

  /** Every registered set, by name then version. */
  list(): FeatureSet[] {
    return [...this.#sets.keys()]
      .sort()
      .flatMap((name) => [...(this.#sets.get(name)?.values() ?? [])].sort((a, b) => a.version - b.version));
  }
}

/** The registry every service uses. */
export const featureRegistry = new FeatureRegistry([jitChangeMetricsV1, codeMetricsV1, codeFileMetricsV1]);

/** Feature names in the set's fixed order: the ONNX input order and the training column order. */
export function featureNames(set: FeatureSet): readonly string[] {
  return set.features.map((f) => f.name);
}

/**
 * A stable fingerprint of what a set's values mean (name, version, and each feature's name,
 * type and bounds, in order). A model stores it at training time; serving compares it, so a
 * silently edited definition cannot pass as the same version.
 */
export function featureSetFingerprint(set: FeatureSet): string {
  const canonical = JSON.stringify([
    set.name,
    set.version,
    set.scope,
    set.features.map((f) => [f.name, f.type, f.min ?? null, f.max ?? null, f.unit ?? null]),
  ]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** One thing wrong with a values map; `feature` names the feature (or the unknown key). */
export interface FeatureProblem {
  feature: string;
  problem: string;
}

export interface ValidateOptions {
  /**
   * Whether an absent feature is allowed (the Avro contract says a feature that cannot be
   * computed is absent).
   * @default false
   */
  allowMissing?: boolean;
  /**
   * Whether keys the set does not declare are allowed.
   * @default false
   */
  allowUnknown?: boolean;
}

function checkValue(f: FeatureDefinition, value: number): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a finite number, got ${String(value)}`;
  if (f.type === 'boolean' && value !== 0 && value !== 1) return `is boolean and must be 0 or 1, got ${value}`;
  if (f.type === 'integer' && !Number.isInteger(value)) return `is an integer, got ${value}`;
  if (f.min !== undefined && value < f.min) return `must be >= ${f.min}, got ${value}`;
  if (f.max !== undefined && value > f.max) return `must be <= ${f.max}, got ${value}`;
  return undefined;
}

/** Every problem of a values map against a set (empty when it conforms). */
export function validateFeatureValues(
  set: FeatureSet,
  values: Readonly<Record<string, number>>,
  options: ValidateOptions = {},
): FeatureProblem[] {
  const problems: FeatureProblem[] = [];
  const declared = new Set<string>();
  for (const f of set.features) {
    declared.add(f.name);
    if (!Object.hasOwn(values, f.name)) {
      if (!options.allowMissing) problems.push({ feature: f.name, problem: 'is missing' });
      continue;
    }
    const problem = checkValue(f, values[f.name] as number);
    if (problem) problems.push({ feature: f.name, problem });
  }
  if (!options.allowUnknown) {
    for (const key of Object.keys(values)) {
      if (!declared.has(key)) problems.push({ feature: key, problem: `is not a feature of ${featureSetId(set)}` });
    }
  }
  return problems;
}

function invalid(set: FeatureSet, problems: FeatureProblem[]): InvalidArgumentError {
  const text = problems.map((p) => `${p.feature} ${p.problem}`).join('; ');
  const first = problems[0];
  return new InvalidArgumentError(
    `features do not match ${featureSetId(set)}: ${text}`,
    first ? `values.${first.feature}` : 'values',
    { problems },
  );
}

export interface VectorOptions {
  /**
   * Value for an absent feature; without it an absent feature is an error.
   * (NaN is allowed here for models that handle missing values natively.)
   */
  missing?: number;
}

/**
 * The values in the set's fixed order, validated, as float32 (what ONNX models take).
 * Throws InvalidArgumentError listing every problem.
 */
export function toFeatureVector(
  set: FeatureSet,
  values: Readonly<Record<string, number>>,
  options: VectorOptions = {},
): Float32Array {
  const problems = validateFeatureValues(set, values, { allowMissing: options.missing !== undefined });
  if (problems.length > 0) throw invalid(set, problems);
  const out = new Float32Array(set.features.length);
  set.features.forEach((f, i) => {
    out[i] = Object.hasOwn(values, f.name) ? (values[f.name] as number) : (options.missing as number);
  });
  return out;
}

/** The inverse of toFeatureVector: a values map from a vector in the set's order. */
export function fromFeatureVector(set: FeatureSet, vector: ArrayLike<number>): Record<string, number> {
  if (vector.length !== set.features.length) {
    throw new InvalidArgumentError(
      `a ${featureSetId(set)} vector has ${set.features.length} values, got ${vector.length}`,
      'vector',
    );
  }
  const values: Record<string, number> = {};
  set.features.forEach((f, i) => {
    values[f.name] = vector[i] as number;
  });
  return values;
}
