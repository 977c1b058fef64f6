import { describe, expect, it } from 'vitest';
import {
  barSpec,
  curveSpec,
  escapeHtml,
  modelReport,
  parseEvaluation,
  renderSvg,
  type ModelReportData,
} from '../../src/index.ts';

const HOSTILE = `<script>alert("x")</script><img src=x onerror='y'>&`;

function model(over: Partial<ModelReportData> = {}): ModelReportData {
  return {
    model: 'jit',
    version: '3',
    stage: 'production',
    aliases: ['champion'],
    algorithm: 'gbdt',
    runId: 'run-1',
    codeVersion: 'abc123',
    createdAt: '2026-01-01T00:00:00Z',
    promotedAt: '2026-01-02T00:00:00Z',
    dataFrom: '2020-01-01T00:00:00Z',
    dataTo: '2025-12-31T00:00:00Z',
    trainRows: 900,
    testRows: 100,
    labelRate: 0.2,
    featureSet: 'jit@v1',
    featureNames: ['la', 'ld', 'nf'],
    artifactSha256: 'f'.repeat(64),
    sizeBytes: 1234,
    threshold: 0.4,
    metrics: { auc: 0.8, pr_auc: 0.5, brier: 0.1 },
    params: { trees: '100' },
    gate: { passed: true, checks: [{ name: 'auc_min', value: 0.8, threshold: 0.6, passed: true }] },
    calibration: [
      { meanPredicted: 0.1, observedRate: 0.12, count: 50 },
      { meanPredicted: 0.7, observedRate: 0.6, count: 50 },
    ],
    roc: [
      { x: 0, y: 0 },
      { x: 0.2, y: 0.7 },
      { x: 1, y: 1 },
    ],
    pr: [
      { x: 0.3, y: 1 },
      { x: 0.7, y: 0.6 },
      { x: 1, y: 0.3 },
    ],
    effort: [
      { x: 0, y: 0 },
      { x: 0.2, y: 0.5 },
      { x: 1, y: 1 },
    ],
    importance: [
      { feature: 'la', aucDrop: 0.12 },
      { feature: 'ld', aucDrop: 0.03 },
      { feature: 'nf', aucDrop: 0 },
    ],
    holdoutPositiveRate: 0.3,
    ...over,
  };
}

describe('renderSvg', () => {
  it('draws one path point per data point of a curve', async () => {
    const svg = await renderSvg(
      curveSpec(
        'c',
        [
          { x: 0, y: 0 },
          { x: 0.5, y: 0.9 },
          { x: 1, y: 1 },
        ],
        'x',
        'y',
      )!,
    );
    expect(svg.startsWith('<svg')).toBe(true);
    const line = /<g class="mark-line role-mark[^"]*"[^>]*><path[^>]* d="([^"]+)"/.exec(svg);
    expect(line).not.toBeNull();
    // M x,y L x,y L x,y: three vertices for three points
    expect(line![1]!.match(/[ML]/g)).toHaveLength(3);
  });

  it('draws one bar per row, and escapes labels it writes into the SVG', async () => {
    const svg = await renderSvg(
      barSpec(
        'b',
        [
          { label: 'a', value: 1 },
          { label: HOSTILE, value: 2 },
        ],
        'v',
      )!,
    );
    expect(svg.match(/<path[^>]*role-mark|class="mark-rect role-mark/g)).not.toBeNull();
    const rects = /<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg)![1]!;
    expect(rects.match(/<path /g)).toHaveLength(2);
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
  });

  it('has nothing to draw for an empty series', () => {
    expect(curveSpec('c', [], 'x', 'y')).toBeUndefined();
    expect(barSpec('b', [], 'v')).toBeUndefined();
  });
});

describe('modelReport', () => {
  it('is one self-contained page with every chart as inline SVG', async () => {
    const page = await modelReport(model(), new Date(0));
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page.match(/<svg /g)).toHaveLength(5);
    expect(page).not.toMatch(/<script|<link|src="http|href="http/);
    expect(page).toContain('2020-01-01T00:00:00Z .. 2025-12-31T00:00:00Z');
    expect(page).toContain('run-1');
  });

  it('escapes every value it shows', async () => {
    const page = await modelReport(
      model({
        model: HOSTILE,
        runId: HOSTILE,
        codeVersion: HOSTILE,
        params: { [HOSTILE]: HOSTILE },
        metrics: { [HOSTILE]: 1 },
        importance: [{ feature: HOSTILE, aucDrop: 0.1 }],
        featureNames: [HOSTILE],
        gate: { passed: false, checks: [{ name: HOSTILE, value: 1, threshold: 2, passed: false }] },
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain(escapeHtml(HOSTILE));
  });

  it('says what is missing rather than drawing an empty chart', async () => {
    const page = await modelReport(model({ roc: [], pr: [], effort: [], importance: [] }));
    expect(page.match(/<svg /g)).toHaveLength(1);
    expect(page.match(/not recorded for this version/g)).toHaveLength(4);
  });
});

describe('parseEvaluation', () => {
  it('reads the trainer evaluation JSON and drops malformed points', () => {
    const e = parseEvaluation(
      JSON.stringify({
        rows: 10,
        positives: 2,
        calibration: { bins: [{ count: 3, meanPredicted: 0.2, observedRate: 0.1 }], ece: 0.1 },
        curves: {
          roc: [
            { x: 0, y: 0 },
            { x: 'a', y: 1 },
            { x: 1, y: 1 },
          ],
          pr: [],
          effort: [],
        },
        importance: [{ feature: 'la', aucDrop: 0.1 }, { feature: 3 }],
      }),
    );
    expect(e.roc).toEqual([
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ]);
    expect(e.importance).toEqual([{ feature: 'la', aucDrop: 0.1 }]);
    expect(e.calibration).toHaveLength(1);
    expect(e.holdoutPositiveRate).toBeCloseTo(0.2);
    expect(parseEvaluation('').roc).toEqual([]);
  });
});
