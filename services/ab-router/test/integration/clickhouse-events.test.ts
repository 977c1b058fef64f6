// Experiment events in ClickHouse, on the dev stack's engines: two replicas write the same
// table (an assignment both saw shares its event id), the same events are then written a second
// time, and under FINAL every event of the experiment is there once — the set Kafka carries.
// The README's analyst queries run here as written, so they cannot rot.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, quoteString, raw, sql } from '@omen/clickhouse';
import { avroType, type ExperimentEvent, type ExperimentEventType, type abrouterV1 } from '@omen/contracts';
import { callUnary } from '@omen/grpc';
import { randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { startStubInference, startTestRouter, uniquePrefix, type TestRouter } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('REDIS_URL', 'NATS_URL', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL');
const topic = randomName('experiments-events');
const table = `experiment_events_${randomName('t').replace(/-/g, '_')}`;
const prefix = uniquePrefix();
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
let a: TestRouter;
let b: TestRouter;

type Predicted = abrouterV1.RoutePredictResponse__Output;
interface Row {
  event_id: string;
  event_time_ms: string;
  repo_id: string;
  experiment_id: string;
  type: string;
  arm: string | null;
  unit_id: string | null;
  model_name: string | null;
  model_version: string | null;
  metric: string | null;
  value: number | null;
  reason: string | null;
  config_json: string | null;
}

/** The README's ```sql blocks of the ClickHouse section, in order. */
function readmeQueries(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## The ClickHouse events table'));
  return [...section.slice(0, section.indexOf('\n## ', 1)).matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  const stub = await startStubInference(cleanup);
  const common = {
    REDIS_URL: env.REDIS_URL,
    NATS_URL: env.NATS_URL,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    CLICKHOUSE_URL: env.CLICKHOUSE_URL,
    ABROUTER_EVENTS_TABLE: table,
    INFERENCE_ADDR: stub.address,
    ABROUTER_KEY_PREFIX: prefix,
    ABROUTER_NATS_SUBJECT: `experiment.changed.${randomName('test')}`,
    ABROUTER_TOPIC_EVENTS: topic,
    ABROUTER_REFRESH: '60s',
    ABROUTER_EVENTS_FLUSH_INTERVAL: '50ms',
  };
  a = await startTestRouter(cleanup, common);
  b = await startTestRouter(cleanup, common);
  const redis = new Redis(env.REDIS_URL);
  cleanup(async () => {
    const keys = await redis.keys(`{${prefix}}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  cleanup(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.close();
  });
}, 60_000);

describe('experiment events in ClickHouse', () => {
  it('holds every event once under FINAL, also after a batch was written twice, and answers the README queries', async () => {
    const model = randomName('m-ch');
    const created = await callUnary<abrouterV1.Experiment__Output>(a.admin, 'CreateExperiment', {
      spec: {
        name: `test ${model}`,
        model_name: model,
        arms: [
          { name: 'control', model_version: 'champion', weight: 1 },
          { name: 'treatment', model_version: 'v2', weight: 1 },
        ],
      },
    });
    const id = created.experiment_id;
    expect(id).toMatch(/^[\w.-]+$/);
    await waitFor(
      async () =>
        (
          await callUnary<abrouterV1.RouteResponse__Output>(b.anonymous, 'Route', {
            model_name: model,
            unit_id: 'github:acme/probe',
          })
        ).experiment_id === id,
      {
        message: 'replica b routing the new experiment',
      },
    );

    // Each unit through both replicas: each replica records its assignment, under the same id.
    const units = 40;
    const arms = new Map<string, string>();
    // Route assigns too: the probe above is a unit of the experiment.
    arms.set(
      'github:acme/probe',
      (
        await callUnary<abrouterV1.RouteResponse__Output>(a.anonymous, 'Route', {
          model_name: model,
          unit_id: 'github:acme/probe',
        })
      ).arm,
    );
    for (let i = 0; i < units; i++) {
      const repo = `github:acme/ch-${i}`;
      const request = { request: { model_name: model, commit: { repo_id: repo, sha: 'ab'.repeat(20) } } };
      const fromA = await callUnary<Predicted>(a.anonymous, 'Predict', request);
      await callUnary<Predicted>(b.anonymous, 'Predict', request);
      arms.set(repo, fromA.arm);
    }

    // What Kafka carries for the experiment: created, one assignment id per unit, outcomes.
    // A batch leaves the queue only once both sinks took it, so empty queues mean both have everything.
    await waitFor(() => a.app.events!.buffered === 0 && b.app.events!.buffered === 0, {
      message: 'both replicas flushed',
    });
    const records = await readTopic(topic, { timeoutMs: 5_000 });
    const fromKafka = new Map<string, ExperimentEvent>();
    for (const r of records) {
      const e = avroType('experiment_event').fromBuffer(r.value!.subarray(5)) as ExperimentEvent;
      if (e.experiment_id === id) fromKafka.set(e.event_id, e);
    }
    expect(fromKafka.size).toBeGreaterThan(units);

    const finalRows = () =>
      ch.query<Row>(sql`SELECT * FROM ${ident(table)} FINAL WHERE experiment_id = ${id} ORDER BY event_id`);
    const once = async () => {
      const rows = await finalRows();
      return rows.length === fromKafka.size ? rows : undefined;
    };
    const first = await waitFor(once, { timeoutMs: 20_000, message: 'every event of the experiment in ClickHouse' });
    expect(first.map((r) => r.event_id)).toEqual([...fromKafka.keys()].sort());
    const assignment = first.find((r) => r.type === 'assignment')!;
    const kafkaAssignment = fromKafka.get(assignment.event_id)!;
    expect({ ...assignment, event_time_ms: Number(assignment.event_time_ms) }).toMatchObject({
      arm: kafkaAssignment.arm,
      unit_id: kafkaAssignment.unit_id,
      model_version: kafkaAssignment.model_version,
      metric: null,
      value: null,
    });

    // The same events written again, as a retried batch would be.
    const sink = a.app.events!;
    for (const r of first) {
      sink.push({
        ...r,
        type: r.type as ExperimentEventType,
        event_time: Number(r.event_time_ms),
        entity_id: (r as { entity_id?: string | null }).entity_id ?? null,
      });
    }
    await sink.flush();
    await waitFor(() => sink.buffered === 0, { message: 'the rewrite flushed' });
    const [raw2] = await ch.query<{ n: string }>(
      sql`SELECT count() AS n FROM ${ident(table)} WHERE experiment_id = ${id}`,
    );
    // Before a merge the copies are separate rows; FINAL must still see each id once.
    expect(Number(raw2!.n)).toBeGreaterThanOrEqual(fromKafka.size);
    const after = await finalRows();
    expect(after.map((r) => r.event_id)).toEqual([...fromKafka.keys()].sort());

    // The README's queries, verbatim but for the table and the experiment.
    const [exposure, latency] = readmeQueries().map((q) =>
      raw(q.replace(/\bexperiment_events\b/, ident(table).text).replace(`'<experiment_id>'`, quoteString(id))),
    );
    expect(latency).toBeDefined();
    const exposureRows = await ch.query<{ arm: string; units: string }>(exposure!);
    const expectedUnits = new Map<string, number>();
    for (const arm of arms.values()) expectedUnits.set(arm, (expectedUnits.get(arm) ?? 0) + 1);
    expect(exposureRows.map((r) => [r.arm, Number(r.units)])).toEqual([...expectedUnits.entries()].sort());

    const latencyRows = await ch.query<{ arm: string; requests: string; mean_latency_ms: number }>(latency!);
    const latencies = [...fromKafka.values()].filter((e) => e.type === 'outcome' && e.metric === 'latency_ms');
    for (const row of latencyRows) {
      const values = latencies.filter((e) => e.arm === row.arm).map((e) => e.value!);
      // Two Predicts per unit; the probe was only routed.
      expect(Number(row.requests)).toBe(
        2 * [...arms].filter(([unit, arm]) => arm === row.arm && unit !== 'github:acme/probe').length,
      );
      expect(row.mean_latency_ms).toBeCloseTo(values.reduce((x, y) => x + y, 0) / values.length, 6);
    }
    expect(latencyRows.map((r) => r.arm)).toEqual([...expectedUnits.keys()].sort());
  }, 90_000);
});
