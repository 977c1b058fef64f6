// omen.trainer.v1.Trainer end to end against real ClickHouse and NATS: a run from StartRun to a
// registered, gated, promoted version; a worse model kept as a candidate with an alert;
// idempotent Promote/Rollback announced on NATS; ImportModel's checks; admin auth; triggers.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Subscription } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, sql } from '@omen/clickhouse';
import type { trainerV1 } from '@omen/contracts';
import { LocalModelRegistry, sha256Hex, type ModelEventPayload, type ModelVersionRecord } from '@omen/model-registry';
import { exportOnnx, trainLogistic } from '../../src/domain/index.ts';
import { HOUR, T0, insertCommits, startTestTrainer, syntheticCommits, type TestTrainer } from '../helpers/service.ts';
import { gaussianRows, makeDataset } from '../helpers/fixtures.ts';

const MODEL = `jit-test-${Math.random().toString(16).slice(2, 10)}`;
const CUTOFF = { seconds: String((T0 + 700 * HOUR) / 1000), nanos: 0 };
let t: TestTrainer;
const heard: Array<{ subject: string; body: Record<string, unknown> }> = [];
const subs: Subscription[] = [];

function listen(subject: string): void {
  subs.push(
    t.nats.subscribe(subject, {
      callback: (_err, msg) => {
        const body = JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>;
        if (body['model'] === MODEL) heard.push({ subject: msg.subject, body });
      },
    }),
  );
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runOf = (events: trainerV1.RunEvent__Output[]) => events.at(-1)!.run!;

beforeAll(async () => {
  t = await startTestTrainer({
    TRAINER_GATE_MARGIN: '0.005',
    TRAINER_COOLDOWN: '1h',
    TRAINER_TRIGGER_NEW_LABELS: '10',
    TRAINER_LABEL_POLL: '1h',
    TRAINER_DEFAULT_MODEL: `${MODEL}-labels`,
  });
  await insertCommits(t.ch, t.tables, syntheticCommits(800, 11));
  for (const s of ['model.promoted', 'model.rolledback', t.alertSubject]) listen(s);
  await t.nats.flush();
});
afterAll(async () => {
  for (const s of subs) s.unsubscribe();
  await t?.close();
});

describe('trainer-coordinator', () => {
  it('StartRun → WatchRun → a registered champion with metrics, sha256, lineage and reference stats, announced', async () => {
    const started = await t.call<trainerV1.Run__Output>('StartRun', {
      model_name: MODEL,
      feature_set: 'jit_change_metrics',
      cutoff: CUTOFF,
      algorithm: 'ensemble',
      auto_promote: true,
      reason: 'first model',
      gap_seconds: String(24 * 3600),
    });
    expect(started).toMatchObject({
      state: 'RUN_STATE_PENDING',
      model_name: MODEL,
      trigger: 'manual',
      row_source: 'clickhouse',
    });

    const events = await t.watch(started.run_id);
    const states = events.map((e) => e.state);
    expect(states[0]).toBe('RUN_STATE_PENDING');
    expect(states).toEqual(
      expect.arrayContaining(['RUN_STATE_BUILDING_DATASET', 'RUN_STATE_TRAINING', 'RUN_STATE_EVALUATING']),
    );
    expect(states.at(-1)).toBe('RUN_STATE_SUCCEEDED');
    const progress = events.map((e) => e.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const run = runOf(events);
    expect(run.error).toBe('');
    expect(run.model_version).toBe('v1');
    // Row counts: every commit up to the cutoff, minus the gap rows.
    expect(Number(run.train_rows) + Number(run.test_rows) + Number(run.gap_rows)).toBe(701);
    expect(Number(run.gap_rows)).toBe(23);
    expect(Number(run.labels_excluded)).toBeGreaterThan(0);
    expect(run.label_rate).toBeGreaterThan(0.05);
    expect(Object.fromEntries(run.data_checks.map((c) => [c.name, c.passed]))).toMatchObject({
      no_test_row_precedes_a_train_row: true,
      gap_between_train_and_test: true,
      rows_known_by_cutoff: true,
      labels_known_by_cutoff: true,
      onnx_matches_trainer: true,
    });
    expect(run.metrics['auc']).toBeGreaterThan(0.6);
    expect(run.gate?.passed).toBe(true);

    const v = await t.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL }, t.anonymous);
    expect(v).toMatchObject({
      version: 'v1',
      stage: 'MODEL_STAGE_PRODUCTION',
      aliases: ['champion'],
      run_id: run.run_id,
      code_version: 'test-code-version',
      algorithm: 'ensemble',
      feature_set: 'jit_change_metrics',
    });
    for (const k of ['auc', 'pr_auc', 'f1', 'brier', 'recall_at_20_effort', 'popt'])
      expect(Number.isFinite(v.metrics[k])).toBe(true);
    const bytes = await readFile(path.join(t.registryDir, 'blobs', 'sha256', v.artifact_sha256));
    expect(sha256Hex(bytes)).toBe(v.artifact_sha256);
    const ref = JSON.parse(v.reference_stats_json) as {
      features: Array<{ name: string; histogram: { edges: number[] }; categories?: unknown[] }>;
      predictions: { quantiles: number[] };
    };
    expect(ref.features.map((f) => f.name)).toEqual(v.feature_names);
    expect(ref.features.find((f) => f.name === 'fix')!.categories).toHaveLength(2);
    expect(ref.predictions.quantiles).toHaveLength(11);
    expect(JSON.parse(v.evaluation_json)).toHaveProperty('calibration.bins');
    expect(v.data_from?.seconds).toBe(String(T0 / 1000));

    const announced = await until('model.promoted for v1', () =>
      heard.find((h) => h.subject === 'model.promoted' && h.body['version'] === 'v1'),
    );
    expect(announced.body).toEqual({
      model: MODEL,
      version: 'v1',
      sha256: v.artifact_sha256,
      alias: 'champion',
      at: expect.any(String),
    } satisfies ModelEventPayload);

    // Mirrored for analysts.
    const rows = await t.ch.query<{ version: string; run_id: string }>(
      sql`SELECT version, run_id FROM ${ident(t.tables.versions)} FINAL WHERE model = ${MODEL}`,
    );
    expect(rows).toEqual([{ version: 'v1', run_id: run.run_id }]);
  });

  it('a worse model stays a candidate, the champion stays, and an alert is published', async () => {
    const started = await t.call<trainerV1.Run__Output>('StartRun', {
      model_name: MODEL,
      cutoff: CUTOFF,
      algorithm: 'gbdt',
      params: { numTrees: '1', maxDepth: '1', earlyStoppingRounds: '0' },
      auto_promote: true,
      gap_seconds: String(24 * 3600),
    });
    const run = runOf(await t.watch(started.run_id));
    expect(run.state).toBe('RUN_STATE_REJECTED');
    expect(run.model_version).toBe('v2');
    expect(run.metrics['auc']).toBeLessThan(run.metrics['champion_auc']!);
    expect(run.gate?.passed).toBe(false);
    expect(run.gate?.checks.find((c) => c.name === 'auc_beats_champion_by_margin')).toMatchObject({
      passed: false,
      threshold: run.metrics['champion_auc']! + 0.005,
    });

    const v2 = await t.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL, version: 'v2' });
    expect(v2.stage).toBe('MODEL_STAGE_CANDIDATE');
    expect((await t.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL })).version).toBe('v1');
    const alert = await until('gate alert', () => heard.find((h) => h.subject === t.alertSubject));
    expect(alert.body).toMatchObject({
      kind: 'gate_failed',
      model: MODEL,
      version: 'v2',
      runId: run.run_id,
      championVersion: 'v1',
      metric: 'auc',
      failedChecks: ['auc_beats_champion_by_margin'],
    });
    expect(heard.filter((h) => h.subject === 'model.promoted' && h.body['version'] === 'v2')).toEqual([]);
  });

  it('Promote and Rollback are idempotent; a change is announced on NATS, a no-op is not (issue 11: a no-op Promote published model.promoted)', async () => {
    const refused = await t.call('Promote', { model_name: MODEL, version: 'v2' }).catch((e: grpc.ServiceError) => e);
    expect(refused).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: expect.stringContaining('did not pass the gate'),
    });

    const first = await t.call<trainerV1.PromoteResponse__Output>('Promote', {
      model_name: MODEL,
      version: 'v2',
      force: true,
      reason: 'try it',
    });
    expect(first).toMatchObject({
      changed: true,
      previous_version: 'v1',
      alias: 'champion',
      promoted: { version: 'v2', stage: 'MODEL_STAGE_PRODUCTION' },
    });
    const promoted = await until('model.promoted for v2', () =>
      heard.find((h) => h.subject === 'model.promoted' && h.body['version'] === 'v2'),
    );
    expect(promoted.body).toMatchObject({ model: MODEL, version: 'v2', alias: 'champion', previousVersion: 'v1' });
    const again = await t.call<trainerV1.PromoteResponse__Output>('Promote', {
      model_name: MODEL,
      version: 'v2',
      force: true,
    });
    expect(again).toMatchObject({ changed: false, previous_version: 'v1', promoted: { version: 'v2' } });
    // A marker published after the no-op arrives after anything the no-op published (one connection, in order).
    const marker = `${MODEL}-marker`;
    await t.app.control!.announce('model.promoted', {
      model: MODEL,
      version: marker,
      sha256: '',
      alias: 'marker',
      at: new Date().toISOString(),
    });
    await until('the marker', () => heard.find((h) => h.body['version'] === marker));
    expect(heard.filter((h) => h.subject === 'model.promoted' && h.body['version'] === 'v2')).toHaveLength(1);

    const back = await t.call<trainerV1.RollbackResponse__Output>('Rollback', {
      model_name: MODEL,
      reason: 'v2 is worse',
    });
    expect(back).toMatchObject({
      changed: true,
      rolled_back_version: 'v2',
      current: { version: 'v1', stage: 'MODEL_STAGE_PRODUCTION' },
    });
    const backAgain = await t.call<trainerV1.RollbackResponse__Output>('Rollback', { model_name: MODEL });
    expect(backAgain).toMatchObject({ changed: false, rolled_back_version: 'v2', current: { version: 'v1' } });
    expect((await t.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL })).version).toBe('v1');
    expect((await t.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL, version: 'v2' })).stage).toBe(
      'MODEL_STAGE_ARCHIVED',
    );
    const rolledBack = await until('model.rolledback', () => heard.find((h) => h.subject === 'model.rolledback'));
    expect(rolledBack.body).toMatchObject({ model: MODEL, version: 'v1', alias: 'champion', previousVersion: 'v2' });
    const marker2 = `${MODEL}-marker2`;
    await t.app.control!.announce('model.rolledback', {
      model: MODEL,
      version: marker2,
      sha256: '',
      alias: 'marker',
      at: new Date().toISOString(),
    });
    await until('the second marker', () => heard.find((h) => h.body['version'] === marker2));
    expect(heard.filter((h) => h.subject === 'model.rolledback' && h.body['version'] === 'v1')).toHaveLength(1);

    // One alias change per effective call, in the registry and in ClickHouse.
    const history = await new LocalModelRegistry(t.registryDir).aliasHistory(MODEL, 'champion');
    expect(history.map((e) => [e.action, e.previousVersion, e.version])).toEqual([
      ['promote', null, 'v1'],
      ['promote', 'v1', 'v2'],
      ['rollback', 'v2', 'v1'],
    ]);
    const mirrored = await t.ch.query<{ n: string }>(
      sql`SELECT count() AS n FROM ${ident(t.tables.aliasEvents)} FINAL WHERE model = ${MODEL}`,
    );
    expect(mirrored).toEqual([{ n: '3' }]);

    const versions = await t.call<trainerV1.ListVersionsResponse__Output>(
      'ListVersions',
      { model_name: MODEL },
      t.anonymous,
    );
    expect(versions.versions.map((x) => [x.version, x.stage, x.aliases])).toEqual([
      ['v1', 'MODEL_STAGE_PRODUCTION', ['champion']],
      ['v2', 'MODEL_STAGE_ARCHIVED', []],
    ]);
    const summary = await t.call<trainerV1.ListModelsResponse__Output>('ListModels', { name_prefix: MODEL });
    expect(summary.models).toEqual([
      expect.objectContaining({ model_name: MODEL, production_version: 'v1', latest_version: 'v2', version_count: 2 }),
    ]);
  });

  it('ImportModel accepts a matching ONNX model, refuses a wrong signature and a sha256 mismatch', async () => {
    const names = ['ns', 'nd', 'nf', 'entropy', 'la', 'ld', 'lt', 'fix', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp'];
    const rows = gaussianRows(200, names.length, 3);
    const y = rows.map((r) => (r[4]! + 0.5 * r[0]! > 0 ? 1 : 0));
    const onnx = exportOnnx(trainLogistic(makeDataset(names, rows, y), { log1p: [] }));
    const sha = sha256Hex(onnx);

    const imported = await t.call<trainerV1.ModelVersion__Output>('ImportModel', {
      model_name: MODEL,
      onnx_model: Buffer.from(onnx),
      feature_set: 'jit_change_metrics',
      sha256: sha,
      metrics: { auc: 0.7 },
      metadata: { source: 'sklearn' },
    });
    expect(imported).toMatchObject({
      version: `sha256-${sha.slice(0, 12)}`,
      artifact_sha256: sha,
      stage: 'MODEL_STAGE_CANDIDATE',
      feature_names: names,
      run_id: '',
      metadata: { source: 'sklearn' },
    });
    expect(imported.metrics).toEqual({ auc: 0.7 });
    // The same file again (by path this time, from the import directory) is the same version.
    const file = path.join(t.importDir, 'model.onnx');
    await writeFile(file, onnx);
    expect(
      (
        await t.call<trainerV1.ModelVersion__Output>('ImportModel', {
          model_name: MODEL,
          artifact_path: file,
          feature_set: 'jit_change_metrics',
        })
      ).version,
    ).toBe(imported.version);
    // Issue 11: a path outside it is refused like a missing one, and nothing is read.
    const outside = path.join(t.registryDir, '..', 'model.onnx');
    await writeFile(outside, onnx);
    const refusals = await Promise.all(
      [outside, `${outside}.missing`, '../model.onnx'].map((p) =>
        t
          .call('ImportModel', { model_name: MODEL, artifact_path: p, feature_set: 'jit_change_metrics' })
          .catch((e: grpc.ServiceError) => e),
      ),
    );
    for (const r of refusals)
      expect(r).toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: expect.stringContaining("inside the trainer's import directory"),
      });
    expect(new Set(refusals.map((r) => (r as grpc.ServiceError).details)).size).toBe(1);

    const three = exportOnnx(
      trainLogistic(
        makeDataset(
          ['la', 'ld', 'ns'],
          rows.map((r) => r.slice(0, 3)),
          y,
        ),
        { log1p: [] },
      ),
    );
    const wrong = await t
      .call('ImportModel', { model_name: MODEL, onnx_model: Buffer.from(three), feature_set: 'jit_change_metrics' })
      .catch((e: grpc.ServiceError) => e);
    expect(wrong).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/takes 3 features but the feature set has 14/),
    });

    const mismatch = await t
      .call('ImportModel', {
        model_name: MODEL,
        onnx_model: Buffer.from(onnx),
        feature_set: 'jit_change_metrics',
        sha256: sha256Hex(three),
      })
      .catch((e: grpc.ServiceError) => e);
    expect(mismatch).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringContaining(`has sha256 ${sha}`),
    });

    const garbage = await t
      .call('ImportModel', {
        model_name: MODEL,
        onnx_model: Buffer.from('not onnx'),
        feature_set: 'jit_change_metrics',
      })
      .catch((e: grpc.ServiceError) => e);
    expect(garbage).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it('refuses admin RPCs without the token; reads need none', async () => {
    for (const [method, req] of [
      ['StartRun', { model_name: MODEL }],
      ['Promote', { model_name: MODEL, version: 'v1' }],
      ['Rollback', { model_name: MODEL }],
      ['ImportModel', { model_name: MODEL }],
      ['CancelRun', { run_id: 'x' }],
    ] as const) {
      const err = await t.call(method, req, t.anonymous).catch((e: grpc.ServiceError) => e);
      expect(err, method).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    }
    const list = await t.call<trainerV1.ListRunsResponse__Output>('ListRuns', { model_name: MODEL }, t.anonymous);
    expect(list.runs.map((r) => r.state)).toEqual(['RUN_STATE_REJECTED', 'RUN_STATE_SUCCEEDED']);
  });

  it('bad requests name the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ model_name: MODEL, feature_set: 'nope' }, /unknown feature set "nope"/],
      [{ model_name: MODEL, algorithm: 'svm' }, /unknown algorithm "svm"/],
      [{ model_name: MODEL, params: { numTree: '3' } }, /unknown parameter "numTree"/],
      [{ model_name: MODEL, row_source: 'parquet:x' }, /row_source must be/],
      [{ model_name: '../x' }, /model_name must be/],
      [{ model_name: MODEL, trigger: 'cosmic-ray' }, /trigger must be one of/],
    ];
    for (const [req, message] of cases) {
      const err = await t.call('StartRun', req).catch((e: grpc.ServiceError) => e);
      expect(err).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(message) });
    }
    expect(await t.call('GetRun', { run_id: 'run-none' }).catch((e: grpc.ServiceError) => e.code)).toBe(
      grpc.status.NOT_FOUND,
    );
  });

  it('automatic triggers honour the cooldown; a drift alert on NATS starts a run when out of it', async () => {
    // The last run started moments ago: inside the 1h cooldown.
    const err = await t
      .call('StartRun', { model_name: MODEL, trigger: 'drift', reason: 'psi 0.4' })
      .catch((e: grpc.ServiceError) => e);
    expect(err).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: expect.stringContaining('cooldown') });
    // A drift alert for a model with no runs is outside any cooldown.
    const other = `${MODEL}-drift`;
    t.nats.publish(t.driftSubject, new TextEncoder().encode(JSON.stringify({ model: other, reason: 'psi la 0.31' })));
    await t.nats.flush();
    const run = await until('a drift-triggered run', () => t.app.runs.list(other)[0]);
    expect(run).toMatchObject({ trigger: 'drift', reason: 'psi la 0.31', model: other, algorithm: 'auto' });
    expect((await t.app.runs.cancel(run.id)).state).toBe('RUN_STATE_CANCELLED');

    // Enough positive labels arrived since the default model's last run (it has none): a labels run.
    const seen = await t.app.triggers.pollLabels();
    expect(seen).toBeGreaterThanOrEqual(10);
    const labelsRun = t.app.runs.latest(`${MODEL}-labels`);
    expect(labelsRun).toMatchObject({
      trigger: 'labels',
      reason: expect.stringContaining(`${seen} new positive labels`),
    });
    await t.app.runs.cancel(labelsRun!.id);
    // The next poll is inside the cooldown: no second run.
    await t.app.triggers.pollLabels();
    expect(t.app.runs.list(`${MODEL}-labels`)).toHaveLength(1);
  });

  it('trains from a CSV row source and records that its labels have no known-at time', async () => {
    const csv = path.join(import.meta.dirname, '..', 'fixtures', 'qt-first-4000.csv.gz');
    const started = await t.call<trainerV1.Run__Output>('StartRun', {
      model_name: `${MODEL}-csv`,
      row_source: `csv:${csv}`,
      algorithm: 'logistic',
      auto_promote: true,
    });
    expect(started.selected_candidate).toBe('');
    const run = runOf(await t.watch(started.run_id));
    expect(run.state).toBe('RUN_STATE_SUCCEEDED');
    expect(Number(run.train_rows) + Number(run.test_rows)).toBe(4000);
    expect(run.data_checks.find((c) => c.name === 'labels_known_by_cutoff')?.detail).toMatch(/not applicable/);
    const record = JSON.parse(
      await readFile(path.join(t.registryDir, 'models', `${MODEL}-csv`, 'versions', 'v1.json'), 'utf8'),
    ) as ModelVersionRecord;
    expect(record.lineage).toMatchObject({
      source: 'trained',
      rowSource: `csv:${csv}`,
      algorithm: 'logistic',
      codeVersion: 'test-code-version',
      rows: { train: 3200, test: 800 },
    });
  });

  it('auto selects on the validation slice, records the winner and every candidate, and serves the winner through ONNX', async () => {
    const csv = path.join(import.meta.dirname, '..', 'fixtures', 'qt-first-4000.csv.gz');
    const model = `${MODEL}-auto`;
    const started = await t.call<trainerV1.Run__Output>('StartRun', {
      model_name: model,
      row_source: `csv:${csv}`,
      algorithm: 'auto',
      auto_promote: true,
      params: { numTrees: '200' },
    });
    const events = await t.watch(started.run_id);
    const run = runOf(events);
    expect(run.state).toBe('RUN_STATE_SUCCEEDED');
    expect(run.algorithm).toBe('auto');
    expect(run.candidate_scores.map((c) => c.name)).toEqual([
      'lapredict',
      'lapredict_la_lt',
      'logistic',
      'gbdt',
      'ensemble',
    ]);
    const best = Math.max(...run.candidate_scores.map((c) => c.validation_auc));
    expect(run.candidate_scores.find((c) => c.name === run.selected_candidate)?.validation_auc).toBe(best);
    expect(best).toBeGreaterThan(0.6);
    expect(events.some((e) => e.message.startsWith(`selected ${run.selected_candidate} on the validation slice`))).toBe(
      true,
    );
    expect(run.data_checks.find((c) => c.name === 'onnx_matches_trainer')?.passed).toBe(true);
    // The registry keeps auto (so triggers select again) and what it chose.
    const record = JSON.parse(
      await readFile(path.join(t.registryDir, 'models', model, 'versions', 'v1.json'), 'utf8'),
    ) as ModelVersionRecord;
    expect(record.lineage).toMatchObject({ algorithm: 'auto', params: { selected: run.selected_candidate } });
    expect(record.featureNames).toHaveLength(14);
  });
});
