// Two ab-router replicas on the dev stack (Redis, NATS, Kafka + schema registry) in front of a
// stub inference server: experiments created on one are routed by the other (NATS; the periodic
// re-read is set to a minute so it cannot explain it), assignment is sticky across replicas,
// arm shares follow the weights, events land on experiments.events.v1, and an arm whose model
// version fails is rolled back to the control by its error-rate guardrail.
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroType, type ExperimentEvent, type abrouterV1 } from '@omen/contracts';
import { callUnary } from '@omen/grpc';
import { randomName, readTopic, stackEnv, waitFor, type TopicRecord } from '@omen/testing';
import { startStubInference, startTestRouter, uniquePrefix, type TestRouter } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('REDIS_URL', 'NATS_URL', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL');
const topic = randomName('experiments-events');
const prefix = uniquePrefix();
let a: TestRouter;
let b: TestRouter;
let stub: Awaited<ReturnType<typeof startStubInference>>;

type Experiment = abrouterV1.Experiment__Output;
type Predicted = abrouterV1.RoutePredictResponse__Output;

const decode = (value: Buffer | null) => avroType('experiment_event').fromBuffer(value!.subarray(5)) as ExperimentEvent;
const metricsText = async (r: TestRouter) => (await fetch(`${r.running.metricsUrl}/metrics`)).text();
const predict = (r: TestRouter, model: string, repo: string, sha = 'ab'.repeat(20)) =>
  callUnary<Predicted>(r.anonymous, 'Predict', { request: { model_name: model, commit: { repo_id: repo, sha } } });
const route = (r: TestRouter, model: string, unit: string) =>
  callUnary<abrouterV1.RouteResponse__Output>(r.anonymous, 'Route', { model_name: model, unit_id: unit });
const spec = (model: string, treatmentVersion: string, extra: Record<string, unknown> = {}) => ({
  spec: {
    name: `test ${model}`,
    model_name: model,
    arms: [
      { name: 'control', model_version: 'champion', weight: 1 },
      { name: 'treatment', model_version: treatmentVersion, weight: 1 },
    ],
    ...extra,
  },
});

beforeAll(async () => {
  stub = await startStubInference(cleanup);
  const common = {
    REDIS_URL: env.REDIS_URL,
    NATS_URL: env.NATS_URL,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    INFERENCE_ADDR: stub.address,
    ABROUTER_KEY_PREFIX: prefix,
    ABROUTER_NATS_SUBJECT: `experiment.changed.${randomName('test')}`,
    ABROUTER_TOPIC_EVENTS: topic,
    ABROUTER_REFRESH: '60s',
    ABROUTER_STATS_FLUSH: '100ms',
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
}, 60_000);

describe('experiments across two replicas', () => {
  it('needs the admin token to create, and names the bad field', async () => {
    const anon = await callUnary(a.anonymous, 'CreateExperiment', spec('m-auth', 'v2')).catch(
      (e: grpc.ServiceError) => e,
    );
    expect((anon as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    const bad = await callUnary(a.admin, 'CreateExperiment', {
      spec: {
        ...spec('m-bad', 'v2').spec,
        arms: [
          { name: 'control', model_version: 'champion', weight: 1 },
          { name: 't', model_version: 'v2', weight: 0 },
        ],
      },
    }).catch((e: grpc.ServiceError) => e);
    expect((bad as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((bad as grpc.ServiceError).details).toContain('spec.arms[1].weight');
  });

  it('routes sticky, by weight, on both replicas; records events; answers stats; passes through after stop', async () => {
    const model = randomName('m-split');
    const created = await callUnary<Experiment>(
      a.admin,
      'CreateExperiment',
      spec(model, 'v2', { metrics: ['bug_probability'] }),
    );
    expect(created.state).toBe('EXPERIMENT_STATE_RUNNING');
    const id = created.experiment_id;
    const dup = await callUnary(b.admin, 'CreateExperiment', spec(model, 'v3')).catch((e: grpc.ServiceError) => e);
    expect((dup as grpc.ServiceError).code).toBe(grpc.status.ALREADY_EXISTS);

    // Replica b heard it on NATS (its own re-read is a minute away).
    await waitFor(async () => (await route(b, model, 'github:acme/probe')).experiment_id === id, {
      message: 'replica b routing the new experiment',
    });

    const units = 400;
    const arms = new Map<string, string>();
    for (let i = 0; i < units; i++) {
      const repo = `github:acme/repo-${i}`;
      const fromA = await predict(a, model, repo);
      const fromB = await predict(b, model, repo, 'cd'.repeat(20));
      expect(fromA.experiment_id).toBe(id);
      expect(fromB.arm).toBe(fromA.arm);
      expect(fromA.prediction!.model_version).toBe(fromA.arm === 'control' ? 'champion' : 'v2');
      arms.set(repo, fromA.arm);
    }
    const again = await predict(a, model, 'github:acme/repo-7');
    expect(again.arm).toBe(arms.get('github:acme/repo-7'));
    const treated = [...arms.values()].filter((x) => x === 'treatment').length;
    expect(Math.abs(treated - units / 2)).toBeLessThan(4.5 * Math.sqrt(units / 4));

    const routed = await route(b, model, 'github:acme/repo-3');
    expect(routed.arm).toBe(arms.get('github:acme/repo-3'));
    // Inline features: the unit comes from features.repo_id, and the oneof survives forwarding.
    const inline = await callUnary<Predicted>(a.anonymous, 'Predict', {
      request: { model_name: model, features: { values: { la: 3 }, repo_id: 'github:acme/repo-3', entity_id: 'e-1' } },
    });
    expect(inline.arm).toBe(arms.get('github:acme/repo-3'));
    expect(inline.prediction!.model_version).toBe(inline.arm === 'control' ? 'champion' : 'v2');

    // Statistics: every replica's outcomes count (a and b each predicted every unit once, plus a repeat and the inline request).
    const stats = await waitFor(
      async () => {
        const e = await callUnary<Experiment>(b.anonymous, 'GetExperiment', { experiment_id: id });
        const latency = e.stats.flatMap((s) =>
          s.metrics.filter((m) => m.metric === 'latency_ms').map((m) => Number(m.count)),
        );
        return latency.reduce((x, y) => x + y, 0) >= 2 * units + 2 ? e : undefined;
      },
      { message: 'outcomes of both replicas in the statistics' },
    );
    const treatment = stats.stats.find((s) => s.arm === 'treatment')!;
    expect(Number(treatment.units)).toBeGreaterThan(treated * 0.9);
    const prob = treatment.metrics.find((m) => m.metric === 'bug_probability');
    // The stub answers v2 with ~0.45 against the champion's ~0.30: a real difference.
    expect(prob?.lift).toBeGreaterThan(0.3);
    expect(prob?.p_value).toBeLessThan(0.001);
    expect(stats.stats.find((s) => s.arm === 'control')!.metrics[0]!.p_value).toBeUndefined();

    // experiments.events.v1: created, one assignment per unit (deduplicated by id), outcomes.
    const eventsOf = (records: readonly TopicRecord[]) =>
      records
        .map((r) => ({ id: r.headers['event-id'], key: r.key, e: decode(r.value) }))
        .filter((x) => x.e.experiment_id === id);
    // Read until every unit's assignment is there: a count of records would be reached by the
    // partitions the broker hands over first.
    const assigned = (records: readonly TopicRecord[]) => {
      const units = new Set(eventsOf(records).flatMap((x) => (x.e.type === 'assignment' ? [x.e.unit_id] : [])));
      return [...arms.keys()].every((u) => units.has(u));
    };
    const events = eventsOf(await readTopic(topic, { until: assigned, timeoutMs: 30_000 }));
    expect(events.some((x) => x.e.type === 'created' && x.key === '*' && x.e.config_json?.includes('"v2"'))).toBe(true);
    const assignments = new Map(events.filter((x) => x.e.type === 'assignment').map((x) => [x.e.unit_id, x]));
    expect(assignments.get('github:acme/repo-5')?.e.arm).toBe(arms.get('github:acme/repo-5'));
    expect(assignments.get('github:acme/repo-5')?.id).toBe(`${id}:assignment:github:acme/repo-5`);
    expect(assignments.get('github:acme/repo-5')?.key).toBe('github:acme/repo-5');
    expect(events.some((x) => x.e.type === 'outcome' && x.e.metric === 'latency_ms' && x.e.value! >= 0)).toBe(true);

    const text = await metricsText(a);
    expect(text).toMatch(
      new RegExp(`omen_abrouter_assignments_total\\{[^}]*experiment="${id}"[^}]*arm="treatment"[^}]*\\} \\d+`),
    );

    const stopped = await callUnary<Experiment>(b.admin, 'StopExperiment', { experiment_id: id, reason: 'done' });
    expect(stopped.state).toBe('EXPERIMENT_STATE_STOPPED');
    await waitFor(async () => (await predict(a, model, 'github:acme/repo-1')).experiment_id === '', {
      message: 'replica a passing through after the stop',
    });
    const listed = await callUnary<abrouterV1.ListExperimentsResponse__Output>(a.anonymous, 'ListExperiments', {
      model_name: model,
      state: 'EXPERIMENT_STATE_STOPPED',
    });
    expect(listed.experiments.map((e) => e.experiment_id)).toEqual([id]);
  }, 120_000);

  it('rolls back an arm whose model version fails, on both replicas, and routes everyone to control', async () => {
    const model = randomName('m-broken');
    const created = await callUnary<Experiment>(a.admin, 'CreateExperiment', {
      spec: {
        ...spec(model, 'broken').spec,
        guardrails: [{ metric: 'error_rate', direction: 'GUARDRAIL_DIRECTION_MAX', threshold: 0.2, min_units: 20 }],
      },
    });
    const id = created.experiment_id;
    await waitFor(async () => (await route(b, model, 'github:acme/probe')).experiment_id === id, {
      message: 'replica b routing the new experiment',
    });

    let failures = 0;
    for (let i = 0; i < 200; i++) {
      const r = i % 2 === 0 ? a : b;
      const out = await predict(r, model, `github:acme/unit-${i}`).catch((e: grpc.ServiceError) => e);
      if ('code' in out) {
        expect(out.code).toBe(grpc.status.UNAVAILABLE);
        failures++;
      }
      if (failures > 0 && i > 60) {
        const e = await callUnary<Experiment>(a.anonymous, 'GetExperiment', { experiment_id: id });
        if (e.state === 'EXPERIMENT_STATE_ROLLED_BACK') break;
      }
    }
    expect(failures).toBeGreaterThan(0);
    const rolled = await waitFor(
      async () => {
        const e = await callUnary<Experiment>(b.anonymous, 'GetExperiment', { experiment_id: id });
        return e.state === 'EXPERIMENT_STATE_ROLLED_BACK' ? e : undefined;
      },
      { message: 'the experiment rolled back' },
    );
    expect(rolled.stop_reason).toContain('error_rate breached by arm treatment');

    // Both replicas (b through NATS) now send every unit to the control.
    for (const r of [a, b]) {
      await waitFor(async () => (await predict(r, model, 'github:acme/unit-1')).arm === 'control', {
        message: 'rolled-back routing',
      });
      for (let i = 0; i < 30; i++) {
        const out = await predict(r, model, `github:acme/after-${i}`);
        expect(out).toMatchObject({ experiment_id: id, arm: 'control' });
        expect(out.prediction!.model_version).toBe('champion');
      }
    }
    // Every series counts (they exist at 0 from the experiment's creation, one per arm and guardrail).
    const breaches = (await Promise.all([a, b].map(metricsText))).map((t) =>
      [...t.matchAll(/^omen_abrouter_guardrail_breaches_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0),
    );
    expect(breaches.reduce((x, y) => x + y, 0)).toBe(1);

    const records = await readTopic(topic, { timeoutMs: 8000 });
    const lifecycle = records
      .map((r) => decode(r.value))
      .filter((e) => e.experiment_id === id && e.type === 'rolled_back');
    expect(lifecycle).toHaveLength(1);
    expect(lifecycle[0]!.reason).toContain('error_rate');

    // A new experiment may replace a rolled-back one.
    const next = await callUnary<Experiment>(a.admin, 'CreateExperiment', spec(model, 'v2'));
    expect(next.state).toBe('EXPERIMENT_STATE_RUNNING');
  }, 120_000);
});
