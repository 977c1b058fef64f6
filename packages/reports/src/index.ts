export { escapeHtml, fmt, html, Html, keyValues, page, table } from './html.ts';
export {
  barSpec,
  calibrationSpec,
  curveSpec,
  figure,
  histogramPairSpec,
  intervalOverTimeSpec,
  intervalSpec,
  renderSvg,
  timeSeriesSpec,
  type ChartSpec,
} from './charts.ts';
export { modelReport, parseEvaluation, type ModelReportData } from './model.ts';
export {
  driftReport,
  histogramBins,
  type DriftReportData,
  type DriftTest,
  type DriftWindow,
  type Histogram,
} from './drift.ts';
export {
  experimentReport,
  meanInterval,
  type ArmMetric,
  type ArmMetricAt,
  type ExperimentReportData,
} from './experiment.ts';
