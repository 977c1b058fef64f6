// The served-predictions log on the dev stack: what gRPC clients are answered (Predict,
// PredictBatch, PredictStream, ModelInfer) lands on predictions.v1 and in the ClickHouse predictions table with
// source "served", deduplicated by (entity, model version, inputs); a failing or unreachable
// sink never fails a request, and a batch that failed lands once the sink is back.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema, avroType, type Prediction } from '@omen/contracts';
import { randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { createKafka } from '@omen/kafka';
import { createLogger, createMetrics } from '@omen/telemetry';
import { PredictionSink, ensurePredictionsTable } from '../../src/adapters/predictions-sink.ts';
import { createTestRegistry, jitGbdt, jitRow, jitValues, referenceP1, type TestRegistry } from '../helpers/fixtures.ts';
import {
  call,
  dropTableAfter,
  kserveClient,
  startTestService,
  type PredictResponse,
  type TestService,
} from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL', 'REDIS_URL');
const topic = randomName('predictions');
const table = `predictions_${randomName('served').replace(/-/g, '_')}`;
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
const REPO = 'github:acme/served';
let reg: TestRegistry;
let champion: Uint8Array;
let svc: TestService;
let redis: Redis;

/** The <inputs> part of a served event id, computed here from the float32 row the model sees. */
const inputsOf = (values: Record<string, number>) => {
  const row = jitRow(values);
  return createHash('sha256')
    .update(Buffer.from(row.buffer, row.byteOffset, row.byteLength))
    .digest('hex')
    .slice(0, 16);
};
const decode = (value: Buffer | null) => avroType('prediction').fromBuffer(value!.subarray(5)) as Prediction;
const served = async (until: number) =>
  (await readTopic(topic, { until, timeoutMs: 30_000 })).map((r) => ({
    key: r.key,
    eventId: r.headers['event-id'],
    p: decode(r.value),
  }));
const metricsText = async (s: TestService) => (await fetch(`${s.running.metricsUrl}/metrics`)).text();
const metric = (text: string, name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  reg = await createTestRegistry(cleanup);
  champion = await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
  dropTableAfter(cleanup, ch, table);
  svc = await startTestService(cleanup, {
    INFERENCE_REGISTRY_DIR: reg.dir,
    REDIS_URL: env.REDIS_URL,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    CLICKHOUSE_URL: env.CLICKHOUSE_URL,
    INFERENCE_TOPIC_PREDICTIONS: topic,
    INFERENCE_PREDICTIONS_TABLE: table,
    // Every call computes, so a repeated question shows what the log does with it.
    INFERENCE_CACHE_TTL: '0',
    INFERENCE_LOG_FLUSH_INTERVAL: '100ms',
    INFERENCE_LOG_RETRY_MIN: '50ms',
    INFERENCE_LOG_RETRY_MAX: '500ms',
  });
  await svc.running.ready;
  // Readiness does not wait for Redis (inline requests need none), and the commit requests below
  // do: under CI's load a first connection that timed out was still reconnecting at the first call.
  await waitFor(async () => /omen_dependency_up\{[^}]*dependency="redis"[^}]*\} 1$/m.test(await metricsText(svc)), {
    message: 'the service connected to Redis',
  });
  redis = new Redis(env.REDIS_URL);
  cleanup(async () => {
    await redis.quit();
  });
});

describe('served predictions log', () => {
  it('records Predict, PredictBatch and ModelInfer answers on predictions.v1 and in ClickHouse, one event per question', async () => {
    const sha = 'a1'.repeat(20);
    const stored = jitValues(501);
    const key = `${svc.featurePrefix}:{${REPO}}:${sha}`;
    await redis.hset(
      key,
      'jit_change_metrics@v1',
      JSON.stringify({ values: stored, file_metrics: null, computed_at: 1, event_time: 1 }),
    );
    cleanup(async () => {
      await redis.del(key);
    });
    const commitRequest = { commit: { repo_id: REPO, sha }, top_k: 2 };
    const first = await call<PredictResponse>(svc.client, 'Predict', commitRequest);
    const again = await call<PredictResponse>(svc.client, 'Predict', commitRequest);

    const named = jitValues(502);
    const anonymous = jitValues(503);
    const { la: _missing, ...bad } = jitValues(504);
    const batch = await call<{ results: { index: number; prediction?: PredictResponse; error?: { code: string } }[] }>(
      svc.client,
      'PredictBatch',
      {
        requests: [
          { features: { values: named, repo_id: REPO, entity_id: 'review-7' }, top_k: 1 },
          { features: { values: anonymous } },
          { features: { values: bad } },
        ],
      },
    );
    expect(batch.results[2]!.error?.code).toBe('INVALID_ARGUMENT');

    const kserve = kserveClient(svc.address);
    cleanup(() => Promise.resolve(kserve.close()));
    const inferRows = [jitValues(505), jitValues(506)];
    const infer = await call<{ outputs: { name: string; contents: { fp32_contents: number[] } }[] }>(
      kserve,
      'ModelInfer',
      {
        model_name: 'jit-defect',
        inputs: [
          {
            name: 'features',
            datatype: 'FP32',
            shape: [2, 14],
            contents: { fp32_contents: inferRows.flatMap((v) => [...jitRow(v)]) },
          },
        ],
      },
    );

    // Two Predicts, two good batch entries, two ModelInfer rows; the bad entry has no record.
    const out = await served(6);
    expect(out).toHaveLength(6);
    expect(out.every((o) => o.p.source === 'served' && o.eventId === o.p.event_id)).toBe(true);

    const commitId = `served:${REPO}:${sha}:jit-defect:v1:${inputsOf(stored)}`;
    const commitRecords = out.filter((o) => o.p.entity_id === sha);
    expect(commitRecords.map((o) => o.eventId)).toEqual([commitId, commitId]);
    const [pStored] = await referenceP1(champion, [jitRow(stored)]);
    for (const o of commitRecords) {
      expect(o.key).toBe(REPO);
      expect(o.p).toMatchObject({
        repo_id: REPO,
        entity_type: 'commit',
        model_name: 'jit-defect',
        model_version: 'v1',
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        features: stored,
      });
      expect(o.p.bug_probability).toBeCloseTo(pStored!, 6);
    }
    expect(commitRecords[0]!.p.bug_probability).toBe(first.bug_probability);
    expect(again.bug_probability).toBe(first.bug_probability);
    expect(commitRecords[0]!.p.contributions).toEqual(
      first.top_contributions.map((c) => ({ feature: c.feature, value: c.value, contribution: c.contribution })),
    );

    const namedRecord = out.find((o) => o.p.entity_id === 'review-7')!;
    expect(namedRecord.eventId).toBe(`served:${REPO}:review-7:jit-defect:v1:${inputsOf(named)}`);
    expect(namedRecord.p).toMatchObject({ entity_type: 'commit', feature_set: null, features: named });
    expect(namedRecord.p.bug_probability).toBe(batch.results[0]!.prediction!.bug_probability);
    expect(namedRecord.p.contributions).toHaveLength(1);

    // Features that name no entity are identified by their content.
    const anonymousRecord = out.find((o) => o.p.entity_id === inputsOf(anonymous))!;
    expect(anonymousRecord.p).toMatchObject({ repo_id: '', entity_type: 'features' });
    expect(anonymousRecord.p.bug_probability).toBe(batch.results[1]!.prediction!.bug_probability);

    const probs = infer.outputs.find((o) => o.name === 'probabilities')!.contents.fp32_contents;
    for (const [i, values] of inferRows.entries()) {
      const r = out.find((o) => o.p.entity_id === inputsOf(values))!;
      expect(r.p).toMatchObject({
        entity_type: 'features',
        event_id: `served::${inputsOf(values)}:jit-defect:v1:${inputsOf(values)}`,
      });
      expect(r.p.bug_probability).toBeCloseTo(probs[i * 2 + 1]!, 6);
    }

    // ClickHouse keeps one row per question under FINAL: the repeated Predict collapses.
    await waitFor(
      async () => {
        const [r] = await ch.query<{ n: string }>(
          sql`SELECT count() AS n FROM ${ident(table)} FINAL WHERE source = 'served'`,
        );
        return r!.n === '5';
      },
      { message: '5 served rows in ClickHouse', timeoutMs: 20_000 },
    );
    const rows = await ch.query<{ event_id: string; bug_probability: number; feature_set: string }>(
      sql`SELECT event_id, bug_probability, feature_set FROM ${ident(table)} FINAL WHERE entity_id = ${sha}`,
    );
    expect(rows).toEqual([
      { event_id: commitId, bug_probability: first.bug_probability, feature_set: 'jit_change_metrics' },
    ]);

    const text = await metricsText(svc);
    expect(metric(text, 'omen_inference_prediction_log_written_total')).toBe(6);
    expect(metric(text, 'omen_inference_prediction_log_buffered')).toBe(0);
  });

  it('records every PredictStream answer too, each under its own entity', async () => {
    const requests = [0, 1, 2].map((i) => ({
      features: { values: jitValues(600 + i), repo_id: REPO, entity_id: `stream-${i}` },
      request_id: `s${i}`,
    }));
    const stream = (
      svc.client as unknown as {
        PredictStream(req: unknown): AsyncIterable<{ index: number; prediction?: PredictResponse }>;
      }
    ).PredictStream({ requests });
    const answers: { index: number; prediction?: PredictResponse }[] = [];
    for await (const r of stream) answers.push(r);
    expect(answers).toHaveLength(3);
    // The first test left 6 records on the topic; these three come after them.
    const out = (await served(9)).filter((o) => o.p.entity_id.startsWith('stream-'));
    expect(out.map((o) => o.p.entity_id).sort()).toEqual(['stream-0', 'stream-1', 'stream-2']);
    for (const o of out) {
      const i = Number(o.p.entity_id.slice('stream-'.length));
      const answer = answers.find((a) => a.index === i)!.prediction!;
      expect(o.p).toMatchObject({
        source: 'served',
        repo_id: REPO,
        entity_type: 'commit',
        model_version: 'v1',
        features: requests[i]!.features.values,
      });
      expect(o.eventId).toBe(`served:${REPO}:stream-${i}:jit-defect:v1:${inputsOf(requests[i]!.features.values)}`);
      expect(o.p.bug_probability).toBe(answer.bug_probability);
    }
  });

  it('answers while ClickHouse refuses the writes, retries, and the record lands once the table is back', async () => {
    const before = metric(await metricsText(svc), 'omen_inference_prediction_log_write_errors_total');
    await ch.command(sql`DROP TABLE ${ident(table)}`);
    const values = jitValues(601);
    const res = await call<PredictResponse>(svc.client, 'Predict', {
      features: { values, repo_id: REPO, entity_id: 'during-outage' },
    });
    const [expected] = await referenceP1(champion, [jitRow(values)]);
    expect(res.bug_probability).toBeCloseTo(expected!, 6);

    await waitFor(
      async () =>
        metric(await metricsText(svc), 'omen_inference_prediction_log_write_errors_total') > before || undefined,
      { message: 'a failed write' },
    );
    expect(metric(await metricsText(svc), 'omen_inference_prediction_log_buffered')).toBe(1);

    await ensurePredictionsTable(ch, table);
    const [row] = await waitFor(
      async () => {
        const r = await ch.query<{ event_id: string; bug_probability: number }>(
          sql`SELECT event_id, bug_probability FROM ${ident(table)} WHERE entity_id = 'during-outage'`,
        );
        return r.length > 0 ? r : undefined;
      },
      { message: 'the retried row', timeoutMs: 20_000 },
    );
    expect(row).toEqual({
      event_id: `served:${REPO}:during-outage:jit-defect:v1:${inputsOf(values)}`,
      bug_probability: res.bug_probability,
    });
    // (6 + 3 records from the tests above, then this one.) Kafka took each attempt (the two sinks are written together): copies, one event id.
    const copies = (await served(10)).filter((o) => o.p.entity_id === 'during-outage');
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(new Set(copies.map((o) => o.eventId))).toEqual(new Set([row!.event_id]));
    const text = await metricsText(svc);
    expect(metric(text, 'omen_inference_prediction_log_buffered')).toBe(0);
    expect(text).not.toMatch(/omen_inference_prediction_log_dropped_total\{/);
  });

  it('writes what is still buffered when the service shuts down (SIGTERM runs the same stop)', async () => {
    const lazy = await startTestService(cleanup, {
      INFERENCE_REGISTRY_DIR: reg.dir,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      INFERENCE_TOPIC_PREDICTIONS: topic,
      INFERENCE_PREDICTIONS_TABLE: table,
      // Neither trigger fires during the test: only shutdown writes.
      INFERENCE_LOG_FLUSH_INTERVAL: '10m',
      INFERENCE_LOG_FLUSH_SIZE: '1000',
    });
    await lazy.running.ready;
    // Shutdown stops dependency retries, so the sinks must be up before it for this to be about the flush.
    await waitFor(
      async () => {
        const t = await metricsText(lazy);
        return (
          /omen_dependency_up\{[^}]*dependency="kafka"[^}]*\} 1$/m.test(t) &&
          /omen_dependency_up\{[^}]*dependency="clickhouse"[^}]*\} 1$/m.test(t)
        );
      },
      { message: 'Kafka and ClickHouse connected' },
    );
    await call<PredictResponse>(lazy.client, 'Predict', {
      features: { values: jitValues(650), repo_id: REPO, entity_id: 'at-shutdown' },
    });
    expect(lazy.app.servedLog!.buffered).toBe(1);
    expect(await lazy.running.stop('test: shutdown flush')).toBe(true);
    const rows = await ch.query<{ source: string }>(
      sql`SELECT source FROM ${ident(table)} WHERE entity_id = 'at-shutdown'`,
    );
    expect(rows).toEqual([{ source: 'served' }]);
  });

  it('PredictionSink writes a batch in steps, every record to both sinks', async () => {
    const stepTopic = randomName('predictions-steps');
    const logger = createLogger({ service: 'test', level: 'silent' });
    const kafka = createKafka({
      brokers: env.KAFKA_BROKERS.split(','),
      clientId: 'test',
      registryUrl: env.SCHEMA_REGISTRY_URL,
      logger,
      metrics: createMetrics({ service: 'test' }),
    });
    cleanup(() => kafka.close());
    const producer = await kafka.producer({ schemas: { [stepTopic]: avroSchema('prediction') } });
    const sink = new PredictionSink({ producer, topic: stepTopic, clickhouse: ch, table, step: 2 });
    const records: Prediction[] = [1, 2, 3, 4, 5].map((i) => ({
      event_id: `served:${REPO}:step-${i}:m:v:0`,
      event_time: 1_700_000_000_000 + i,
      repo_id: REPO,
      entity_type: 'commit',
      entity_id: `step-${i}`,
      model_name: 'm',
      model_version: 'v',
      bug_probability: i / 10,
      scores: {},
      contributions: [],
      features: null,
      feature_set: null,
      feature_set_version: null,
      experiment_id: null,
      arm: null,
      latency_ms: 1,
      trace_id: null,
      source: 'served',
    }));
    await sink.write(records);
    const onTopic = await readTopic(stepTopic, { until: 5, timeoutMs: 20_000 });
    expect(onTopic.map((r) => r.headers['event-id']).sort()).toEqual(records.map((r) => r.event_id));
    const rows = await ch.query<{ entity_id: string }>(
      sql`SELECT entity_id FROM ${ident(table)} WHERE model_name = 'm' ORDER BY entity_id`,
    );
    expect(rows.map((r) => r.entity_id)).toEqual(records.map((r) => r.entity_id));
  });

  it('gives a predictions table from before `source` the column and a sorting key that keeps served and stream rows apart', async () => {
    const old = `${table}_old`;
    cleanup(async () => {
      await ch.command(sql`DROP TABLE IF EXISTS ${ident(old)}`);
    });
    await ch.command(sql`CREATE TABLE ${ident(old)} (
      event_id String, event_time DateTime('UTC'), event_time_ms Int64, repo_id String, entity_type String, entity_id String,
      model_name String, model_version String, bug_probability Nullable(Float64), score_names Array(String), score_values Array(Float64),
      contribution_features Array(String), contribution_values Array(Float64), contribution_scores Array(Float64),
      feature_names Array(String), feature_values Array(Float64), feature_set String, feature_set_version UInt16,
      experiment_id String, arm String, latency_ms Float64, trace_id String
    ) ENGINE = ReplacingMergeTree(event_time_ms) ORDER BY (model_name, model_version, repo_id, entity_type, entity_id)`);
    await ch.command(
      sql`INSERT INTO ${ident(old)} (event_id, event_time_ms, repo_id, entity_id, model_name, model_version) VALUES ('r:c:m:v', 1, 'r', 'c', 'm', 'v')`,
    );
    await ensurePredictionsTable(ch, old);
    await ensurePredictionsTable(ch, old); // a second replica starting later
    await ch.command(
      sql`INSERT INTO ${ident(old)} (event_id, event_time_ms, repo_id, entity_id, model_name, model_version, source) VALUES ('served:r:c:m:v:0', 2, 'r', 'c', 'm', 'v', 'served')`,
    );
    const rows = await ch.query<{ event_id: string; source: string }>(
      sql`SELECT event_id, source FROM ${ident(old)} FINAL ORDER BY event_id`,
    );
    expect(rows).toEqual([
      { event_id: 'r:c:m:v', source: '' },
      { event_id: 'served:r:c:m:v:0', source: 'served' },
    ]);
  });

  it('serves with the sinks unreachable from the start; a full buffer drops the oldest and counts them', async () => {
    const [kafkaPort, registryPort, chPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const down = await startTestService(cleanup, {
      INFERENCE_REGISTRY_DIR: reg.dir,
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
      CLICKHOUSE_URL: `http://127.0.0.1:${chPort}`,
      INFERENCE_LOG_MAX_BUFFERED: '2',
      INFERENCE_LOG_FLUSH_SIZE: '1',
      INFERENCE_LOG_FLUSH_INTERVAL: '50ms',
      INFERENCE_LOG_RETRY_MIN: '20ms',
      INFERENCE_LOG_RETRY_MAX: '100ms',
    });
    // Ready although neither Kafka nor ClickHouse ever answered: the log does not gate serving.
    await down.running.ready;
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        call<PredictResponse>(down.client, 'Predict', { features: { values: jitValues(700 + i) } }),
      ),
    );
    const expected = await referenceP1(
      champion,
      [1, 2, 3, 4, 5].map((i) => jitRow(jitValues(700 + i))),
    );
    answers.forEach((a, i) => expect(a.bug_probability).toBeCloseTo(expected[i]!, 6));

    const text = await waitFor(
      async () => {
        const t = await metricsText(down);
        return /omen_inference_prediction_log_dropped_total\{[^}]*reason="overflow"[^}]*\} 3$/m.test(t) ? t : undefined;
      },
      { message: '3 overflow drops' },
    );
    expect(metric(text, 'omen_inference_prediction_log_buffered')).toBe(2);
    expect(metric(text, 'omen_inference_prediction_log_written_total')).toBe(0);
  });
});
