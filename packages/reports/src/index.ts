export { escapeHtml, fmt, html, Html, keyValues, page, table } from './html.ts';
export { barSpec, calibrationSpec, curveSpec, figure, histogramPairSpec, intervalSpec, renderSvg, timeSeriesSpec, type ChartSpec } from './charts.ts';
export { modelReport, parseEvaluation, type ModelReportData } from './model.ts';
