// Predictions and labels on the dev stack, and the reference following the champion: the
// champion's bug_probability and the label rate match its reference (no drift; a commit scored
// by stream mode and served counts once; other versions are ignored); after a promotion
// announced on NATS model.promoted, the same traffic is compared with the new champion's
// reference, which it does not match.
import { natsServers } from '@omen/config';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avroSchema, avroType, type CommitLabel, type DriftReport, type Prediction } from '@omen/contracts';
import {
  LocalModelRegistry,
  MODEL_EVENT_SUBJECTS,
  modelEventPayload,
  type ReferenceStatistics,
} from '@omen/model-registry';
import { createTestProducer, randomName, readTopic, stackEnv, waitFor } from '@omen/testing';
import { referenceStats, rng } from '../helpers/reference.ts';
import { randomTopics, startOnStack, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'NATS_URL');
const MODEL = randomName('jit-champion');
const REPO = 'github:acme/champion';
const WINDOW = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % WINDOW);
const topics = randomTopics();
const random = rng(11);
let svc: TestService;
let nc: NatsConnection;
let registry: LocalModelRegistry;

function stats(low: number): ReferenceStatistics {
  // Predictions uniform on [low, low + 0.5); 20 % positive labels.
  return referenceStats(
    { la: { sample: Array.from({ length: 3000 }, () => random()) } },
    Array.from({ length: 3000 }, () => low + random() * 0.5),
    0.2,
  );
}

function prediction(
  entity: string,
  t: number,
  version: string,
  p: number,
  source: 'stream' | 'served' = 'stream',
): Prediction {
  return {
    event_id: `${source === 'served' ? 'served:' : ''}${REPO}:${entity}:${MODEL}:${version}`,
    event_time: t,
    repo_id: REPO,
    entity_type: 'commit',
    entity_id: entity,
    model_name: MODEL,
    model_version: version,
    bug_probability: p,
    scores: {},
    contributions: [],
    features: null,
    feature_set: 'jit_change_metrics',
    feature_set_version: 1,
    experiment_id: null,
    arm: null,
    latency_ms: 1,
    trace_id: null,
    source,
  };
}

function label(sha: string, t: number, positive: boolean): CommitLabel {
  return {
    event_id: `${REPO}:${sha}`,
    event_time: t,
    repo_id: REPO,
    sha,
    is_bug_inducing: positive,
    is_fix: false,
    method: 'szz',
    fix_shas: [],
    issue_numbers: [],
    confidence: null,
    label_known_at: t,
  };
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drift-registry-'));
  cleanup(() => rm(dir, { recursive: true, force: true }));
  registry = new LocalModelRegistry(dir);
  await registry.register({
    name: MODEL,
    version: 'v1',
    bytes: new Uint8Array([1]),
    featureSet: { name: 'jit_change_metrics', version: 1 },
    referenceStats: stats(0),
  });
  await registry.setAlias(MODEL, 'champion', 'v1');
  nc = await connect({ servers: natsServers(env.NATS_URL) });
  cleanup(() => nc.drain());
  svc = await startOnStack(cleanup, { registryDir: dir, model: MODEL, topics });
});

const decode = (value: Buffer | null) => avroType('drift_report').fromBuffer(value!.subarray(5)) as DriftReport;

describe('predictions, labels and champion changes', () => {
  it('tests the champion prediction distribution and label rate, then follows a promotion to the new reference', async () => {
    const producer = await createTestProducer(cleanup, {
      schemas: { [topics.predictions]: avroSchema('prediction'), [topics.labels]: avroSchema('label') },
    });
    const sendPredictions = (ps: Prediction[]) =>
      producer.send(
        topics.predictions,
        ps.map((p) => ({ key: p.repo_id, value: p, eventId: p.event_id, eventTime: p.event_time })),
      );
    const sendLabels = (ls: CommitLabel[]) =>
      producer.send(
        topics.labels,
        ls.map((l) => ({ key: l.repo_id, value: l, eventId: l.event_id, eventTime: l.event_time })),
      );

    const first = Array.from({ length: 300 }, (_, i) => prediction(`c${i}`, T0 + i * 100, 'v1', random() * 0.5));
    // The same commits answered over gRPC (served), a version that is not the champion, and a record closing the window.
    const served = first
      .slice(0, 60)
      .map((p) => ({ ...prediction(p.entity_id, p.event_time + 50, 'v1', p.bug_probability!, 'served') }));
    const other = Array.from({ length: 100 }, (_, i) => prediction(`o${i}`, T0 + i, 'v9', 0.99));
    await sendPredictions([...first, ...served, ...other, prediction('closer', T0 + WINDOW + 1000, 'v1', 0.1)]);
    await sendLabels([
      ...Array.from({ length: 300 }, (_, i) => label(`s${i}`, T0 + i * 100, random() < 0.2)),
      label('closer', T0 + WINDOW + 1000, false),
    ]);

    // psi, js, ks, wasserstein on bug_probability + chi2 on the label, for the repo and "*".
    const out1 = (await readTopic(topics.reports, { until: 10, timeoutMs: 60_000 })).map((r) => decode(r.value));
    expect(out1).toHaveLength(10);
    expect(out1.filter((r) => r.drifted).map((r) => `${r.repo_id}|${r.feature}:${r.statistic}`)).toEqual([]);
    expect(
      out1.filter((r) => r.target === 'prediction').every((r) => r.sample_size === 300 && r.model_version === 'v1'),
    ).toBe(true);
    expect(out1.filter((r) => r.target === 'label').map((r) => [r.feature, r.statistic, r.sample_size])).toEqual([
      ['is_bug_inducing', 'chi2', 300],
      ['is_bug_inducing', 'chi2', 300],
    ]);

    // v2's reference puts predictions on [0.5, 1): promoted, announced, picked up without a poll.
    await registry.register({
      name: MODEL,
      version: 'v2',
      bytes: new Uint8Array([2]),
      featureSet: { name: 'jit_change_metrics', version: 1 },
      referenceStats: stats(0.5),
    });
    const change = await registry.setAlias(MODEL, 'champion', 'v2', { action: 'promote' });
    nc.publish(
      MODEL_EVENT_SUBJECTS.promoted,
      JSON.stringify(
        modelEventPayload({
          model: MODEL,
          version: 'v2',
          sha256: (await registry.getVersion(MODEL, 'v2')).sha256,
          alias: 'champion',
          previousVersion: change.previousVersion,
          at: new Date().toISOString(),
        }),
      ),
    );
    await waitFor(() => svc.app.references.get(MODEL)?.version === 'v2' || undefined, {
      message: 'the reference to follow the promotion',
      timeoutMs: 10_000,
    });

    const T1 = T0 + 2 * WINDOW;
    await sendPredictions([
      ...Array.from({ length: 300 }, (_, i) => prediction(`d${i}`, T1 + i * 100, 'v2', random() * 0.5)),
      prediction('closer2', T1 + WINDOW + 1000, 'v2', 0.6),
    ]);
    const out2 = (await readTopic(topics.reports, { until: 18, timeoutMs: 60_000 }))
      .map((r) => decode(r.value))
      .filter((r) => r.window_end === T1 + WINDOW);
    expect(out2).toHaveLength(8);
    expect(out2.every((r) => r.model_version === 'v2' && r.reference_version === 'v2' && r.drifted)).toBe(true);
  });
});
