import type { Dataset } from './dataset.ts';
import { EFFORT_FEATURES } from './features.ts';

/** la + ld per row, or undefined when the feature set lacks either (effort-aware metrics then read NaN). */
export function effortOf(d: Dataset): Float64Array | undefined {
  const f = d.featureNames.length;
  const [a, b] = EFFORT_FEATURES.map((name) => d.featureNames.indexOf(name));
  if (a === undefined || b === undefined || a < 0 || b < 0) return undefined;
  const n = d.y.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(0, d.x[i * f + a]!) + Math.max(0, d.x[i * f + b]!);
  return out;
}
