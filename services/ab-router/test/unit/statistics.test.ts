// Welch's t-test and the two-proportion z-test against scipy: expected values come from
// test/fixtures/make-stats.py (committed, with its output stats.json); when python3 with scipy
// is on the machine the same script also runs live, so a stale fixture cannot hide a change.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { momentsOf, summarize, twoProportion, welch } from '../../src/domain/statistics.ts';

interface WelchCase {
  name: string;
  kind: 'welch';
  alpha: number;
  treatment: number[];
  control: number[];
  mean_t: number;
  std_t: number;
  mean_c: number;
  std_c: number;
  statistic: number;
  df: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
}
interface PropCase {
  name: string;
  kind: 'proportion';
  alpha: number;
  xt: number;
  nt: number;
  xc: number;
  nc: number;
  statistic: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
}
type Case = WelchCase | PropCase;

const here = path.dirname(new URL(import.meta.url).pathname);
const script = path.join(here, '../fixtures/make-stats.py');
const fixture = JSON.parse(readFileSync(path.join(here, '../fixtures/stats.json'), 'utf8')) as { cases: Case[] };

function live(): { cases: Case[] } | undefined {
  try {
    return JSON.parse(execFileSync('python3', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
      cases: Case[];
    };
  } catch {
    return undefined; // no python3/scipy here: the committed fixture alone is the reference
  }
}

const close = (actual: number | undefined, expected: number, rel = 1e-6) => {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
};

function check(c: Case): void {
  if (c.kind === 'welch') {
    const t = summarize(momentsOf(c.treatment));
    const k = summarize(momentsOf(c.control));
    close(t.mean, c.mean_t);
    close(t.stddev, c.std_t);
    close(k.mean, c.mean_c);
    close(k.stddev, c.std_c);
    const r = welch(t, k, c.alpha);
    close(r.statistic, c.statistic);
    close(r.df, c.df);
    close(r.pValue, c.p_value);
    close(r.ciLow, c.ci_low);
    close(r.ciHigh, c.ci_high);
    close(r.lift, (c.mean_t - c.mean_c) / c.mean_c);
  } else {
    const r = twoProportion({ count: c.nt, successes: c.xt }, { count: c.nc, successes: c.xc }, c.alpha);
    close(r.statistic, c.statistic);
    close(r.pValue, c.p_value);
    close(r.ciLow, c.ci_low);
    close(r.ciHigh, c.ci_high);
  }
}

describe('statistics vs scipy (committed fixture)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => check(c));
});

describe('statistics vs scipy (live)', () => {
  const fresh = live();
  it.skipIf(!fresh)('the script still produces the committed fixture, and the numbers match', () => {
    expect(fresh!.cases.map((c) => c.name)).toEqual(fixture.cases.map((c) => c.name));
    for (const c of fresh!.cases) check(c);
  });
});

describe('edge cases', () => {
  it('leaves the test undefined below two observations or without variance', () => {
    const one = summarize(momentsOf([3]));
    expect(one).toEqual({ count: 1, mean: 3, stddev: 0 });
    expect(welch(one, summarize(momentsOf([1, 2, 3]))).pValue).toBeUndefined();
    expect(welch(summarize(momentsOf([2, 2, 2])), summarize(momentsOf([2, 2]))).pValue).toBeUndefined();
    expect(twoProportion({ count: 0, successes: 0 }, { count: 10, successes: 1 }).pValue).toBeUndefined();
    expect(twoProportion({ count: 10, successes: 0 }, { count: 10, successes: 0 }).pValue).toBeUndefined();
  });

  it('has no lift against a zero control mean', () => {
    expect(welch(summarize(momentsOf([1, 2])), summarize(momentsOf([0, 0]))).lift).toBeUndefined();
  });

  it('never reports a negative variance from rounding', () => {
    expect(summarize(momentsOf(Array.from({ length: 1000 }, () => 0.1))).stddev).toBeGreaterThanOrEqual(0);
  });
});
