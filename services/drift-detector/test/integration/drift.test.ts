// The service on the dev stack: a registry version whose referenceStats come from known
// distributions, features.commits.v1 records drawn from the same distributions (one window) and
// from shifted ones (the next window). The first window must report no drift; the second must
// report it on monitoring.drift.v1, in ClickHouse, on NATS drift.alert and through GetDriftReport.
import { natsServers } from '@omen/config';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema, avroType, type CommitFeatures, type DriftReport, type driftV1 } from '@omen/contracts';
import { LocalModelRegistry } from '@omen/model-registry';
import { createTestProducer, randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { normal, referenceStats, rng } from '../helpers/reference.ts';
import { call, callError, randomTopics, startOnStack, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL', 'NATS_URL');
const MODEL = randomName('jit-drift');
const REPO = 'github:acme/drift';
const WINDOW = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % WINDOW);
const topics = randomTopics();
const table = `drift_${randomName('t').replace(/-/g, '_')}`;
const alertSubject = `drift.alert.${randomName('test')}`;
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
const random = rng(42);
const la = (shift: number) => normal(random, 10 + shift, 2);
const nf = () => normal(random, 50, 10);
const fix = (rate: number) => (random() < rate ? 1 : 0);

let svc: TestService;
let nc: NatsConnection;
const alerts: Array<Record<string, unknown>> = [];

function record(i: number, t: number, values: Record<string, number>): CommitFeatures {
  const sha = i.toString(16).padStart(40, '0');
  return {
    event_id: `${REPO}:${sha}:jit_change_metrics:1`,
    event_time: t,
    repo_id: REPO,
    sha,
    feature_set: 'jit_change_metrics',
    feature_set_version: 1,
    values,
    file_metrics: null,
    computed_at: t + 1000,
  };
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drift-registry-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  const registry = new LocalModelRegistry(dir);
  const stats = referenceStats(
    {
      la: { sample: Array.from({ length: 5000 }, () => la(0)) },
      nf: { sample: Array.from({ length: 5000 }, nf) },
      fix: { sample: Array.from({ length: 5000 }, () => fix(0.3)), categorical: true },
    },
    Array.from({ length: 5000 }, () => random()),
    0.2,
  );
  await registry.register({
    name: MODEL,
    version: 'v1',
    bytes: new Uint8Array([1, 2, 3]),
    featureSet: { name: 'jit_change_metrics', version: 1 },
    referenceStats: stats,
  });
  await registry.setAlias(MODEL, 'champion', 'v1');

  nc = await connect({ servers: natsServers(env.NATS_URL) });
  cleanup(() => nc.drain());
  nc.subscribe(alertSubject, {
    callback: (_err, msg) => alerts.push(JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>),
  });
  await nc.flush();

  cleanup(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.close();
  });
  svc = await startOnStack(cleanup, {
    registryDir: dir,
    model: MODEL,
    topics,
    env: {
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      DRIFT_TABLE: table,
      DRIFT_ALERT_SUBJECT: alertSubject,
      DRIFT_ALERT_REPLY_TIMEOUT: '300ms',
    },
  });
});

describe('drift detection on the dev stack', () => {
  it('reports no drift for the training distribution and drift for a shifted one, on every output', async () => {
    const producer = await createTestProducer(cleanup, {
      schemas: { [topics.features]: avroSchema('commit_features') },
    });
    const same = Array.from({ length: 400 }, (_, i) => record(i, T0 + i * 100, { la: la(0), nf: nf(), fix: fix(0.3) }));
    const shifted = Array.from({ length: 400 }, (_, i) =>
      record(1000 + i, T0 + WINDOW + i * 100, { la: la(2), nf: nf(), fix: fix(0.55) }),
    );
    // Event time past the second window's end closes both.
    const closer = record(9999, T0 + 2 * WINDOW + 5000, { la: la(0), nf: nf(), fix: 0 });
    const all = [...same, ...shifted, closer];
    // A redelivery of the first records must not count twice.
    const replay = same.slice(0, 50);
    await producer.send(
      topics.features,
      [...all, ...replay].map((r) => ({ key: r.repo_id, value: r, eventId: r.event_id, eventTime: r.event_time })),
    );

    // 10 tests (la, nf: psi js ks wasserstein; fix: chi2 js) × 2 reports (repo, "*") × 2 windows.
    const out = (await readTopic(topics.reports, { until: 40, timeoutMs: 60_000 })).map((r) => ({
      key: r.key,
      eventId: r.headers['event-id'],
      v: avroType('drift_report').fromBuffer(r.value!.subarray(5)) as DriftReport,
    }));
    expect(out).toHaveLength(40);
    for (const o of out) {
      expect(o.key).toBe(o.v.repo_id);
      expect(o.eventId).toBe(o.v.event_id);
      expect(o.v.event_id).toBe(`${o.v.repo_id}:${MODEL}:v1:${o.v.feature}:${o.v.statistic}:${o.v.window_end}`);
      expect(o.v.sample_size).toBe(400);
      expect(o.v.reference_version).toBe('v1');
    }
    const first = out.filter((o) => o.v.window_end === T0 + WINDOW);
    const second = out.filter((o) => o.v.window_end === T0 + 2 * WINDOW);
    expect(first.filter((o) => o.v.drifted).map((o) => `${o.v.feature}:${o.v.statistic}`)).toEqual([]);
    const drifted = new Set(
      second.filter((o) => o.v.drifted).map((o) => `${o.v.repo_id}|${o.v.feature}:${o.v.statistic}`),
    );
    for (const repo of [REPO, '*'])
      for (const k of ['la:psi', 'la:ks', 'la:js', 'la:wasserstein', 'fix:chi2', 'fix:js'])
        expect(drifted).toContain(`${repo}|${k}`);
    expect([...drifted].filter((k) => k.includes('|nf:'))).toEqual([]);

    // ClickHouse: one row per test, drifted rows only in the second window.
    await waitFor(
      async () => {
        const rows = await ch.query<{ n: string }>(sql`SELECT count() AS n FROM ${ident(table)} FINAL`);
        return Number(rows[0]!.n) === 40 || undefined;
      },
      { message: 'drift rows in ClickHouse', timeoutMs: 20_000 },
    );
    const byWindow = await ch.query<{ w: string; n: string; d: string }>(
      sql`SELECT toString(window_end_ms) AS w, count() AS n, sum(drifted) AS d FROM ${ident(table)} FINAL GROUP BY window_end_ms ORDER BY window_end_ms`,
    );
    expect(byWindow.map((r) => [Number(r.w), Number(r.n), Number(r.d) > 0])).toEqual([
      [T0 + WINDOW, 20, false],
      [T0 + 2 * WINDOW, 20, true],
    ]);
    // Evidently's defaults for a 5,000-row reference decide: Wasserstein and JS; 2 of 3 features drifted.
    const decisive = second
      .filter((o) => o.v.repo_id === '*' && o.v.decisive)
      .map((o) => `${o.v.feature}:${o.v.statistic}`)
      .sort();
    expect(decisive).toEqual(['fix:js', 'la:wasserstein', 'nf:wasserstein']);
    expect(
      second
        .filter((o) => o.v.repo_id === '*')
        .every((o) => Math.abs(o.v.drift_share! - 2 / 3) < 1e-12 && o.v.window_drifted === true),
    ).toBe(true);
    // No trainer answers this test's subject: the drifted report says so, it does not stay silently empty.
    const link = await ch.query<{ s: string; d: string }>(
      sql`SELECT DISTINCT retraining_status AS s, retraining_detail AS d FROM ${ident(table)} FINAL WHERE repo_id = '*' AND window_end_ms = ${T0 + 2 * WINDOW}`,
    );
    expect(link).toHaveLength(1);
    expect(link[0]!.s).toBe('unanswered');
    expect(link[0]!.d).toMatch(/no answer on .* within 300 ms/);

    // NATS: one alert (the cooldown holds back the others of the same model).
    await waitFor(() => alerts.length > 0 || undefined, { message: 'a drift alert', timeoutMs: 10_000 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ model: MODEL, version: 'v1' });
    expect(String(alerts[0]!['reason'])).toMatch(
      /^drift \(67% of features drifted\) in all repositories over .*la wasserstein=/,
    );

    // gRPC: the latest report over all repos and for the repo.
    const latest = await call<driftV1.DriftReport__Output>(svc.client, 'GetDriftReport', { model_name: MODEL });
    expect(latest).toMatchObject({
      report_id: `${MODEL}:v1:*:${T0 + 2 * WINDOW}`,
      model_version: 'v1',
      repo_id: '*',
      drifted: true,
      reference_version: 'v1',
    });
    expect(latest.features).toHaveLength(10);
    const forRepo = await call<driftV1.DriftReport__Output>(svc.client, 'GetDriftReport', {
      model_name: MODEL,
      model_version: 'v1',
      repo_id: REPO,
    });
    expect(forRepo.repo_id).toBe(REPO);
    expect(forRepo.features.find((f) => f.feature === 'la' && f.statistic === 'DRIFT_STATISTIC_KS')).toMatchObject({
      drifted: true,
      target: 'DRIFT_TARGET_FEATURE',
    });

    const page1 = await call<driftV1.ListDriftReportsResponse__Output>(svc.client, 'ListDriftReports', {
      model_name: MODEL,
      page_size: 3,
    });
    expect(page1.reports.map((r) => `${r.repo_id}@${Number(r.window_end!.seconds) * 1000}`)).toEqual([
      `*@${T0 + 2 * WINDOW}`,
      `${REPO}@${T0 + 2 * WINDOW}`,
      `*@${T0 + WINDOW}`,
    ]);
    expect(page1.next_page_token).not.toBe('');
    const page2 = await call<driftV1.ListDriftReportsResponse__Output>(svc.client, 'ListDriftReports', {
      model_name: MODEL,
      page_size: 3,
      page_token: page1.next_page_token,
    });
    expect(page2.reports.map((r) => r.repo_id)).toEqual([REPO]);
    expect(page2.next_page_token).toBe('');
    const driftedOnly = await call<driftV1.ListDriftReportsResponse__Output>(svc.client, 'ListDriftReports', {
      model_name: MODEL,
      drifted_only: true,
    });
    expect(driftedOnly.reports.every((r) => r.drifted)).toBe(true);
    expect(driftedOnly.reports).toHaveLength(2);

    const firstOnly = await call<driftV1.ListDriftReportsResponse__Output>(svc.client, 'ListDriftReports', {
      model_name: MODEL,
      until: { seconds: String((T0 + WINDOW) / 1000), nanos: 0 },
      feature: 'la',
    });
    expect(firstOnly.reports.map((r) => [r.repo_id, r.drifted])).toEqual([
      ['*', false],
      [REPO, false],
    ]);

    expect((await svc.app.metrics.detected.get()).values.find((v) => v.labels['model'] === MODEL)?.value).toBe(1);
    const gauges = (await svc.app.metrics.statistic.get()).values.filter((v) => v.labels['model'] === MODEL);
    expect(gauges).toHaveLength(10);
    const laPsi = second.find((o) => o.v.repo_id === '*' && o.v.feature === 'la' && o.v.statistic === 'psi')!.v.value;
    expect(gauges.find((g) => g.labels['feature'] === 'la' && g.labels['statistic'] === 'psi')).toMatchObject({
      value: laPsi,
      labels: { target: 'feature' },
    });
  });

  it('answers NOT_FOUND for a model without reports and INVALID_ARGUMENT naming the field for bad requests', async () => {
    const missing = await callError(svc.client, 'GetDriftReport', { model_name: 'no-such-model' });
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.details).toMatch(/no drift report for model "no-such-model"/);
    const noModel = await callError(svc.client, 'GetDriftReport', {});
    expect(noModel.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(noModel.details).toMatch(/model_name/);
    const badToken = await callError(svc.client, 'ListDriftReports', { model_name: MODEL, page_token: 'nonsense' });
    expect(badToken.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(badToken.details).toMatch(/page_token/);
    const badSize = await callError(svc.client, 'ListDriftReports', { model_name: MODEL, page_size: -1 });
    expect(badSize.details).toMatch(/page_size/);
  });
});
