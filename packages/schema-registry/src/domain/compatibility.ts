import type avro from 'avsc';

/** Confluent's compatibility levels. */
export const compatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof compatibilityLevels)[number];

/** @default 'BACKWARD' — Confluent's default, and the contract of every omen topic. */
export const defaultCompatibility: CompatibilityLevel = 'BACKWARD';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (compatibilityLevels as readonly string[]).includes(value);
}

/**
 * Why `reader` cannot read data written with `writer`, or null when it can. Uses avsc's schema
 * resolution (Avro spec rules: promotions int→long→float→double, string↔bytes, defaults for
 * added fields, enum defaults, union branch matching, record names and aliases), which refuses
 * exactly what would fail at read time.
 */
export function readProblem(reader: avro.Type, writer: avro.Type): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  /** One line per failed check, naming the version it failed against. */
  readonly messages: readonly string[];
}

export interface VersionedType {
  readonly version: number;
  readonly type: avro.Type;
}

/**
 * Checks a candidate against a subject's existing versions (oldest first) under a level:
 * BACKWARD — the candidate reads data written with the latest version; FORWARD — the latest
 * version reads data written with the candidate; FULL — both; *_TRANSITIVE — against every
 * version instead of only the latest; NONE — always compatible.
 */
export function checkCompatibility(
  candidate: avro.Type,
  existing: readonly VersionedType[],
  level: CompatibilityLevel,
): CompatibilityResult {
  if (level === 'NONE' || existing.length === 0) return { compatible: true, messages: [] };
  const against = level.endsWith('_TRANSITIVE') ? existing : existing.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const { version, type } of against) {
    if (backward) {
      const problem = readProblem(candidate, type);
      if (problem)
        messages.push(`BACKWARD: the new schema cannot read data written with version ${version}: ${problem}`);
    }
    if (forward) {
      const problem = readProblem(type, candidate);
      if (problem)
        messages.push(`FORWARD: version ${version} cannot read data written with the new schema: ${problem}`);
    }
  }
  return { compatible: messages.length === 0, messages };
}
