import type { ExperimentReportData } from '../../src/index.ts';

/**
 * A stopped two-arm experiment whose treatment wins on precision, with every field a report
 * draws; `over` replaces fields. The reports' unit tests and the CLI's end-to-end report test
 * draw it, so both check the same page.
 */
export function experimentFixture(over: Partial<ExperimentReportData> = {}): ExperimentReportData {
  return {
    id: 'exp-1',
    name: 'gbdt-vs-lr',
    description: 'try gbdt',
    model: 'jit',
    state: 'stopped',
    createdAt: '2026-01-01T00:00:00Z',
    stoppedAt: '2026-01-02T00:00:00Z',
    stopReason: 'treatment wins',
    unit: 'repo',
    primaryMetric: 'precision',
    alpha: 0.05,
    arms: [
      {
        name: 'control',
        modelVersion: 'v1',
        weight: 1,
        units: 480,
        metrics: [{ metric: 'precision', count: 400, mean: 0.3, stddev: 0.4 }],
      },
      {
        name: 'treatment',
        modelVersion: 'v2',
        weight: 1,
        units: 520,
        metrics: [
          {
            metric: 'precision',
            count: 420,
            mean: 0.36,
            stddev: 0.4,
            lift: 0.2,
            pValue: 0.03,
            ciLow: 0.005,
            ciHigh: 0.115,
          },
        ],
      },
    ],
    ...over,
  };
}
