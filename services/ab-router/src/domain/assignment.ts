// Sticky assignment: the arm is a pure function of (experiment id, unit id, weights), so every
// replica, before and after a restart, puts a unit in the same arm without sharing state.
import { createHash } from 'node:crypto';
import type { ArmSpec } from './experiment.ts';

/**
 * A point in [0, 1) from SHA-256 of "<experimentId>:<unitId>": the first 52 bits of the digest
 * over 2^52, which a double holds exactly. The experiment id is part of the input so that a
 * unit's arms in two experiments are independent.
 */
export function unitPoint(experimentId: string, unitId: string): number {
  const digest = createHash('sha256').update(`${experimentId}:${unitId}`).digest();
  const hi = digest.readUInt32BE(0);
  const lo = digest.readUInt32BE(4) >>> 12;
  return (hi * 2 ** 20 + lo) / 2 ** 52;
}

/** The arm whose slice of the cumulative normalised weights holds the unit's point. */
export function assignArm<A extends Pick<ArmSpec, 'weight'>>(
  experimentId: string,
  unitId: string,
  arms: readonly A[],
): A {
  if (arms.length === 0) throw new Error('assignArm: no arms');
  const total = arms.reduce((s, a) => s + a.weight, 0);
  const point = unitPoint(experimentId, unitId) * total;
  let cumulative = 0;
  for (const arm of arms) {
    cumulative += arm.weight;
    if (point < cumulative) return arm;
  }
  // Rounding can leave the last boundary a hair under total.
  return arms[arms.length - 1]!;
}
