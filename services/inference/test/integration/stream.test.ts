// Stream mode on the dev stack: features.commits.v1 records in, predictions.v1 (Avro) and the
// ClickHouse predictions table out, idempotent under replay, bad records dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema, avroType, type CommitFeatures, type Prediction } from '@omen/contracts';
import { FAST_CONSUMER, createTestProducer, randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { createTestRegistry, jitGbdt, jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL');
const featuresTopic = randomName('features-commits');
const predictionsTopic = randomName('predictions');
const group = randomName('inference');
const table = `predictions_${randomName('t').replace(/-/g, '_')}`;
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
let svc: TestService;
let champion: Uint8Array;
let challenger: Uint8Array;

const REPO = 'github:acme/stream';
function record(sha: string, values: Record<string, number>, set = 'jit_change_metrics'): CommitFeatures {
  return {
    event_id: `${REPO}:${sha}:${set}:1`,
    event_time: 1_700_000_000_000,
    repo_id: REPO,
    sha,
    feature_set: set,
    feature_set_version: 1,
    values,
    file_metrics: null,
    computed_at: 1_700_000_000_500,
  };
}
const decode = (value: Buffer | null) => avroType('prediction').fromBuffer(value!.subarray(5)) as Prediction;

beforeAll(async () => {
  const reg = await createTestRegistry(cleanup);
  champion = await reg.publish('jit-defect', 'v1', jitGbdt(1), ['champion']);
  challenger = await reg.publish('jit-defect', 'v2', jitGbdt(2), ['challenger']);
  cleanup(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.close();
  });
  svc = await startTestService(
    cleanup,
    {
      INFERENCE_REGISTRY_DIR: reg.dir,
      INFERENCE_STREAM: 'true',
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      INFERENCE_STREAM_GROUP: group,
      INFERENCE_TOPIC_FEATURES: featuresTopic,
      INFERENCE_TOPIC_PREDICTIONS: predictionsTopic,
      INFERENCE_PREDICTIONS_TABLE: table,
      INFERENCE_STREAM_TOP_K: '3',
      INFERENCE_LAG_INTERVAL: '500ms',
    },
    { streamConsumer: FAST_CONSUMER },
  );
  await svc.running.ready;
  await waitFor(() => svc.app.stream(), { message: 'the stream consumer', timeoutMs: 30_000 });
  await svc.app.stream()!.ready;
});

describe('stream mode', () => {
  it('scores every record with the champion and the challenger, writes both sinks idempotently, dead-letters bad records', async () => {
    const producer = await createTestProducer(cleanup, { schemas: { [featuresTopic]: avroSchema('commit_features') } });
    const commits = [1, 2, 3].map((i) => ({ sha: `${i}`.repeat(40), values: jitValues(300 + i) }));
    const { la: _missing, ...badValues } = jitValues(9);
    const send = (records: CommitFeatures[]) =>
      producer.send(
        featuresTopic,
        records.map((r) => ({ key: r.repo_id, value: r, eventId: r.event_id })),
      );
    // One send: the dev broker hands a batch handler one producer batch per fetch.
    await send([
      ...commits.map((c) => record(c.sha, c.values)),
      record('9'.repeat(40), { files_parsed: 1 }, 'code_metrics'),
      record('8'.repeat(40), badValues),
    ]);

    const out = (await readTopic(predictionsTopic, { until: 6, timeoutMs: 30_000 })).map((r) => ({
      key: r.key,
      eventId: r.headers['event-id'],
      p: decode(r.value),
    }));
    expect(out).toHaveLength(6);
    const pChampion = await referenceP1(
      champion,
      commits.map((c) => jitRow(c.values)),
    );
    const pChallenger = await referenceP1(
      challenger,
      commits.map((c) => jitRow(c.values)),
    );
    for (const [i, c] of commits.entries()) {
      const v1 = out.find((o) => o.p.entity_id === c.sha && o.p.model_version === 'v1')!;
      const v2 = out.find((o) => o.p.entity_id === c.sha && o.p.model_version === 'v2')!;
      expect(v1.p.bug_probability).toBeCloseTo(pChampion[i]!, 6);
      expect(v2.p.bug_probability).toBeCloseTo(pChallenger[i]!, 6);
      expect(v1.eventId).toBe(`${REPO}:${c.sha}:jit-defect:v1`);
      expect(v1.p).toMatchObject({
        event_id: v1.eventId,
        repo_id: REPO,
        entity_type: 'commit',
        model_name: 'jit-defect',
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        source: 'stream',
      });
      expect(v1.key).toBe(REPO);
      expect(v1.p.contributions).toHaveLength(3);
      expect(v1.p.features).toEqual(c.values);
    }

    const finalCount = async () =>
      (await ch.query<{ n: string }>(sql`SELECT count() AS n FROM ${ident(table)} FINAL`))[0]!.n;
    await waitFor(async () => (await finalCount()) === '6', { message: '6 rows in ClickHouse' });
    const rows = await ch.query<{
      entity_id: string;
      model_version: string;
      bug_probability: number;
      contribution_features: string[];
    }>(
      sql`SELECT entity_id, model_version, bug_probability, contribution_features FROM ${ident(table)} FINAL WHERE model_version = 'v1' ORDER BY entity_id`,
    );
    expect(rows.map((r) => r.entity_id)).toEqual(commits.map((c) => c.sha));
    expect(rows[0]!.bug_probability).toBeCloseTo(pChampion[0]!, 6);
    expect(rows[0]!.contribution_features).toHaveLength(3);

    const dlq = await readTopic(`${featuresTopic}.dlq.${group}`, { until: 1, timeoutMs: 20_000 });
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.headers['dlq.error.code']).toBe('INVALID_ARGUMENT');
    expect(dlq[0]!.headers['dlq.error.message']).toMatch(/la is missing/);

    // Replay (at-least-once redelivery): more Kafka records, the same rows under FINAL.
    await send(commits.map((c) => record(c.sha, c.values)));
    await readTopic(predictionsTopic, { until: 12, timeoutMs: 30_000 });
    await waitFor(
      async () => {
        const [raw] = await ch.query<{ n: string }>(sql`SELECT count() AS n FROM ${ident(table)}`);
        return raw!.n === '12';
      },
      { message: 'the replayed rows to land' },
    );
    expect(await finalCount()).toBe('6');

    // The consumer lag KEDA scales on is exported.
    const metrics = await waitFor(
      async () => {
        const text = await (await fetch(`${svc.running.metricsUrl}/metrics`)).text();
        return text.includes(`omen_kafka_consumer_lag{`) && text.includes(group) ? text : undefined;
      },
      { message: 'omen_kafka_consumer_lag for the group' },
    );
    expect(metrics).toMatch(new RegExp(`omen_kafka_consumer_lag\\{[^}]*group="${group}"[^}]*\\} 0`));
    expect(metrics).toMatch(/omen_inference_stream_predictions_total\{[^}]*outcome="skipped"[^}]*\} [1-9]/);
  });
});
