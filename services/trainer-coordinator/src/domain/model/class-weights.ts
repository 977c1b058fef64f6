/** How rows are weighted by class. `balanced` gives each class the same total weight. */
export type ClassWeight = 'none' | 'balanced' | { readonly negative: number; readonly positive: number };

/**
 * Per-row weights: class weight × optional sample weight. `balanced` has mean 1 (without sample
 * weights), so regularisation strength does not move with n.
 */
export function rowWeights(y: Uint8Array, cw: ClassWeight = 'none', sampleWeight?: Float64Array): Float64Array {
  const n = y.length;
  const w = new Float64Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i]!;
  let wNeg = 1;
  let wPos = 1;
  if (cw === 'balanced') {
    if (pos === 0 || pos === n) throw new RangeError('classWeight "balanced" needs both classes in the training rows');
    wPos = n / (2 * pos);
    wNeg = n / (2 * (n - pos));
  } else if (cw !== 'none') {
    if (!(cw.negative > 0 && cw.positive > 0))
      throw new RangeError(`classWeight weights must be > 0; got ${JSON.stringify(cw)}`);
    wNeg = cw.negative;
    wPos = cw.positive;
  }
  for (let i = 0; i < n; i++) w[i] = (y[i] ? wPos : wNeg) * (sampleWeight ? sampleWeight[i]! : 1);
  return w;
}
