// Canaries that decide by themselves, on the dev stack's Redis, NATS, Kafka, schema registry and
// ClickHouse: the router serves commits through a real grpc-js inference stub (its scores depend
// on the version and on the commit's true label), labels for those commits go to
// labels.commits.v1, the router's labels consumer puts them in ClickHouse, joins them to what each
// arm served, and the evaluator ramps 20% → 50%, then
//  - promotes a better challenger through a real grpc-js trainer stub's Promote (called with the
//    challenger's version; a second Promote answer "unchanged" would be harmless), or
//  - rolls back a worse one: traffic returns to control, the challenger is rejected.
// Every decision is in the experiment's decision list with its evidence.
import * as grpc from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { connect as connectNats } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  avroSchema,
  loadGrpcObject,
  type CommitLabel,
  type abrouterV1,
  type inferenceV1,
  type trainerV1,
} from '@omen/contracts';
import { callUnary } from '@omen/grpc';
import { createKafka, type AvroProducer } from '@omen/kafka';
import { randomName, stackEnv, waitFor } from '@omen/testing';
import { startTestRouter, uniquePrefix, type TestRouter } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('REDIS_URL', 'NATS_URL', 'KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL');
const REPO = 'github:acme/canary';
const labelsTopic = randomName('labels');
const prefix = uniquePrefix();
const suffix = randomName('t').replace(/-/g, '_');
const modelSubject = `model.promoted.${randomName('test')}`;
let router: TestRouter;
let producer: AvroProducer;
const promotes: trainerV1.PromoteRequest__Output[] = [];

/** The commit's true label, fixed by its sha: 30% bug-inducing. */
const truth = (sha: string) => (createHash('sha256').update(sha).digest()[0]! < 77 ? 1 : 0);
/** Deterministic noise in [0, 1) per (version, sha). */
const noise = (version: string, sha: string) =>
  createHash('sha256').update(`${version}/${sha}`).digest().readUInt32BE(0) / 2 ** 32;

/** Scores per version: "champion" is weakly informative, "good" strongly, "bad" inverted. */
function score(version: string, sha: string): number {
  const y = truth(sha);
  const u = noise(version, sha);
  if (version === 'good') return y ? 0.7 + 0.25 * u : 0.05 + 0.25 * u;
  if (version === 'bad') return y ? 0.05 + 0.25 * u : 0.7 + 0.25 * u;
  return y ? 0.3 + 0.4 * u : 0.15 + 0.4 * u;
}

async function startStubs(): Promise<{ inference: string; trainer: string }> {
  const server = new grpc.Server();
  server.addService(loadGrpcObject('inference').omen.inference.v1.Inference.service, {
    Predict: (
      call: grpc.ServerUnaryCall<inferenceV1.PredictRequest__Output, inferenceV1.PredictResponse>,
      cb: grpc.sendUnaryData<inferenceV1.PredictResponse>,
    ) => {
      const r = call.request;
      const version = r.model_version || 'champion';
      cb(null, {
        request_id: r.request_id,
        model_name: r.model_name,
        model_version: version,
        repo_id: r.commit?.repo_id ?? '',
        entity_id: r.commit?.sha ?? '',
        bug_probability: score(version, r.commit?.sha ?? ''),
      });
    },
  });
  let champion = 'champion';
  server.addService(loadGrpcObject('trainer').omen.trainer.v1.Trainer.service, {
    Promote: (
      call: grpc.ServerUnaryCall<trainerV1.PromoteRequest__Output, trainerV1.PromoteResponse>,
      cb: grpc.sendUnaryData<trainerV1.PromoteResponse>,
    ) => {
      promotes.push(call.request);
      const previous = champion;
      champion = call.request.version;
      cb(null, {
        promoted: { model_name: call.request.model_name, version: call.request.version },
        previous_version: previous,
        changed: previous !== champion,
        alias: 'champion',
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  cleanup(() => new Promise((resolve) => server.tryShutdown(() => resolve())));
  return { inference: `127.0.0.1:${port}`, trainer: `127.0.0.1:${port}` };
}

beforeAll(async () => {
  const stubs = await startStubs();
  router = await startTestRouter(cleanup, {
    REDIS_URL: env.REDIS_URL,
    NATS_URL: env.NATS_URL,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    CLICKHOUSE_URL: env.CLICKHOUSE_URL,
    INFERENCE_ADDR: stubs.inference,
    TRAINER_ADDR: stubs.trainer,
    ABROUTER_KEY_PREFIX: prefix,
    ABROUTER_NATS_SUBJECT: `experiment.changed.${randomName('test')}`,
    ABROUTER_TOPIC_EVENTS: randomName('experiments-events'),
    ABROUTER_EVENTS_TABLE: `experiment_events_${suffix}`,
    ABROUTER_LABELS_TABLE: `experiment_labels_${suffix}`,
    ABROUTER_OUTCOMES_TABLE: `experiment_outcomes_${suffix}`,
    ABROUTER_LABELS_TOPIC: labelsTopic,
    ABROUTER_LABELS_GROUP: randomName('ab-router-labels'),
    ABROUTER_LABEL_MATURITY: '500ms',
    ABROUTER_EVALUATE_INTERVAL: '300ms',
    ABROUTER_EVENTS_FLUSH_INTERVAL: '50ms',
    ABROUTER_REFRESH: '1s',
    ABROUTER_AUTO_CANARY: 'true',
    ABROUTER_MODEL_SUBJECT: modelSubject,
    ABROUTER_AUTO_CANARY_RAMP: '0.1,0.3',
  });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: 'canary-test',
    registryUrl: env.SCHEMA_REGISTRY_URL,
  });
  producer = await kafka.producer({ schemas: { [labelsTopic]: avroSchema('label') } });
  cleanup(() => kafka.close());
  const redis = new Redis(env.REDIS_URL);
  cleanup(async () => {
    const keys = await redis.keys(`{${prefix}}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
}, 120_000);

type Experiment = abrouterV1.Experiment__Output;

async function create(name: string, challenger: string): Promise<Experiment> {
  return callUnary<Experiment>(router.admin, 'CreateExperiment', {
    spec: {
      name,
      model_name: `jit-${name}`,
      unit: 'commit',
      arms: [
        { name: 'control', model_version: 'champion', weight: 1 },
        { name: 'challenger', model_version: challenger, weight: 1 },
      ],
      guardrails: [{ metric: 'error_rate', direction: 'GUARDRAIL_DIRECTION_MAX', threshold: 0.05, min_units: 10 }],
      canary: { ramp: [0.2, 0.5], min_units_per_stage: 25, min_labelled: 40 },
    },
  });
}

/** Serves `n` new commits through the router and sends their labels; returns when both are done. */
async function round(e: Experiment, from: number, n: number): Promise<void> {
  const labels: CommitLabel[] = [];
  for (let i = from; i < from + n; i++) {
    const sha = createHash('sha1').update(`${e.experiment_id}/${i}`).digest('hex');
    await callUnary(router.anonymous, 'Predict', {
      request: { model_name: e.spec!.model_name, commit: { repo_id: REPO, sha } },
    });
    const known = Date.now();
    labels.push({
      event_id: `${REPO}:${sha}:szz:${known}`,
      event_time: known,
      repo_id: REPO,
      sha,
      is_bug_inducing: truth(sha) === 1,
      is_fix: false,
      method: 'szz',
      fix_shas: [],
      issue_numbers: [],
      confidence: null,
      label_known_at: known,
    });
  }
  await producer.send(
    labelsTopic,
    labels.map((l) => ({ key: l.repo_id, value: l, eventId: l.event_id, eventTime: l.event_time })),
  );
}

async function driveUntilDecided(e: Experiment): Promise<Experiment> {
  let sent = 0;
  return waitFor(
    async () => {
      const got = await callUnary<Experiment>(router.anonymous, 'GetExperiment', { experiment_id: e.experiment_id });
      if (got.state !== 'EXPERIMENT_STATE_RUNNING') return got;
      if (sent < 3000) {
        await round(e, sent, 60);
        sent += 60;
      }
      return undefined;
    },
    { timeoutMs: 90_000, intervalMs: 200, message: `experiment ${e.experiment_id} decided` },
  );
}

const decisionsOf = async (id: string) =>
  (await router.app.store.decisions(id)).map(
    (j) => JSON.parse(j) as { action: string; reason: string; stage: number; evidence: { srm?: { pValue: number } } },
  );

describe('canary experiments decide on ground truth', () => {
  it('shows the fixed-horizon sample size at creation', async () => {
    const e = await create('sizes', 'good');
    // Brier, mde 0.01, sd 0.2, alpha 0.05, power 0.8, last stage 50/50: (1.96 + 0.84)² · 0.08 / 1e-4 ≈ 6280.
    expect(Number(e.sample_size!.treatment)).toBeGreaterThan(6200);
    expect(Number(e.sample_size!.treatment)).toBeLessThan(6320);
    expect(e.current_weights).toEqual([0.8, 0.2]);
    await callUnary(router.admin, 'StopExperiment', { experiment_id: e.experiment_id });
  });

  it('ramps and promotes a better challenger through the trainer', async () => {
    const e = await create('better', 'good');
    const done = await driveUntilDecided(e);
    expect(done.state).toBe('EXPERIMENT_STATE_PROMOTED');
    expect(promotes.map((p) => p.version)).toContain('good');
    expect(promotes.find((p) => p.version === 'good')!.model_name).toBe('jit-better');
    const decisions = await decisionsOf(e.experiment_id);
    expect(decisions.map((d) => d.action)).toEqual(['ramp', 'promote']);
    expect(done.decision!.action).toBe('promote');
    const byArm = new Map(done.outcomes.map((o) => [o.arm, o]));
    const c = byArm.get('control')!;
    const t = byArm.get('challenger')!;
    expect(Number(t.labelled)).toBeGreaterThanOrEqual(40);
    expect(t.auc!.value!).toBeGreaterThan(c.auc!.value!);
    expect(t.brier!.value!).toBeLessThan(c.brier!.value!);
    expect(t.auc!.low!).toBeLessThanOrEqual(t.auc!.value!);
    const primary = done.sequential.find((s) => s.metric === 'brier')!;
    expect(primary.verdict).toBe('better');
    expect(primary.high).toBeLessThan(0);
    expect(done.srm!.mismatch).toBe(false);
    // The CLI shows the same: decision and per-arm label-joined metrics in its JSON.
    const root = new URL('../../../../', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      `${root}scripts/omen`,
      ['experiments', 'get', e.experiment_id, '--json', '--addr', `127.0.0.1:${router.running.grpcPort}`],
      { cwd: root, encoding: 'utf8' },
    );
    const json = JSON.parse(stdout) as {
      state: string;
      decision: { action: string; evidence: { primary: { verdict: string } } };
      outcomes: { arm: string; auc: number; brier: number; labelled: number }[];
    };
    expect(json.state).toBe('promoted');
    expect(json.decision.action).toBe('promote');
    expect(json.decision.evidence.primary.verdict).toBe('better');
    const cliArms = new Map(json.outcomes.map((o) => [o.arm, o]));
    expect(cliArms.get('challenger')!.auc).toBeCloseTo(t.auc!.value!, 12);
    expect(cliArms.get('control')!.brier).toBeCloseTo(c.brier!.value!, 12);
    // After promotion the router passes through: the model's production version answers.
    const after = await callUnary<abrouterV1.RoutePredictResponse__Output>(router.anonymous, 'Predict', {
      request: { model_name: 'jit-better', commit: { repo_id: REPO, sha: 'f'.repeat(40) } },
    });
    expect(after.experiment_id).toBe('');
  });

  it('rolls back a worse challenger: traffic returns to control, the challenger is rejected', async () => {
    const e = await create('worse', 'bad');
    const done = await driveUntilDecided(e);
    expect(done.state).toBe('EXPERIMENT_STATE_ROLLED_BACK');
    expect(done.stop_reason).toMatch(/challenger challenger \(bad\) rejected: primary metric brier: challenger worse/);
    expect(promotes.map((p) => p.version)).not.toContain('bad');
    const decisions = await decisionsOf(e.experiment_id);
    expect(decisions.at(-1)!.action).toBe('rollback');
    const routed = await callUnary<abrouterV1.RoutePredictResponse__Output>(router.anonymous, 'Predict', {
      request: { model_name: 'jit-worse', commit: { repo_id: REPO, sha: 'e'.repeat(40) } },
    });
    expect(routed.arm).toBe('control');
  });

  it('starts a canary when the trainer announces a new challenger, once per version', async () => {
    const nc = await connectNats({ servers: env.NATS_URL.replace(/^nats:\/\//, '') });
    cleanup(() => nc.close());
    const announce = (alias: string) => {
      nc.publish(
        modelSubject,
        JSON.stringify({
          model: 'jit-auto',
          version: 'v-auto-1',
          sha256: 'a'.repeat(64),
          alias,
          at: new Date().toISOString(),
        }),
      );
      return nc.flush();
    };
    const list = async () =>
      (
        await callUnary<abrouterV1.ListExperimentsResponse__Output>(router.anonymous, 'ListExperiments', {
          model_name: 'jit-auto',
        })
      ).experiments;
    await announce('champion'); // not a challenger: nothing starts
    await new Promise((r) => setTimeout(r, 1500));
    expect(await list()).toEqual([]);
    await announce('challenger');
    const [started] = await waitFor(async () => ((await list()).length > 0 ? list() : undefined), {
      timeoutMs: 15_000,
      message: 'a canary for jit-auto',
    });
    expect(started!.spec!.arms.map((a) => a.model_version)).toEqual(['champion', 'v-auto-1']);
    expect(started!.spec!.canary!.ramp).toEqual([0.1, 0.3]);
    expect(started!.state).toBe('EXPERIMENT_STATE_RUNNING');
    // The trainer re-announces (a repeated Promote); after the canary ended, too: no second canary.
    await callUnary(router.admin, 'StopExperiment', { experiment_id: started!.experiment_id });
    await announce('challenger');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await list()).length).toBe(1);
  });
});
