// CBPE expected ROC AUC and realised ROC AUC against an independent Python implementation
// (test/fixtures/make-cbpe-fixture.py: numpy for CBPE written from NannyML's published method,
// scipy's Mann-Whitney U for the realised AUC), run live with a fresh seed; and a simulation:
// on calibrated synthetic data the expected AUC estimates the realised one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cbpeRocAuc, rocAuc } from '../../src/domain/performance.ts';
import { rng } from '../helpers/reference.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, '../fixtures/make-cbpe-fixture.py');

interface Fixture {
  cases: Array<{ name: string; scores: number[]; labels: boolean[]; cbpe: number; auc: number }>;
}

function python(seed: number): Fixture | undefined {
  const r = spawnSync('python3', [script, String(seed)], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as Fixture;
}

const fixture = python(1 + Math.floor(Math.random() * 1e9));

describe('CBPE and ROC AUC vs the Python reference', () => {
  it.skipIf(!fixture)('agree to 1e-12 on every case (ties included)', () => {
    for (const c of fixture!.cases) {
      expect(Math.abs(cbpeRocAuc(c.scores)! - c.cbpe), c.name).toBeLessThan(1e-12);
      expect(Math.abs(rocAuc(c.scores, c.labels)! - c.auc), c.name).toBeLessThan(1e-12);
    }
  });

  it('are null without both classes, and AUC is 1 for a perfect ranking', () => {
    expect(cbpeRocAuc([])).toBeNull();
    expect(cbpeRocAuc([0, 0, 0])).toBeNull();
    expect(cbpeRocAuc([1, 1])).toBeNull();
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNull();
    expect(rocAuc([0.1, 0.2, 0.9], [false, false, true])).toBe(1);
    // Identical scores carry no ranking information: expected and realised AUC 0.5.
    expect(cbpeRocAuc([0.3, 0.3, 0.3])).toBeCloseTo(0.5, 12);
  });
});

describe('simulation: calibrated scores', () => {
  it('expected AUC tracks realised AUC across score distributions (mean error < 0.01, each window within 0.05)', () => {
    const random = rng(2026);
    // Scores from Beta-like shapes (powers of uniforms), labels drawn with exactly that probability.
    const shapes = [
      (u: number) => u ** 3,
      (u: number) => u,
      (u: number) => 0.2 + 0.3 * u,
      (u: number) => 1 - (1 - u) ** 0.5,
    ];
    const errors: number[] = [];
    for (let rep = 0; rep < 40; rep++) {
      const shape = shapes[rep % shapes.length]!;
      const scores = Array.from({ length: 2000 }, () => shape(random()));
      const labels = scores.map((p) => random() < p);
      const expected = cbpeRocAuc(scores)!;
      const realised = rocAuc(scores, labels)!;
      errors.push(expected - realised);
      expect(Math.abs(expected - realised)).toBeLessThan(0.05);
    }
    const meanError = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(Math.abs(meanError)).toBeLessThan(0.01);
  });

  it('overestimates when the scores are not calibrated (why the champion calibrates)', () => {
    const random = rng(7);
    const scores = Array.from({ length: 5000 }, () => random());
    // True probability flatter than the score: over-confident scores.
    const labels = scores.map((p) => random() < 0.3 + 0.4 * p);
    expect(cbpeRocAuc(scores)! - rocAuc(scores, labels)!).toBeGreaterThan(0.1);
  });
});
