// Every statistic against scipy: the committed fixture (test/fixtures/stats-scipy.json, made by
// make-stats-fixture.py) always, and the same script run live with a fresh seed when python3 with
// numpy and scipy is on the machine, so the fixture cannot drift from what scipy computes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  PSI_EPSILON,
  benjaminiHochberg,
  binCounts,
  chi2Sf,
  chiSquared,
  jensenShannon,
  kolmogorovSf,
  ksPValue,
  ksStatistic,
  psi,
  quantileCdf,
  wassersteinNorm,
  wassersteinToCdf,
} from '../../src/domain/stats.ts';

interface Fixture {
  seed: number;
  psi_epsilon: number;
  continuous: Array<{
    name: string;
    reference: {
      count: number;
      std: number;
      min: number;
      max: number;
      levels: number[];
      quantiles: number[];
      edges: number[];
      proportions: number[];
    };
    sample: number[];
    counts: number[];
    psi: number;
    js: number;
    ks_d: number;
    ks_p: number;
    wasserstein: number;
    wasserstein_norm: number;
  }>;
  fdr: Array<{ p: number[]; bh: number[] }>;
  categorical: Array<{ name: string; shares: number[]; observed: number[]; statistic: number; p: number; dof: number }>;
  kolmogorov: Array<{ x: number; sf: number }>;
  chi2_sf: Array<{ x: number; k: number; sf: number }>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, '../fixtures/make-stats-fixture.py');
const committed = JSON.parse(readFileSync(path.join(here, '../fixtures/stats-scipy.json'), 'utf8')) as Fixture;

/** Relative tolerance, with an absolute floor for values near 0. */
function close(actual: number, expected: number, rel = 1e-9, abs = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.max(abs, rel * Math.abs(expected)),
  );
}

function live(): Fixture | undefined {
  const seed = String(1 + Math.floor(Math.random() * 1e9));
  const r = spawnSync('python3', [script, seed], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as Fixture;
}

function checkAll(f: Fixture): void {
  expect(f.psi_epsilon).toBe(PSI_EPSILON);
  for (const c of f.continuous) {
    const counts = binCounts(c.sample, c.reference.edges);
    expect(counts, c.name).toEqual(c.counts);
    close(psi(c.reference.proportions, counts), c.psi);
    close(jensenShannon(c.reference.proportions, counts), c.js, 1e-9, 1e-10);
    const cdf = quantileCdf(c.reference.levels, c.reference.quantiles, c.reference.min, c.reference.max);
    const d = ksStatistic(c.sample, cdf);
    close(d, c.ks_d);
    close(ksPValue(d, c.sample.length, c.reference.count), c.ks_p, 1e-7, 1e-300);
    // scipy's side discretises the reference (400,000 points): agreement to 1e-5 of the value.
    const w = wassersteinToCdf(c.sample, c.reference.levels, c.reference.quantiles, c.reference.min, c.reference.max);
    close(w, c.wasserstein, 1e-5, 1e-7);
    close(wassersteinNorm(w, c.reference.std), c.wasserstein_norm, 1e-5, 1e-7);
  }
  for (const c of f.fdr) {
    const adj = benjaminiHochberg(c.p);
    expect(adj).toHaveLength(c.bh.length);
    adj.forEach((a, i) => close(a, c.bh[i]!, 1e-12, 1e-15));
  }
  for (const c of f.categorical) {
    const r = chiSquared(c.shares, c.observed);
    close(r.statistic, c.statistic);
    expect(r.dof).toBe(c.dof);
    close(r.pValue, c.p, 1e-8, 1e-300);
  }
  for (const k of f.kolmogorov) close(kolmogorovSf(k.x), k.sf, 1e-10, 1e-15);
  for (const c of f.chi2_sf) close(chi2Sf(c.x, c.k), c.sf, 1e-9, 1e-300);
}

describe('drift statistics vs scipy', () => {
  it('match the committed scipy fixture', () => {
    checkAll(committed);
  });

  const fresh = live();
  it.skipIf(!fresh)('match scipy run live with a fresh seed', () => {
    checkAll(fresh!);
  });

  it('tell the shifted cases from the unshifted ones at the default thresholds', () => {
    const byName = new Map(committed.continuous.map((c) => [c.name, c]));
    expect(byName.get('normal-same')!.psi).toBeLessThan(0.2);
    expect(byName.get('normal-shifted')!.psi).toBeGreaterThan(0.2);
    expect(byName.get('lognormal-scaled')!.ks_p).toBeLessThan(0.01);
    // Evidently's normed Wasserstein threshold 0.1.
    expect(byName.get('normal-same')!.wasserstein_norm).toBeLessThan(0.1);
    expect(byName.get('normal-shifted')!.wasserstein_norm).toBeGreaterThan(0.1);
  });
});

describe('edge cases', () => {
  it('gives Wasserstein 1/(4n) for n midpoints of the reference uniform, the shift for a shifted one, and floors the std at 0.001', () => {
    // Reference uniform on [0, 1] (quantiles on the diagonal); sample = the same, shifted by 0.25.
    const levels = [0.25, 0.5, 0.75];
    const sample = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    // Between midpoints the step and the line enclose n pairs of triangles of area 1/(8n²).
    close(wassersteinToCdf(sample, levels, levels, 0, 1), 1 / 4000, 1e-9);
    close(
      wassersteinToCdf(
        sample.map((v) => v + 0.25),
        levels,
        levels,
        0,
        1,
      ),
      0.25,
      1e-3,
    );
    expect(wassersteinNorm(0.002, 0)).toBe(2);
  });

  it('Benjamini-Hochberg keeps order and never lowers a p-value', () => {
    const p = [0.04, 0.001, 0.03, 0.5];
    const adj = benjaminiHochberg(p);
    adj.forEach((a, i) => expect(a).toBeGreaterThanOrEqual(p[i]!));
    expect(adj).toEqual([(4 * 0.04) / 3, 0.004, (4 * 0.04) / 3, 0.5]);
  });

  it('bins values on the edge into the lower bin, outside values into the open outer bins', () => {
    expect(binCounts([-5, 0, 0.5, 1, 1.0001, 9], [0, 1])).toEqual([2, 2, 2]);
  });

  it('keeps PSI finite when a bin is empty on either side', () => {
    const v = psi([0.5, 0.5, 0], [0, 10, 10]);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(1);
  });

  it('gives JS 0 for equal and 1 for disjoint distributions', () => {
    close(jensenShannon([0.25, 0.75], [25, 75]), 0, 0, 1e-7);
    close(jensenShannon([1, 0], [0, 3]), 1);
  });

  it('rebuilds a step where quantiles repeat (a mostly-constant feature)', () => {
    const cdf = quantileCdf([0.25, 0.5, 0.75], [0, 0, 2], 0, 4);
    expect(cdf(-1)).toBe(0);
    expect(cdf(0)).toBe(0.5);
    close(cdf(1), 0.625);
    expect(cdf(4)).toBe(1);
  });

  it('gives p = 1 for D = 0 and refuses a chi2 with one category', () => {
    expect(ksPValue(0, 100, 1000)).toBe(1);
    expect(() => chiSquared([1], [3])).toThrow(/two categories/);
  });
});
