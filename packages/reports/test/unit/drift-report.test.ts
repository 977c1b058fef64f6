import { describe, expect, it } from 'vitest';
import { driftReport, escapeHtml, histogramBins, type DriftReportData } from '../../src/index.ts';

const HOSTILE = '<script>alert(1)</script>';

function drift(over: Partial<DriftReportData> = {}): DriftReportData {
  const test = (value: number) => ({
    feature: 'la',
    statistic: 'psi',
    value,
    threshold: 0.2,
    drifted: value > 0.2,
    sampleSize: 500,
  });
  return {
    model: 'jit',
    version: 'v2',
    referenceVersion: 'v2',
    windows: [
      {
        windowStart: '2026-01-01T00:00:00Z',
        windowEnd: '2026-01-01T01:00:00Z',
        drifted: false,
        retrainingRunId: '',
        tests: [test(0.05)],
      },
      {
        windowStart: '2026-01-01T01:00:00Z',
        windowEnd: '2026-01-01T02:00:00Z',
        drifted: true,
        retrainingRunId: 'run-9',
        tests: [test(0.4)],
      },
    ],
    reference: { la: { edges: [1, 10], proportions: [0.2, 0.5, 0.3] } },
    current: { la: { edges: [1, 10], proportions: [0.1, 0.3, 0.6] } },
    ...over,
  };
}

describe('histogramBins', () => {
  it('labels the open outer bins and pairs shares on the same edges', () => {
    expect(
      histogramBins({ edges: [1, 10], proportions: [0.2, 0.5, 0.3] }, { edges: [1, 10], proportions: [0.1, 0.3, 0.6] }),
    ).toEqual([
      { bin: '≤ 1', order: 0, reference: 0.2, current: 0.1 },
      { bin: '(1, 10]', order: 1, reference: 0.5, current: 0.3 },
      { bin: '> 10', order: 2, reference: 0.3, current: 0.6 },
    ]);
    expect(
      histogramBins({ edges: [1], proportions: [0.5, 0.5] }, { edges: [2], proportions: [1, 0] }).map((b) => b.current),
    ).toEqual([0, 0]);
  });
});

describe('driftReport', () => {
  it('draws the statistic over time and six bars for three bins of two sets', async () => {
    const page = await driftReport(drift());
    expect(page.match(/<svg /g)).toHaveLength(2);
    const bars = /<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(page)![1]!;
    expect(bars.match(/<path /g)).toHaveLength(6);
    expect(page).toContain('retraining run run-9');
  });

  it('escapes hostile feature names and ids', async () => {
    const page = await driftReport(
      drift({
        model: HOSTILE,
        windows: [
          {
            windowStart: HOSTILE,
            windowEnd: '2026-01-01T01:00:00Z',
            drifted: true,
            retrainingRunId: HOSTILE,
            tests: [{ feature: HOSTILE, statistic: HOSTILE, value: 1, threshold: 0.2, drifted: true, sampleSize: 1 }],
          },
        ],
        reference: { [HOSTILE]: { edges: [1], proportions: [0.5, 0.5] } },
        current: {},
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).toContain(escapeHtml(HOSTILE));
  });
});
