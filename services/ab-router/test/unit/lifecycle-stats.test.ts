// Ground-truth metrics (outcomes.ts) and peeking-safe statistics (sequential.ts) against
// independent references: test/fixtures/make-lifecycle-stats.py (scipy/numpy; committed output
// lifecycle-stats.json, re-run live when python3 + scipy are here), and an A/A simulation of the
// confidence sequence looked at after every batch.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { armOutcomes, delong, ece, recallAtEffort, type Scored } from '../../src/domain/outcomes.ts';
import { csHalfWidth, meanDiffSequence, sampleSize, srm } from '../../src/domain/sequential.ts';
import { welch } from '../../src/domain/statistics.ts';

interface OutcomeCase {
  name: string;
  threshold: number;
  alpha: number;
  p: number[];
  y: (0 | 1)[];
  auc: number;
  auc_var: number;
  brier: number;
  brier_var: number;
  log_loss: number;
  ece: number;
  recall_at_20: number;
  precision: number;
  precision_low: number;
  precision_high: number;
  recall: number;
  recall_low: number;
  recall_high: number;
}
interface Fixture {
  outcomes: OutcomeCase[];
  srm: { observed: number[]; weights: number[]; chi2: number; p_value: number }[];
  cs: { variance: number; n: number; alpha: number; n_star: number; half_width: number }[];
  sizes: { mde: number; stddev: number; alpha: number; power: number; ratio: number; n_treatment: number }[];
}

const here = path.dirname(new URL(import.meta.url).pathname);
const script = path.join(here, '../fixtures/make-lifecycle-stats.py');
const committed = JSON.parse(readFileSync(path.join(here, '../fixtures/lifecycle-stats.json'), 'utf8')) as Fixture;

function live(): Fixture | undefined {
  try {
    return JSON.parse(
      execFileSync('python3', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as Fixture;
  } catch {
    return undefined; // no python3/scipy here: the committed fixture alone is the reference
  }
}

const close = (actual: number | undefined, expected: number, tol = 1e-9) => {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
};

function checkAll(f: Fixture): void {
  for (const c of f.outcomes) {
    const rows: Scored[] = c.p.map((p, i) => ({ p, y: c.y[i]! }));
    const o = armOutcomes(rows, { threshold: c.threshold, alpha: c.alpha });
    close(o.auc.value, c.auc);
    close(o.aucVar, c.auc_var);
    close(o.brier.value, c.brier);
    close(o.brierVar, c.brier_var);
    close(o.logLoss.value, c.log_loss);
    close(o.ece.value, c.ece);
    close(o.recallAt20Effort.value, c.recall_at_20);
    close(o.precision.value, c.precision);
    close(o.precision.low, c.precision_low, 1e-7);
    close(o.precision.high, c.precision_high, 1e-7);
    close(o.recall.value, c.recall);
    close(o.recall.low, c.recall_low, 1e-7);
    close(o.recall.high, c.recall_high, 1e-7);
    // Intervals hold their estimate.
    for (const e of [o.auc, o.brier, o.logLoss, o.ece, o.recallAt20Effort])
      expect(e.low! <= e.value! && e.value! <= e.high!).toBe(true);
  }
  for (const c of f.srm) {
    const r = srm(c.observed, c.weights)!;
    close(r.chi2, c.chi2);
    close(r.pValue, c.p_value, 1e-8);
    expect(r.mismatch).toBe(c.p_value < 0.001);
  }
  for (const c of f.cs) close(csHalfWidth(c.variance, c.n, c.alpha, c.n_star), c.half_width);
  for (const c of f.sizes) {
    // Normal approximation vs the exact t-test power: within 1% (+2 units).
    const n = sampleSize({ mde: c.mde, stddev: c.stddev, alpha: c.alpha, power: c.power, ratio: c.ratio });
    expect(Math.abs(n.treatment - c.n_treatment)).toBeLessThanOrEqual(0.01 * c.n_treatment + 2);
    expect(n.control).toBe(Math.ceil(n.treatment * c.ratio));
  }
}

describe('lifecycle statistics vs scipy', () => {
  it('match the committed reference values', () => checkAll(committed));
  it('match a live run of the reference script (when python3 + scipy are here)', () => {
    const f = live();
    if (!f) return;
    checkAll(f);
  });
  it('SRM flags a 1000 vs 1200 split of a 50/50 experiment, not a 1000 vs 1010 one', () => {
    expect(srm([1000, 1200], [50, 50])!.mismatch).toBe(true);
    expect(srm([1000, 1010], [50, 50])!.mismatch).toBe(false);
  });
  it('AUC of a perfect ranking is 1, of its reverse 0; one class gives none', () => {
    const rows: Scored[] = [0.1, 0.2, 0.8, 0.9].map((p, i) => ({ p, y: i >= 2 ? 1 : 0 }));
    expect(delong(rows)!.auc).toBe(1);
    expect(delong(rows.map((r) => ({ ...r, y: r.y === 1 ? 0 : 1 })))!.auc).toBe(0);
    expect(delong(rows.map((r) => ({ ...r, y: 0 })))).toBeUndefined();
    expect(recallAtEffort(rows.map((r) => ({ ...r, y: 0 })))).toBeUndefined();
    expect(ece([{ p: 1, y: 1 }])).toBe(0);
  });
});

/** Normal(0, 1) by Box–Muller from a seeded generator. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/**
 * A/A runs: both arms draw from the same distribution; after every batch of `step` units per
 * arm the experiment is looked at. A run is a false positive when any look declares a
 * difference. Returns the share of runs with one, for the confidence sequence and for the
 * fixed-horizon Welch test peeked at the same looks.
 */
function aaFalsePositives(
  runs: number,
  looks: number,
  step: number,
  alpha: number,
  draw: () => number,
): { sequential: number; peekedWelch: number } {
  let seqFp = 0;
  let welchFp = 0;
  for (let r = 0; r < runs; r++) {
    const s = [
      { n: 0, sum: 0, sq: 0 },
      { n: 0, sum: 0, sq: 0 },
    ];
    let seqHit = false;
    let welchHit = false;
    for (let l = 0; l < looks; l++) {
      for (const arm of s) {
        for (let i = 0; i < step; i++) {
          const x = draw();
          arm.n++;
          arm.sum += x;
          arm.sq += x * x;
        }
      }
      const m = s.map((a) => ({ n: a.n, mean: a.sum / a.n, variance: (a.sq - (a.sum * a.sum) / a.n) / (a.n - 1) }));
      const cs = meanDiffSequence(m[1]!, m[0]!, alpha, 1000)!;
      if (cs.low > 0 || cs.high < 0) seqHit = true;
      const w = welch(
        { count: m[1]!.n, mean: m[1]!.mean, stddev: Math.sqrt(m[1]!.variance) },
        { count: m[0]!.n, mean: m[0]!.mean, stddev: Math.sqrt(m[0]!.variance) },
        alpha,
      );
      if (w.pValue !== undefined && w.pValue < alpha) welchHit = true;
    }
    if (seqHit) seqFp++;
    if (welchHit) welchFp++;
  }
  return { sequential: seqFp / runs, peekedWelch: welchFp / runs };
}

describe('A/A simulation: peeking after every batch', () => {
  it('keeps the confidence sequence at ≤ alpha, while a peeked t-test exceeds it', () => {
    // 1000 runs × 100 looks × 20 units per arm per look (2000 units per arm at the end).
    // Binomial sd of a 5% rate over 1000 runs is 0.7%; the sequence stays far below alpha.
    const draw = gaussian(42);
    const r = aaFalsePositives(1000, 100, 20, 0.05, draw);
    expect(r.sequential).toBeLessThanOrEqual(0.05);
    expect(r.peekedWelch).toBeGreaterThan(0.1); // the reason for the sequential test
    // The same for 0/1 outcomes (a Brier-like rate), alpha 0.1.
    const bern = gaussian(7);
    const r2 = aaFalsePositives(1000, 100, 20, 0.1, () => (bern() > 1 ? 1 : 0));
    expect(r2.sequential).toBeLessThanOrEqual(0.1);
    console.log(
      `A/A: sequential FPR ${r.sequential} (alpha 0.05), peeked Welch ${r.peekedWelch}; bernoulli sequential ${r2.sequential} (alpha 0.1), peeked Welch ${r2.peekedWelch}`,
    );
  });
});
