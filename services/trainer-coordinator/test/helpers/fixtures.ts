import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseJitCsv, type Dataset } from '../../src/domain/index.ts';
import { seededRandom } from '@omen/service/random';

const dir = new URL('../fixtures/', import.meta.url);

/** Real data: the first 4,000 qt changes of ISSTA'21 (see fixtures/make-jit-slice.py). */
export function qtSlice(): Dataset {
  return parseJitCsv(gunzipSync(readFileSync(new URL('qt-first-4000.csv.gz', dir))).toString('utf8'));
}

export interface Reference {
  auc: { y: number[]; scores: number[]; auc: number; brier_p: number[]; brier: number }[];
  average_precision: { y: number[]; scores: number[]; ap: number }[];
  quantiles: { values: number[]; levels: number[]; expected: number[]; mean: number; std: number };
  logistic: { x: number[]; y: number[]; features: number; fits: { l2: number; coef: number[]; intercept: number }[] };
}

/** numpy/scipy reference values (see fixtures/make-fixtures.py). */
export function reference(): Reference {
  return JSON.parse(readFileSync(new URL('reference.json', dir), 'utf8')) as Reference;
}

/** A dataset from explicit columns; time = row index unless given. */
export function makeDataset(featureNames: string[], rows: number[][], y: number[], time?: number[]): Dataset {
  return {
    featureNames,
    x: Float64Array.from(rows.flat()),
    y: Uint8Array.from(y),
    time: Float64Array.from(time ?? y.map((_, i) => i)),
  };
}

/** n rows of f standard-normal-ish features (Box–Muller on a seeded PRNG). */
export function gaussianRows(n: number, f: number, seed: number): number[][] {
  const rand = seededRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: n }, () => Array.from({ length: f }, normal));
}

export function bernoulli(p: number, rand: () => number): number {
  return rand() < p ? 1 : 0;
}
