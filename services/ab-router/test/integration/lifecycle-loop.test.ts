// The model lifecycle's loop, end to end on the dev stack's engines (Kafka, schema registry,
// ClickHouse, Redis, NATS) with the real services in process: trainer-coordinator, inference (stream
// mode and Predict), drift-detector and ab-router. A labelled project is replayed in date order
// with a compressed clock: the trainer's own slice of the ISSTA'21 Qt change metrics (4,000 real
// commits with their bug labels). The first half is history (the featurizer's offline tables; the
// champion is trained on it); the second half streams as features.commits.v1 (inference scores it
// onto predictions.v1, the drift-detector windows both), and part-way the size metrics change
// their measure (a tooling change that counts generated files: la, ld, lt ×8; ns, nd, nf ×3;
// entropy ×2). Then:
//   drift alert → the trainer's drift run (its id stored with the drifted report) → gate (brier on
//   the newest holdout) → the new version becomes the challenger (TRAINER_AUTO_PROMOTE=false) →
//   ab-router starts a canary by itself → served commits' labels arrive on labels.commits.v1 →
//   the canary ramps and promotes the challenger through the trainer's Promote. (The canary needs
//   more units than the 1,400 post-shift commits: the replay then starts over under new commit ids.)
// And the other way: a challenger that is worse (an imported model with a sign error, forced in as
// challenger by an operator) is rolled back by its canary and never becomes champion.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, sql } from '@omen/clickhouse';
import { avroSchema, repoRoot, type CommitFeatures, type CommitLabel, type abrouterV1, type driftV1, type trainerV1 } from '@omen/contracts';
import { callUnary } from '@omen/grpc';
import { createTestProducer, randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { call as driftCall, randomTopics, startOnStack, type TestService as DriftService } from '../../../drift-detector/test/helpers/service.ts';
import { startTestService as startInference } from '../../../inference/test/helpers/service.ts';
import { buildOnnx } from '../../../inference/test/helpers/onnx-models.ts';
import { ADMIN_TOKEN, KAMEI_FEATURES, insertCommits, startTestTrainer, type Commit, type TestTrainer } from '../../../trainer-coordinator/test/helpers/service.ts';
import { startTestRouter, uniquePrefix, type TestRouter } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('REDIS_URL', 'NATS_URL', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL');
const MODEL = randomName('jit-loop');
const REPO = 'github:qt/qtbase';
const CSV = path.join(repoRoot, 'services', 'trainer-coordinator', 'test', 'fixtures', 'qt-first-4000.csv.gz');
const WINDOW = 60_000;
const T0 = Date.UTC(2024, 0, 1);
/** The replay: 4,000 commits over ten drift windows (the real dates, compressed). */
const SPAN = 10 * WINDOW;
const HISTORY = 2000;
const SHIFT = 2600;
const topics = randomTopics();
const driftTable = `drift_${randomName('loop').replace(/-/g, '_')}`;
const suffix = randomName('t').replace(/-/g, '_');

interface Row extends Commit {
  bug: boolean;
}

/** The CSV's commits in date order, on the compressed clock, the shift applied from row SHIFT on. */
function replay(): Row[] {
  const lines = gunzipSync(readFileSync(CSV)).toString('utf8').trim().split('\n');
  const header = lines[0]!.split(',').map((h) => (h === 'entrophy' ? 'entropy' : h));
  const raw = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, Number(v)])) as Record<string, number>);
  const d0 = raw[0]!['date']!;
  const dN = raw.at(-1)!['date']!;
  return raw.map((r, i) => {
    const { date, bug, ...values } = r;
    if (i >= SHIFT) {
      for (const k of ['la', 'ld', 'lt']) values[k] = values[k]! * 8;
      for (const k of ['ns', 'nd', 'nf']) values[k] = values[k]! * 3;
      values['entropy'] = values['entropy']! * 2;
    }
    const eventTimeMs = T0 + Math.floor(((date! - d0) / (dN - d0)) * (SPAN - 1));
    return { repoId: REPO, sha: createHash('sha1').update(`qt/${i}`).digest('hex'), eventTimeMs, values, bug: bug === 1, bugKnownAtMs: bug === 1 ? eventTimeMs + 1000 : null };
  });
}

const rows = replay();
const shiftAt = rows[SHIFT]!.eventTimeMs;
let trainer: TestTrainer;
let drift: DriftService;
let router: TestRouter;
let champion: string;
let championStarted = 0;
let inference: Awaited<ReturnType<typeof startInference>>;

const featureRecord = (r: Row): CommitFeatures => ({
  event_id: `${r.repoId}:${r.sha}:jit_change_metrics:1`, event_time: r.eventTimeMs, repo_id: r.repoId, sha: r.sha, feature_set: 'jit_change_metrics', feature_set_version: 1,
  values: r.values, file_metrics: null, computed_at: r.eventTimeMs + 500,
});

async function finished(runId: string): Promise<trainerV1.Run__Output> {
  const events = await trainer.watch(runId);
  return events.at(-1)!.run!;
}

beforeAll(async () => {
  // The trainer: automatic runs do not promote (the canary decides); its cooldown (which counts the
  // champion's manual run too) is short, the detector's is long: one alert, one drift run.
  trainer = await startTestTrainer({ TRAINER_AUTO_PROMOTE: 'false', TRAINER_COOLDOWN: '15s', TRAINER_GATE_METRIC: 'brier', TRAINER_GATE_MIN_TEST_POSITIVES: '10' });
  cleanup(() => trainer.close());
  // History: the featurizer's offline tables hold the first half; the champion is trained on it.
  await insertCommits(trainer.ch, trainer.tables, rows.slice(0, HISTORY));
  championStarted = Date.now();
  const first = await trainer.call<trainerV1.Run__Output>('StartRun', { model_name: MODEL, algorithm: 'gbdt', auto_promote: true, reason: 'first model', cutoff: { seconds: String(Math.floor(rows[HISTORY]!.eventTimeMs / 1000)) } });
  const done = await finished(first.run_id);
  expect(done.state).toBe('RUN_STATE_SUCCEEDED');
  champion = done.model_version;

  inference = await startInference(cleanup, {
    INFERENCE_REGISTRY_DIR: trainer.registryDir, INFERENCE_MODELS: MODEL, INFERENCE_DEFAULT_MODEL: MODEL, INFERENCE_REGISTRY_POLL: '1s', NATS_URL: env.NATS_URL,
    INFERENCE_STREAM: 'true', KAFKA_BROKERS: env.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    INFERENCE_STREAM_GROUP: randomName('inference'), INFERENCE_TOPIC_FEATURES: topics.features, INFERENCE_TOPIC_PREDICTIONS: topics.predictions,
  });
  await inference.running.ready;
  await waitFor(() => inference.app.models.served().length > 0, { message: 'inference serving the champion', timeoutMs: 30_000 });
  drift = await startOnStack(cleanup, {
    registryDir: trainer.registryDir,
    model: MODEL,
    topics,
    env: { CLICKHOUSE_URL: env.CLICKHOUSE_URL, DRIFT_TABLE: driftTable, DRIFT_ALERT_SUBJECT: trainer.driftSubject, DRIFT_ALERT_COOLDOWN: '1h', DRIFT_ALERT_REPLY_TIMEOUT: '10s' },
  });
  cleanup(() => trainer.ch.command(sql`DROP TABLE IF EXISTS ${ident(driftTable)}`).then(() => undefined));
  router = await startTestRouter(cleanup, {
    REDIS_URL: env.REDIS_URL,
    NATS_URL: env.NATS_URL,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    CLICKHOUSE_URL: env.CLICKHOUSE_URL,
    INFERENCE_ADDR: inference.address,
    TRAINER_ADDR: `127.0.0.1:${trainer.svc.grpcPort}`,
    TRAINER_TOKEN: ADMIN_TOKEN,
    ABROUTER_KEY_PREFIX: uniquePrefix(),
    ABROUTER_NATS_SUBJECT: `experiment.changed.${randomName('test')}`,
    ABROUTER_TOPIC_EVENTS: randomName('experiments-events'),
    ABROUTER_EVENTS_TABLE: `experiment_events_${suffix}`,
    ABROUTER_LABELS_TABLE: `experiment_labels_${suffix}`,
    ABROUTER_OUTCOMES_TABLE: `experiment_outcomes_${suffix}`,
    ABROUTER_LABELS_TOPIC: topics.labels,
    ABROUTER_LABELS_GROUP: randomName('ab-router-labels'),
    ABROUTER_LABEL_MATURITY: '500ms',
    ABROUTER_EVALUATE_INTERVAL: '300ms',
    ABROUTER_EVENTS_FLUSH_INTERVAL: '50ms',
    ABROUTER_REFRESH: '1s',
    ABROUTER_AUTO_CANARY: 'true',
    ABROUTER_AUTO_CANARY_RAMP: '0.2,0.5',
  });
  cleanup(async () => {
    for (const t of ['events', 'labels', 'outcomes']) await trainer.ch.command(sql`DROP TABLE IF EXISTS ${ident(`experiment_${t}_${suffix}`)}`);
  });
}, 300_000);

type Experiment = abrouterV1.Experiment__Output;

const listExperiments = async () => (await callUnary<abrouterV1.ListExperimentsResponse__Output>(router.anonymous, 'ListExperiments', { model_name: MODEL })).experiments;

/** Serves the post-shift commits through the router (sticky arms) and sends their labels, round after round, until the canary decides. */
async function driveUntilDecided(e: Experiment): Promise<Experiment> {
  const live = rows.slice(SHIFT);
  const producer = await createTestProducer(cleanup, { schemas: { [topics.labels]: avroSchema('label') } });
  // Inference follows the registry's challenger alias (NATS, then its poll) before the router sends it traffic.
  const version = e.spec!.arms[1]!.model_version;
  await waitFor(() => inference.app.models.served().some((m) => m.served.version === version), { message: `inference serving ${version}`, timeoutMs: 30_000 });
  let next = 0;
  return waitFor(
    async () => {
      const got = await callUnary<Experiment>(router.anonymous, 'GetExperiment', { experiment_id: e.experiment_id });
      if (got.state !== 'EXPERIMENT_STATE_RUNNING') return got;
      {
        // Past the end the replay starts over with the same commits under new ids (pass 1, 2, …): real metrics and labels, more units.
        const pass = Math.floor(next / live.length);
        const batch = live.slice(next % live.length, (next % live.length) + 100).map((r) => (pass === 0 ? r : { ...r, sha: createHash('sha1').update(`${r.sha}/${pass}`).digest('hex') }));
        next += batch.length;
        for (const r of batch) await callUnary(router.anonymous, 'Predict', { request: { model_name: MODEL, features: { values: r.values, feature_set: 'jit_change_metrics', feature_set_version: 1, repo_id: r.repoId, entity_id: r.sha } } });
        const known = Date.now();
        const labels: CommitLabel[] = batch.map((r) => ({ event_id: `${r.repoId}:${r.sha}:szz:${known}`, event_time: known, repo_id: r.repoId, sha: r.sha, is_bug_inducing: r.bug, is_fix: false, method: 'szz', fix_shas: [], issue_numbers: [], confidence: null, label_known_at: known }));
        await producer.send(topics.labels, labels.map((l) => ({ key: l.repo_id, value: l, eventId: l.event_id, eventTime: l.event_time })));
      }
      return undefined;
    },
    { timeoutMs: 420_000, intervalMs: 300, message: `experiment ${e.experiment_id} decided` },
  );
}

// Opt-in (OMEN_LIFECYCLE_LOOP_TEST=1) until it is reliable: a run takes 4–6 minutes on the 2-core
// machine, and in one of three runs the promotion canary had not decided within its limit (the
// Brier interval's upper bound sat just above 0). See the ab-router README.
describe.runIf(process.env['OMEN_LIFECYCLE_LOOP_TEST'] === '1')('the lifecycle loop on a replayed ISSTA\'21 project', () => {
  it('drift alert → linked retraining run → gate → canary → automatic promotion', async () => {
    // The live half: the featurizer writes each commit to its offline tables and to features.commits.v1.
    const live = rows.slice(HISTORY);
    // Past the trainer's cooldown, which the champion's run started.
    await new Promise((r) => setTimeout(r, Math.max(0, championStarted + 16_000 - Date.now())));
    await insertCommits(trainer.ch, trainer.tables, live);
    const producer = await createTestProducer(cleanup, { schemas: { [topics.features]: avroSchema('commit_features') } });
    const records = live.map(featureRecord);
    // One record past the last window closes it (event time alone, lateness 0).
    records.push({ ...featureRecord(rows.at(-1)!), sha: 'f'.repeat(40), event_id: `${REPO}:${'f'.repeat(40)}:jit_change_metrics:1`, event_time: T0 + SPAN + WINDOW });
    for (let i = 0; i < records.length; i += 500) await producer.send(topics.features, records.slice(i, i + 500).map((r) => ({ key: r.repo_id, value: r, eventId: r.event_id, eventTime: r.event_time })));

    // The first drifted window that started a run: after the shift, with the run's id.
    const link = await waitFor(async () => {
      const got = await trainer.ch.query<{ window_start_ms: string; retraining_run_id: string; retraining_status: string }>(sql`
        SELECT DISTINCT window_start_ms, retraining_run_id, retraining_status FROM ${ident(driftTable)} FINAL
        WHERE repo_id = '*' AND model_name = ${MODEL} AND retraining_status = 'started' ORDER BY window_start_ms`);
      return got.length > 0 ? got : undefined;
    }, { message: 'a drifted window that started a retraining run', timeoutMs: 120_000 });
    expect(link).toHaveLength(1);
    const runId = link[0]!.retraining_run_id;
    expect(runId).not.toBe('');
    // The replayed project drifts by itself (KS / Wasserstein on hundreds of commits see the team
    // change), so the first alert may come before the shift; every window after the shift drifts.
    const windows = await waitFor(async () => {
      const got = await trainer.ch.query<{ window_start_ms: string; drifted: number; share: number }>(sql`
        SELECT window_start_ms, any(drifted) AS drifted, any(drift_share) AS share FROM ${ident(driftTable)} FINAL
        WHERE repo_id = '*' AND model_name = ${MODEL} AND model_version = ${champion} AND window_start_ms >= ${shiftAt - WINDOW} GROUP BY window_start_ms`);
      return got.some((w) => Number(w.window_start_ms) === T0 + SPAN - WINDOW) ? got : undefined;
    }, { message: 'the last window reported', timeoutMs: 60_000 });
    expect(windows.length).toBeGreaterThan(0);
    for (const w of windows) expect(w).toMatchObject({ drifted: 1 });
    // Inference scored the stream: predictions.v1 holds the live commits' scores.
    const predictions = await readTopic(topics.predictions, { until: live.length + 1, timeoutMs: 60_000 });
    expect(predictions.length).toBeGreaterThanOrEqual(live.length);

    // The run: started by the drift trigger, trained on everything up to now, passed the gate, challenger.
    const run = await finished(runId);
    expect(run).toMatchObject({ run_id: runId, model_name: MODEL, trigger: 'drift', state: 'RUN_STATE_SUCCEEDED' });
    const challenger = run.model_version;
    expect(challenger).not.toBe(champion);
    // The detector's RPC says the same: one report started the run, no other carries a run.
    const listed = await driftCall<driftV1.ListDriftReportsResponse__Output>(drift.client, 'ListDriftReports', { model_name: MODEL, model_version: champion, drifted_only: true, page_size: 100 });
    const all = listed.reports.filter((r) => r.repo_id === '*');
    expect(all.filter((r) => r.retraining_status === 'started').map((r) => r.retraining_run_id)).toEqual([runId]);
    expect(all.filter((r) => r.retraining_run_id !== '').map((r) => r.retraining_run_id)).toEqual([runId]);

    // ab-router heard the challenger announced and started a canary against the champion.
    const [canary] = await waitFor(async () => ((await listExperiments()).length > 0 ? listExperiments() : undefined), { message: `a canary for ${MODEL}`, timeoutMs: 30_000 });
    expect(canary!.spec!.arms.map((a) => a.model_version)).toEqual(['champion', challenger]);
    expect(canary!.spec!.canary!.ramp).toEqual([0.2, 0.5]);

    const done = await driveUntilDecided(canary!);
    expect(done.state).toBe('EXPERIMENT_STATE_PROMOTED');
    expect(done.decision!.action).toBe('promote');
    const primary = done.sequential.find((s) => s.metric === 'brier')!;
    expect(primary.verdict).toBe('better');
    const byArm = new Map(done.outcomes.map((o) => [o.arm, o]));
    expect(byArm.get('challenger')!.brier!.value!).toBeLessThan(byArm.get('control')!.brier!.value!);
    // The trainer's registry says the same: the challenger the drift run produced is champion now.
    const now = await trainer.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL, alias: 'champion' });
    expect(now.version).toBe(challenger);
    champion = challenger;
  }, 600_000);

  it('rolls back a worse challenger: control keeps the traffic, the champion stays', async () => {
    // A model an operator imports with a sign error (more added lines, less risk), forced in as challenger.
    const featureNames = [...KAMEI_FEATURES];
    const onnx = buildOnnx({ kind: 'logistic', featureNames, log1p: featureNames.map(() => true), mean: featureNames.map(() => 0), scale: featureNames.map(() => 1), coef: featureNames.map((f) => (f === 'la' ? -1 : 0)), intercept: 2 });
    const imported = await trainer.call<trainerV1.ModelVersion__Output>('ImportModel', { model_name: MODEL, onnx_model: Buffer.from(onnx), feature_set: 'jit_change_metrics', feature_set_version: 1, feature_names: featureNames });
    const bad = imported.version;
    expect(bad).not.toBe('');
    await trainer.call('Promote', { model_name: MODEL, version: bad, alias: 'challenger', force: true, reason: 'test: a worse challenger' });
    const canary = await waitFor(async () => (await listExperiments()).find((x) => x.spec!.arms[1]!.model_version === bad), { message: `a canary for ${bad}`, timeoutMs: 30_000 });
    const decided = await driveUntilDecided(canary);
    expect(decided.state).toBe('EXPERIMENT_STATE_ROLLED_BACK');
    expect(decided.decision!.action).toBe('rollback');
    const now = await trainer.call<trainerV1.ModelVersion__Output>('GetModel', { model_name: MODEL, alias: 'champion' });
    expect(now.version).toBe(champion);
  }, 600_000);
});
