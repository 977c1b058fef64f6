// The trainer-coordinator in process against the real engines (ClickHouse, NATS), with its own
// registry and state directories and its own ClickHouse tables (random names, dropped after).
import { natsServers } from '@omen/config';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { loadGrpcObject, type trainerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import type { RunningService } from '@omen/service';
import { randomName, stackEnv, startAppInProcess, watchRun } from '@omen/testing';
import { startTrainer, type TrainerApp } from '../../src/app.ts';
import { TRAINER_PORTS, trainerConfigSchema } from '../../src/config.ts';
import { KAMEI_FEATURES } from '../../src/domain/index.ts';
import { seededRandom } from '@omen/service/random';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);

const table = (prefix: string): string => randomName(prefix).replace(/-/g, '_');

export interface TestTrainer {
  svc: RunningService<unknown>;
  app: TrainerApp;
  client: trainerV1.TrainerClient;
  anonymous: trainerV1.TrainerClient;
  ch: ClickHouse;
  nats: NatsConnection;
  tables: { features: string; labels: string; versions: string; aliasEvents: string };
  registryDir: string;
  /** TRAINER_IMPORT_DIR (created): where ImportModel may read artifact_path from. */
  importDir: string;
  alertSubject: string;
  driftSubject: string;
  call<Res>(method: string, request: unknown, client?: trainerV1.TrainerClient): Promise<Res>;
  watch(runId: string): Promise<trainerV1.RunEvent__Output[]>;
  close(): Promise<void>;
}

/** The featurizer's offline tables (services/featurizer/src/adapters/clickhouse-store.ts), under test names. */
async function createFeaturizerTables(ch: ClickHouse, features: string, labels: string): Promise<void> {
  await ch.command(sql`
    CREATE TABLE ${ident(features)} (
      event_id String, repo_id String, sha String, feature_set String, feature_set_version UInt16,
      event_time DateTime('UTC'), event_time_ms Int64, computed_at DateTime('UTC'), computed_at_ms Int64,
      feature_names Array(String), feature_values Array(Float64)
    ) ENGINE = ReplacingMergeTree(computed_at_ms) ORDER BY (repo_id, feature_set, feature_set_version, sha)`);
  await ch.command(sql`
    CREATE TABLE ${ident(labels)} (
      event_id String, repo_id String, sha String, method String, is_bug_inducing UInt8, is_fix UInt8,
      fix_shas Array(String), issue_numbers Array(Int32), confidence Nullable(Float64),
      label_known_at DateTime('UTC'), label_known_at_ms Int64
    ) ENGINE = ReplacingMergeTree(label_known_at_ms) ORDER BY (repo_id, sha, method, label_known_at_ms)`);
}

export async function startTestTrainer(env: Record<string, string> = {}): Promise<TestTrainer> {
  const engines = stackEnv('CLICKHOUSE_URL', 'NATS_URL');
  const root = await mkdtemp(path.join(tmpdir(), 'omen-trainer-'));
  await mkdir(path.join(root, 'import'));
  const tables = {
    features: table('features'),
    labels: table('labels'),
    versions: table('model-versions'),
    aliasEvents: table('model-alias-events'),
  };
  const ch = createClickHouse({ url: engines.CLICKHOUSE_URL });
  await createFeaturizerTables(ch, tables.features, tables.labels);
  const alertSubject = `test.${randomName('alert')}`;
  const driftSubject = `test.${randomName('drift')}`;
  // Stopped by close(), not by a vitest hook: the caller decides when the trainer goes.
  const stops: (() => Promise<void>)[] = [];
  const { app, running: svc } = await startAppInProcess((fn) => void stops.push(fn), {
    name: 'trainer-coordinator',
    configSchema: trainerConfigSchema,
    ports: TRAINER_PORTS,
    env: {
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
      ADMIN_TOKEN,
      CLICKHOUSE_URL: engines.CLICKHOUSE_URL,
      NATS_URL: engines.NATS_URL,
      TRAINER_REGISTRY_DIR: path.join(root, 'registry'),
      TRAINER_STATE_DIR: path.join(root, 'state'),
      TRAINER_IMPORT_DIR: path.join(root, 'import'),
      TRAINER_CSV_DIR: path.join(import.meta.dirname, '..', 'fixtures'),
      TRAINER_FEATURES_TABLE: tables.features,
      TRAINER_LABELS_TABLE: tables.labels,
      TRAINER_MIRROR_VERSIONS_TABLE: tables.versions,
      TRAINER_MIRROR_ALIAS_EVENTS_TABLE: tables.aliasEvents,
      TRAINER_ALERT_SUBJECT: alertSubject,
      TRAINER_DRIFT_SUBJECT: driftSubject,
      TRAINER_MIN_TRAIN_ROWS: '50',
      TRAINER_GATE_MIN_TEST_POSITIVES: '5',
      TRAINER_CODE_VERSION: 'test-code-version',
      ...env,
    },
    start: (ctx) => startTrainer(ctx),
  });
  await svc.ready;
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  const address = `127.0.0.1:${svc.grpcPort}`;
  const client = createClient(Trainer, address, { token: ADMIN_TOKEN, deadlineMs: 120_000 });
  const anonymous = createClient(Trainer, address, { deadlineMs: 30_000 });
  const nats = await connect({ servers: natsServers(engines.NATS_URL) });
  return {
    svc,
    app,
    client,
    anonymous,
    ch,
    nats,
    tables,
    registryDir: path.join(root, 'registry'),
    importDir: path.join(root, 'import'),
    alertSubject,
    driftSubject,
    call: <Res>(method: string, request: unknown, c = client) => callUnary<Res>(c, method, request),
    watch: (runId) => watchRun(client, runId),
    async close() {
      client.close();
      anonymous.close();
      await nats.drain().catch(() => undefined);
      for (const stop of stops) await stop();
      for (const t of Object.values(tables)) await ch.command(sql`DROP TABLE IF EXISTS ${ident(t)}`);
      await ch.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface Commit {
  repoId: string;
  sha: string;
  eventTimeMs: number;
  values: Record<string, number>;
  /** Bug-inducing, and when that became known (null: never). */
  bugKnownAtMs: number | null;
}

/**
 * `n` commits an hour apart from T0 with Kamei-like metrics; P(bug) rises with churn and `fix`,
 * and a bug becomes known 1–300 hours after its commit (so near the end some are not known yet).
 */
export function syntheticCommits(n: number, seed: number, repoId = 'github:acme/app'): Commit[] {
  const rand = seededRandom(seed);
  const commits: Commit[] = [];
  for (let i = 0; i < n; i++) {
    const la = Math.floor(Math.exp(rand() * 6));
    const ld = Math.floor(Math.exp(rand() * 5));
    const fix = rand() < 0.3 ? 1 : 0;
    const nf = 1 + Math.floor(rand() * 8);
    const values: Record<string, number> = {
      ns: 1 + Math.floor(rand() * 3),
      nd: 1 + Math.floor(rand() * 4),
      nf,
      entropy: rand() * Math.log2(nf + 1),
      la,
      ld,
      lt: Math.floor(rand() * 2000),
      fix,
      ndev: 1 + Math.floor(rand() * 20),
      age: rand() * 100,
      nuc: Math.floor(rand() * 50),
      exp: Math.floor(rand() * 5000),
      rexp: rand() * 500,
      sexp: Math.floor(rand() * 1000),
    };
    const logit = -3.2 + 0.55 * Math.log1p(la) + 0.35 * Math.log1p(ld) + 0.9 * fix;
    const bug = rand() < 1 / (1 + Math.exp(-logit));
    const eventTimeMs = T0 + i * HOUR;
    commits.push({
      repoId,
      sha: `s${seed}-${i.toString().padStart(5, '0')}`,
      eventTimeMs,
      values,
      bugKnownAtMs: bug ? eventTimeMs + (1 + Math.floor(rand() * 300)) * HOUR : null,
    });
  }
  return commits;
}

/** Writes commits as the featurizer would: a feature row per commit, an SZZ label per known bug, plus fix labels. */
export async function insertCommits(
  ch: ClickHouse,
  tables: { features: string; labels: string },
  commits: readonly Commit[],
): Promise<void> {
  const dt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  await ch.insert(
    tables.features,
    commits.map((c) => {
      const names = Object.keys(c.values).sort();
      return {
        event_id: `${c.repoId}:${c.sha}`,
        repo_id: c.repoId,
        sha: c.sha,
        feature_set: 'jit_change_metrics',
        feature_set_version: 1,
        event_time: dt(c.eventTimeMs),
        event_time_ms: c.eventTimeMs,
        computed_at: dt(c.eventTimeMs + HOUR),
        computed_at_ms: c.eventTimeMs + HOUR,
        feature_names: names,
        feature_values: names.map((k) => c.values[k]),
      };
    }),
  );
  const labels = commits.flatMap((c) => [
    ...(c.bugKnownAtMs === null
      ? []
      : [{ sha: c.sha, repo_id: c.repoId, method: 'szz', bug: 1, fix: 0, at: c.bugKnownAtMs }]),
    ...(c.values['fix'] === 1
      ? [{ sha: c.sha, repo_id: c.repoId, method: 'message_pattern', bug: 0, fix: 1, at: c.eventTimeMs }]
      : []),
  ]);
  await ch.insert(
    tables.labels,
    labels.map((l) => ({
      event_id: `${l.repo_id}:${l.sha}:${l.method}:${l.at}`,
      repo_id: l.repo_id,
      sha: l.sha,
      method: l.method,
      is_bug_inducing: l.bug,
      is_fix: l.fix,
      fix_shas: [],
      issue_numbers: [],
      confidence: null,
      label_known_at: dt(l.at),
      label_known_at_ms: l.at,
    })),
  );
}

export { KAMEI_FEATURES };
