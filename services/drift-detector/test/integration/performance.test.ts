// Performance estimation on the dev stack: the champion's scores of one window give the CBPE
// expected ROC AUC when the window closes; once its labels matured (a short maturity here, the
// window lies in the past) the realised ROC AUC of the same predictions joined to their labels
// lands next to it, in ClickHouse and through ListPerformance.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema, type CommitLabel, type Prediction, type driftV1 } from '@omen/contracts';
import { LocalModelRegistry } from '@omen/model-registry';
import { createTestProducer, randomName, stackEnv, waitFor } from '@omen/testing';
import { cbpeRocAuc, rocAuc } from '../../src/domain/performance.ts';
import { referenceStats, rng } from '../helpers/reference.ts';
import { call, callError, randomTopics, startOnStack, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('CLICKHOUSE_URL');
const MODEL = randomName('jit-perf');
const REPO = 'github:acme/perf';
const WINDOW = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % WINDOW);
const topics = randomTopics();
const suffix = randomName('p').replace(/-/g, '_');
const tables = {
  DRIFT_TABLE: `drift_${suffix}`,
  DRIFT_PERFORMANCE_TABLE: `perf_${suffix}`,
  DRIFT_SCORES_TABLE: `scores_${suffix}`,
  DRIFT_LABELS_TABLE: `labels_${suffix}`,
};
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
const random = rng(5);
let svc: TestService;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drift-perf-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const registry = new LocalModelRegistry(dir);
  await registry.register({
    name: MODEL,
    version: 'v1',
    bytes: new Uint8Array([1]),
    featureSet: { name: 'jit_change_metrics', version: 1 },
    referenceStats: referenceStats(
      {},
      Array.from({ length: 3000 }, () => random() ** 2),
      0.3,
    ),
  });
  await registry.setAlias(MODEL, 'champion', 'v1');
  cleanup(async () => {
    for (const t of Object.values(tables)) await ch.command(sql`DROP TABLE IF EXISTS ${ident(t)}`);
    await ch.close();
  });
  svc = await startOnStack(cleanup, {
    registryDir: dir,
    model: MODEL,
    topics,
    env: {
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      ...tables,
      DRIFT_LABEL_MATURITY: '1s',
      DRIFT_PERFORMANCE_INTERVAL: '500ms',
    },
  });
});

function prediction(i: number, t: number, p: number): Prediction {
  const sha = i.toString(16).padStart(40, '0');
  return {
    event_id: `${REPO}:${sha}:${MODEL}:v1`,
    event_time: t,
    repo_id: REPO,
    entity_type: 'commit',
    entity_id: sha,
    model_name: MODEL,
    model_version: 'v1',
    bug_probability: p,
    scores: {},
    contributions: [],
    features: {},
    feature_set: 'jit_change_metrics',
    feature_set_version: 1,
    experiment_id: null,
    arm: null,
    latency_ms: 1,
    trace_id: null,
    source: 'stream',
  };
}

function label(i: number, positive: boolean): CommitLabel {
  const sha = i.toString(16).padStart(40, '0');
  const known = T0 + 10 * WINDOW;
  return {
    event_id: `${REPO}:${sha}:szz:${known}`,
    event_time: known,
    repo_id: REPO,
    sha,
    is_bug_inducing: positive,
    is_fix: false,
    method: 'szz',
    fix_shas: [],
    issue_numbers: [],
    confidence: null,
    label_known_at: known,
  } as unknown as CommitLabel;
}

describe('performance estimation without labels, then with them', () => {
  it('stores the CBPE expected AUC of a window and its realised AUC once the labels matured', async () => {
    const producer = await createTestProducer(cleanup, {
      schemas: { [topics.predictions]: avroSchema('prediction'), [topics.labels]: avroSchema('label') },
    });
    // Calibrated: the label is drawn with the score's probability. Unlabelled commits count as clean.
    const scores = Array.from({ length: 400 }, () => random() ** 2);
    const truth = scores.map((p) => random() < p);
    const labelled = truth.map((y, i) => [y, i] as const).filter(([y, i]) => y || i % 2 === 0);
    await producer.send(
      topics.labels,
      labelled
        .map(([y, i]) => label(i, y))
        .map((l) => ({ key: l.repo_id, value: l, eventId: l.event_id, eventTime: l.event_time })),
    );
    await waitFor(
      async () =>
        Number(
          (await ch.query<{ n: string }>(sql`SELECT count() AS n FROM ${ident(tables.DRIFT_LABELS_TABLE)} FINAL`))[0]
            ?.n ?? 0,
        ) === labelled.length || undefined,
      { message: 'the labels in ClickHouse', timeoutMs: 60_000 },
    );
    const preds = scores.map((p, i) => prediction(i, T0 + i * 100, p));
    await producer.send(
      topics.predictions,
      [...preds, prediction(9999, T0 + WINDOW + 10, 0.5)].map((p) => ({
        key: p.repo_id,
        value: p,
        eventId: p.event_id,
        eventTime: p.event_time,
      })),
    );

    const res = await waitFor(
      async () => {
        const r = await call<driftV1.ListPerformanceResponse__Output>(svc.client, 'ListPerformance', {
          model_name: MODEL,
        });
        const w = r.windows.find((x) => Number(x.window_end!.seconds) * 1000 === T0 + WINDOW);
        return w?.realised_at ? w : undefined;
      },
      { message: 'a window with realised AUC', timeoutMs: 60_000 },
    );
    expect(res).toMatchObject({
      model_name: MODEL,
      model_version: 'v1',
      repo_id: '*',
      predictions: '400',
      scored: '400',
      labelled: String(labelled.length),
      positives: String(truth.filter(Boolean).length),
    });
    expect(res.expected_auc).toBeCloseTo(cbpeRocAuc(scores)!, 12);
    expect(res.realised_auc).toBeCloseTo(rocAuc(scores, truth)!, 12);
    // Calibrated scores: the estimate made without labels is close to what the labels say.
    expect(Math.abs(res.expected_auc! - res.realised_auc!)).toBeLessThan(0.08);

    const rows = await ch.query<{ e: number; r: number }>(
      sql`SELECT expected_auc AS e, realised_auc AS r FROM ${ident(tables.DRIFT_PERFORMANCE_TABLE)} FINAL WHERE model_name = ${MODEL} AND repo_id = '*'`,
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.r)).toBeCloseTo(res.realised_auc!, 12);
  });

  it('refuses bad requests naming the field', async () => {
    const err = await callError(svc.client, 'ListPerformance', { model_name: MODEL, page_size: -1 });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/page_size/);
  });
});
