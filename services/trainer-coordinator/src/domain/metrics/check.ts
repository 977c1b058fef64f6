/** Shared argument check: labels 0/1, scores finite, same length. */
export function checkScored(y: ArrayLike<number>, scores: ArrayLike<number>, what: string): void {
  if (y.length !== scores.length) throw new RangeError(`${what}: ${y.length} labels but ${scores.length} scores`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`${what}: label ${i} must be 0 or 1, got ${y[i]}`);
    if (!Number.isFinite(scores[i]!)) throw new RangeError(`${what}: score ${i} is ${scores[i]} (must be finite)`);
  }
}

export function countPositives(y: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < y.length; i++) p += y[i]!;
  return p;
}

/** Indices sorted by score descending; equal scores keep index order so results are deterministic. */
export function orderByScoreDesc(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
}
