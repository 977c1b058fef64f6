import { describe, expect, it } from 'vitest';
import { escapeHtml, experimentReport, meanInterval } from '../../src/index.ts';
import { experimentFixture as experiment } from '../helpers/index.ts';

const HOSTILE = '"><script>alert(1)</script>';

describe('experimentReport', () => {
  it('draws a mean interval per arm and a difference interval for the treatment', async () => {
    const page = await experimentReport(experiment());
    expect(page.match(/<svg /g)).toHaveLength(2);
    const [means, diffs] = page.split('<svg ').slice(1);
    expect(means!.match(/class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s)![1]!.match(/<path /g)).toHaveLength(2);
    expect(diffs!.match(/class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s)![1]!.match(/<path /g)).toHaveLength(1);
    expect(page).toContain('treatment wins');
    expect(page).toContain('[0.0050, 0.1150]');
  });

  it("draws each arm's running mean with its band over time, and shows the sample-ratio verdict and the decision", async () => {
    const overTime = ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z'].flatMap((time, k) => [
      { time, arm: 'control', metric: 'precision', count: 100 * (k + 1), mean: 0.3, stddev: 0.4 },
      { time, arm: 'treatment', metric: 'precision', count: 100 * (k + 1), mean: 0.35, stddev: 0.4 },
    ]);
    const page = await experimentReport(
      experiment({
        overTime,
        srm: { chi2: 14.2, pValue: 0.000016, mismatch: true },
        decision: { action: 'blocked', reason: 'sample ratio mismatch', at: '2026-01-01T03:00:00Z' },
      }),
    );
    expect(page.match(/<svg /g)).toHaveLength(3);
    const first = page.split('<svg ')[1]!;
    // Two arms: a line and a band each (Vega draws one mark group per series).
    const paths = (kind: string) =>
      [...first.matchAll(new RegExp(`class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs'))].reduce(
        (n, m) => n + (m[1]!.match(/<path /g) ?? []).length,
        0,
      );
    expect(paths('line')).toBe(2);
    expect(paths('area')).toBe(2);
    expect(page).toContain('χ² 14.2000, p 1.60e-5');
    expect(page).toContain('mismatch (p &lt; 0.001)');
    expect(page).toContain('blocked at 2026-01-01T03:00:00Z: sample ratio mismatch');
  });

  it('escapes hostile names', async () => {
    const page = await experimentReport(
      experiment({
        name: HOSTILE,
        stopReason: HOSTILE,
        arms: [
          {
            name: HOSTILE,
            modelVersion: HOSTILE,
            weight: 1,
            units: 1,
            metrics: [{ metric: HOSTILE, count: 2, mean: 1, stddev: 1 }],
          },
        ],
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).toContain(escapeHtml(HOSTILE));
  });

  it('gives the normal interval of a mean, none from one unit', () => {
    const { low, high } = meanInterval({ metric: 'm', count: 100, mean: 1, stddev: 1 });
    expect([low, high]).toEqual([1 - 0.196, 1 + 0.196]);
    expect(meanInterval({ metric: 'm', count: 1, mean: 1, stddev: 0 }).low).toBeNaN();
  });
});
