import { barSpec, calibrationSpec, curveSpec, figure } from './charts.ts';
import { fmt, html, keyValues, page, table, type Html } from './html.ts';

export interface Point {
  x: number;
  y: number;
}

/** What a model report shows: a registered version and its holdout evaluation, as plain data. */
export interface ModelReportData {
  model: string;
  version: string;
  stage: string;
  aliases: readonly string[];
  algorithm: string;
  runId: string;
  codeVersion: string;
  createdAt: string;
  promotedAt: string;
  dataFrom: string;
  dataTo: string;
  trainRows: number;
  testRows: number;
  labelRate: number;
  featureSet: string;
  featureNames: readonly string[];
  artifactSha256: string;
  sizeBytes: number;
  threshold: number;
  metrics: Readonly<Record<string, number>>;
  params: Readonly<Record<string, string>>;
  gate?:
    | { passed: boolean; checks: readonly { name: string; value: number; threshold: number; passed: boolean }[] }
    | undefined;
  calibration: readonly { meanPredicted: number; observedRate: number; count: number }[];
  roc: readonly Point[];
  pr: readonly Point[];
  effort: readonly Point[];
  importance: readonly { feature: string; aucDrop: number }[];
  /** Share of positives in the holdout: the PR curve's chance line. */
  holdoutPositiveRate?: number | undefined;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const points = (v: unknown): Point[] =>
  Array.isArray(v)
    ? v.filter(
        (p): p is Point =>
          typeof p === 'object' &&
          p !== null &&
          Number.isFinite(num((p as Point).x)) &&
          Number.isFinite(num((p as Point).y)),
      )
    : [];

/**
 * Reads the trainer's evaluation JSON (ModelVersion.evaluation_json): the calibration table, and
 * from versions trained since reports exist, the ROC/PR/effort curves and permutation importance.
 * An older or imported version lacks some; the report says so instead of drawing nothing.
 */
export function parseEvaluation(
  json: string,
): Pick<ModelReportData, 'calibration' | 'roc' | 'pr' | 'effort' | 'importance' | 'holdoutPositiveRate'> {
  let e: Record<string, unknown> = {};
  if (json.trim() !== '') {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed === 'object' && parsed !== null) e = parsed as Record<string, unknown>;
  }
  const cal = (e['calibration'] as { bins?: unknown } | undefined)?.bins;
  const curves = (e['curves'] ?? {}) as Record<string, unknown>;
  const imp = Array.isArray(e['importance']) ? (e['importance'] as unknown[]) : [];
  const rows = num(e['rows']);
  const positives = num(e['positives']);
  return {
    calibration: Array.isArray(cal)
      ? cal
          .map((b: Record<string, unknown>) => ({
            meanPredicted: num(b['meanPredicted']),
            observedRate: num(b['observedRate']),
            count: num(b['count']),
          }))
          .filter((b) => [b.meanPredicted, b.observedRate, b.count].every(Number.isFinite))
      : [],
    roc: points(curves['roc']),
    pr: points(curves['pr']),
    effort: points(curves['effort']),
    importance: imp.flatMap((i) => {
      const r = i as Record<string, unknown>;
      return typeof r['feature'] === 'string' && Number.isFinite(num(r['aucDrop']))
        ? [{ feature: r['feature'], aucDrop: num(r['aucDrop']) }]
        : [];
    }),
    holdoutPositiveRate: rows > 0 && Number.isFinite(positives) ? positives / rows : undefined,
  };
}

const NOT_RECORDED = 'not recorded for this version (imported, or trained before the trainer kept curves)';

/** The model card as one self-contained HTML page. */
export async function modelReport(d: ModelReportData, generatedAt = new Date()): Promise<string> {
  const metricRows = Object.entries(d.metrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, fmt(v)]);
  const charts = await Promise.all([
    figure(
      curveSpec('ROC (holdout)', d.roc, 'false positive rate', 'true positive rate', [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
      `AUC ${fmt(d.metrics['auc'])}; dashed: chance`,
      NOT_RECORDED,
    ),
    figure(
      curveSpec(
        'Precision–recall (holdout)',
        d.pr,
        'recall',
        'precision',
        d.holdoutPositiveRate === undefined
          ? undefined
          : [
              { x: 0, y: d.holdoutPositiveRate },
              { x: 1, y: d.holdoutPositiveRate },
            ],
      ),
      `PR AUC ${fmt(d.metrics['pr_auc'])}; dashed: holdout positive rate`,
      NOT_RECORDED,
    ),
    figure(
      calibrationSpec(d.calibration),
      `Brier ${fmt(d.metrics['brier'])}; dashed: perfect calibration`,
      'no calibration table',
    ),
    figure(
      curveSpec('Effort (la + ld) vs defects found', d.effort, 'share of effort inspected', 'share of defects found', [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
      `Recall@20% effort ${fmt(d.metrics['recall_at_20_effort'])}, Popt ${fmt(d.metrics['popt'])}; dashed: random order`,
      NOT_RECORDED,
    ),
    figure(
      barSpec(
        'Permutation importance',
        [...d.importance].sort((a, b) => b.aucDrop - a.aucDrop).map((i) => ({ label: i.feature, value: i.aucDrop })),
        'holdout AUC drop when shuffled',
      ),
      'how much holdout AUC falls when one feature is shuffled',
      NOT_RECORDED,
    ),
  ]);
  const gate: Html = d.gate
    ? html`<p>Gate: <span class="${d.gate.passed ? 'pass' : 'fail'}">${d.gate.passed ? 'passed' : 'refused'}</span></p>${table(
        ['check', 'value', 'threshold', 'result'],
        d.gate.checks.map((c) => [c.name, fmt(c.value), fmt(c.threshold), c.passed ? 'ok' : 'FAILED']),
      )}`
    : html`<p class="note">no gate verdict (imported)</p>`;
  const body = html`
<h2>Model card</h2>
${keyValues([
  ['stage', `${d.stage}${d.aliases.length > 0 ? ` (${d.aliases.join(', ')})` : ''}`],
  ['algorithm', d.algorithm || '–'],
  ['data window', `${d.dataFrom} .. ${d.dataTo}`],
  ['rows', `${d.trainRows} train / ${d.testRows} test; label rate ${fmt(d.labelRate)}`],
  ['features', `${d.featureSet}: ${d.featureNames.join(', ')}`],
  ['decision threshold', fmt(d.threshold)],
])}
<h2>Lineage</h2>
${keyValues([
  ['run', d.runId || '(imported)'],
  ['code version', d.codeVersion || '–'],
  ['created', d.createdAt],
  ['champion since', d.promotedAt],
  ['artifact', `sha256 ${d.artifactSha256}, ${d.sizeBytes} bytes`],
  [
    'params',
    Object.entries(d.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || '–',
  ],
])}
<h2>Holdout metrics</h2>
${table(['metric', 'value'], metricRows)}
${gate}
<h2>Charts</h2>
<div class="charts">${charts}</div>`;
  return page(
    `Model ${d.model}/${d.version}`,
    'omen model report: a registered version, its lineage and its evaluation on the held-out rows',
    body,
    generatedAt,
  );
}
