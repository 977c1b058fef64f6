// `omen report model` end to end: the real trainer-coordinator (its own process) trains a model on
// the Qt change metrics, the CLI verb fetches it over gRPC and writes the report, and Debian's
// headless Chromium opens the file: every chart drew marks, the page logged nothing, and the
// screenshot is not blank.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrpcObject, repoRoot, type trainerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import {
  openInChromium,
  screenshotInChromium,
  startServiceProcess,
  svgMarksPerChart as marksPerChart,
  watchRun,
  type ServiceProcess,
} from '@omen/testing';
import { driftReport, experimentReport } from '@omen/reports';
import { experimentFixture } from '@omen/reports/test-helpers';
import { reportCommand } from '../../src/commands/report.ts';

const TOKEN = 'report-test-admin-token-0123456789';
const MODEL = 'report-jit';
const QT_CSV = path.join(repoRoot, 'services', 'trainer-coordinator', 'test', 'fixtures', 'qt-first-4000.csv.gz');

let root: string;
let trainer: ServiceProcess;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'omen-report-'));
  trainer = await startServiceProcess('trainer-coordinator', {
    ADMIN_TOKEN: TOKEN,
    TRAINER_REGISTRY_DIR: path.join(root, 'registry'),
    TRAINER_STATE_DIR: path.join(root, 'state'),
    TRAINER_CSV_DIR: path.dirname(QT_CSV),
    TRAINER_CODE_VERSION: 'report-test',
  });
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  const admin = createClient(Trainer, trainer.address, { token: TOKEN, deadlineMs: 60_000 });
  try {
    const run = await callUnary<trainerV1.Run__Output>(admin, 'StartRun', {
      model_name: MODEL,
      row_source: `csv:${QT_CSV}`,
      algorithm: 'gbdt',
      auto_promote: true,
    });
    expect((await watchRun(admin, run.run_id)).at(-1)?.run?.state).toBe('RUN_STATE_SUCCEEDED');
  } finally {
    admin.close();
  }
}, 300_000);

afterAll(async () => {
  await trainer?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('omen report model', () => {
  it("writes the champion's model card, and Chromium renders every chart with marks and no console message", async () => {
    const out = path.join(root, 'model.html');
    expect(await reportCommand.run(['model', MODEL, '--addr', trainer.address, '--out', out])).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain(`Model ${MODEL}/v1`);
    expect(html).toContain('report-test'); // the code version, from the lineage
    expect(html).not.toContain('not recorded for this version');

    const page = await openInChromium(out);
    expect(page.console).toEqual([]);
    const marks = marksPerChart(page.dom);
    // ROC, PR, calibration, effort, importance: five charts, each with data marks.
    expect(marks).toHaveLength(5);
    for (const n of marks) expect(n).toBeGreaterThan(0);

    const png = path.join(root, 'model.png');
    expect(await screenshotInChromium(out, png)).toEqual([]);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A blank white page compresses to a few KB; charts and tables do not.
    expect((await stat(png)).size).toBeGreaterThan(30_000);
    if (process.env['OMEN_REPORT_SCREENSHOT']) await writeFile(process.env['OMEN_REPORT_SCREENSHOT'], bytes);
  }, 300_000);

  it('names MODEL/VERSION, and a missing model is one clear line, not a stack trace', async () => {
    const out = path.join(root, 'v1.html');
    expect(await reportCommand.run(['model', `${MODEL}/v1`, '--addr', trainer.address, '--out', out])).toBe(0);
    expect(await readFile(out, 'utf8')).toContain(`Model ${MODEL}/v1`);
    expect(
      await reportCommand.run([
        'model',
        'no-such-model',
        '--addr',
        trainer.address,
        '--out',
        path.join(root, 'x.html'),
      ]),
    ).toBe(1);
  }, 120_000);

  it('drift and experiment pages render in Chromium too (data shaped as the CLI maps it)', async () => {
    const drift = path.join(root, 'drift.html');
    const test = (value: number) => ({
      feature: 'la',
      statistic: 'psi',
      value,
      threshold: 0.2,
      drifted: value > 0.2,
      sampleSize: 500,
    });
    await writeFile(
      drift,
      await driftReport({
        model: MODEL,
        version: 'v1',
        referenceVersion: 'v1',
        windows: [0.05, 0.1, 0.4].map((v, k) => ({
          windowStart: `2026-01-01T0${k}:00:00Z`,
          windowEnd: `2026-01-01T0${k + 1}:00:00Z`,
          drifted: v > 0.2,
          retrainingRunId: '',
          tests: [test(v)],
        })),
        reference: { la: { edges: [1, 10, 100], proportions: [0.2, 0.4, 0.3, 0.1] } },
        current: { la: { edges: [1, 10, 100], proportions: [0.1, 0.3, 0.4, 0.2] } },
      }),
    );
    const experiment = path.join(root, 'experiment.html');
    await writeFile(
      experiment,
      await experimentReport(
        experimentFixture({ description: '', model: MODEL, state: 'running', stoppedAt: '-', stopReason: '' }),
      ),
    );
    for (const file of [drift, experiment]) {
      const page = await openInChromium(file);
      expect(page.console).toEqual([]);
      const marks = marksPerChart(page.dom);
      expect(marks).toHaveLength(2);
      for (const n of marks) expect(n).toBeGreaterThan(0);
    }
  }, 240_000);

  it('a page that logs to the console is caught (the check can fail)', async () => {
    const bad = path.join(root, 'bad.html');
    await writeFile(bad, '<!DOCTYPE html><html><body><script>console.error("report-broken")</script></body></html>');
    expect((await openInChromium(bad)).console.join('\n')).toContain('report-broken');
  }, 120_000);
});
