// The six services as their own processes (main.ts, as deployed) on the dev stack, each with
// its own topics, consumer groups, tables and key prefixes, so the fuzzer can ask after every
// case whether a process is still alive — a crash in a test's own process would take the
// test down with it and prove nothing.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { loadGrpcObject, repoRoot } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import {
  createTestIssuer,
  randomName,
  stackEnv,
  startServiceProcess,
  waitFor,
  type ServiceProcess,
} from '@omen/testing';
import { credentialHeaders, type CredentialHeaders } from './credentials.ts';

export const MESH_SERVICES = [
  'ingest',
  'featurizer',
  'trainer-coordinator',
  'inference',
  'drift-detector',
  'ab-router',
] as const;
export type MeshServiceName = (typeof MESH_SERVICES)[number];

/** One service process of the mesh (its address, logs, `alive()`, `stop()`). */
export interface MeshService extends ServiceProcess {
  readonly name: MeshServiceName;
}

export interface Mesh {
  /** Replaced in place by `restart`. */
  readonly services: ReadonlyMap<MeshServiceName, MeshService>;
  readonly adminToken: string;
  /** Every credential kind's `authorization` value: the admin token, JWTs of each role from a test issuer the services trust, bad ones. */
  readonly credentials: CredentialHeaders;
  /** Whether the services run with GRPC_REQUIRE_AUTH (every method needs a credential). */
  readonly requireAuth: boolean;
  /** Ingest's webhook HTTP base URL. */
  readonly webhookUrl: string;
  /** The webhook secrets ingest was given. */
  readonly githubSecret: string;
  readonly gitlabToken: string;
  /** The model the trainer trained and promoted, served by inference. */
  readonly model: string;
  /**
   * Text no answer may contain: the storage key prefixes (Redis) the services were given and
   * the directories they keep state in (a file path in a message tells an attacker the layout).
   */
  readonly secrets: readonly string[];
  /**
   * Stops the six processes and starts them again on the same topics, tables, registry and
   * trained champion, with GRPC_REQUIRE_AUTH as asked: cheaper than a second mesh, which would
   * train again.
   */
  restart(options: { requireAuth: boolean }): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startProcess(name: MeshServiceName, env: Record<string, string>): Promise<MeshService> {
  return { ...(await startServiceProcess(name, env, { keepLogLines: 200 })), name };
}

/** The trainer's own test slice of the ISSTA'21 Qt change metrics (a data file, not code). */
const QT_CSV = path.join(repoRoot, 'services', 'trainer-coordinator', 'test', 'fixtures', 'qt-first-4000.csv.gz');

async function trainChampion(address: string, token: string, model: string): Promise<void> {
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  const admin = createClient(Trainer, address, { token, deadlineMs: 60_000 });
  try {
    const run = await callUnary<{ run_id: string }>(admin, 'StartRun', {
      model_name: model,
      row_source: `csv:${QT_CSV}`,
      algorithm: 'logistic',
      auto_promote: true,
    });
    const done = await waitFor(
      async () => {
        const r = await callUnary<{ state: string; error: string }>(admin, 'GetRun', { run_id: run.run_id });
        return ['RUN_STATE_SUCCEEDED', 'RUN_STATE_FAILED', 'RUN_STATE_CANCELLED', 'RUN_STATE_REJECTED'].includes(
          r.state,
        )
          ? r
          : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500, message: 'the seed training run' },
    );
    if (done.state !== 'RUN_STATE_SUCCEEDED')
      throw new Error(`the seed training run ended ${done.state}: ${done.error}`);
  } finally {
    admin.close();
  }
}

/**
 * Starts the mesh on the dev stack (`./scripts/omen stack up`): ingest, featurizer and the
 * trainer first, a logistic champion trained from a CSV and promoted, then inference and the
 * drift detector on that registry, then the ab-router in front of inference. Every process
 * gets an admin token; `stop` ends them and drops what they created.
 */
export async function startMesh(options: { requireAuth?: boolean } = {}): Promise<Mesh> {
  const engines = stackEnv();
  const adminToken = `fuzz-${randomName('token')}`;
  const model = randomName('fuzz-model');
  const database = randomName('fuzz').replace(/-/g, '_');
  // Tables of the services without a database setting: random names in the default database.
  const table = (name: string) => randomName(`fuzz-${name}`).replace(/-/g, '_');
  const tables = {
    versions: table('versions'),
    aliases: table('aliases'),
    features: table('features'),
    labels: table('labels'),
    drift: table('drift'),
    events: table('events'),
    predictions: table('predictions'),
  };
  const prefixes = {
    online: randomName('fuzz-features'),
    state: randomName('fuzz-fzstate'),
    cache: randomName('fuzz-predictions'),
    abrouter: randomName('fuzz-abrouter'),
    dedup: randomName('fuzz-dedup'),
  };
  const githubSecret = randomName('gh-secret');
  const gitlabToken = randomName('gl-token');
  const httpPort = await freePort();
  const issuer = createTestIssuer('https://idp.fuzz.omen.test', 'omen-fuzz');
  const credentials = await credentialHeaders(adminToken, issuer);
  let requireAuth = options.requireAuth ?? false;
  // Calls between services carry the admin token, as the Kubernetes manifests have them, so the
  // mesh also works with GRPC_REQUIRE_AUTH.
  const common = () => ({
    ADMIN_TOKEN: adminToken,
    AUTH_JWT_ISSUER: issuer.issuer,
    AUTH_JWT_AUDIENCE: issuer.audience,
    AUTH_JWT_PUBLIC_KEY: issuer.publicKeyPem,
    GRPC_REQUIRE_AUTH: String(requireAuth),
    KAFKA_BROKERS: engines.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: engines.SCHEMA_REGISTRY_URL,
    NATS_URL: engines.NATS_URL,
  });
  const topics = {
    commits: randomName('fuzz-commits'),
    prs: randomName('fuzz-prs'),
    issues: randomName('fuzz-issues'),
    features: randomName('fuzz-features'),
    labels: randomName('fuzz-labels'),
    predictions: randomName('fuzz-predictions'),
    reports: randomName('fuzz-drift'),
    events: randomName('fuzz-events'),
  };
  const driftSubject = `fuzz.${randomName('drift')}`;
  // Only now what stop() must clean up: a failure above leaves nothing behind.
  const root = await mkdtemp(path.join(tmpdir(), 'omen-fuzz-'));
  const registryDir = path.join(root, 'registry');
  const ch = createClickHouse({ url: engines.CLICKHOUSE_URL });
  const services = new Map<MeshServiceName, MeshService>();
  const stopAll = async () => {
    await Promise.all([...services.values()].map((s) => s.stop()));
    await ch.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
    for (const t of Object.values(tables))
      await ch.command(sql`DROP TABLE IF EXISTS ${ident(t)}`).catch(() => undefined);
    await ch.close();
    await rm(root, { recursive: true, force: true });
  };
  let trained = false;
  // The six processes, in dependency order; the champion is trained on the first launch only.
  const launch = async () => {
    const [ingest, featurizer, trainer] = await Promise.all([
      startProcess('ingest', {
        ...common(),
        REDIS_URL: engines.REDIS_URL,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        INGEST_PSEUDONYM_KEY: randomName('pseudonym-key'),
        INGEST_GITHUB_WEBHOOK_SECRET: githubSecret,
        INGEST_GITLAB_WEBHOOK_TOKEN: gitlabToken,
        INGEST_DEDUP_NAMESPACE: prefixes.dedup,
        INGEST_TOPIC_COMMITS: topics.commits,
        INGEST_TOPIC_PULL_REQUESTS: topics.prs,
        INGEST_TOPIC_ISSUES: topics.issues,
      }),
      startProcess('featurizer', {
        ...common(),
        CLICKHOUSE_URL: engines.CLICKHOUSE_URL,
        CLICKHOUSE_DATABASE: database,
        REDIS_URL: engines.REDIS_URL,
        FEATURIZER_GROUP: randomName('fuzz-featurizer'),
        FEATURIZER_TOPIC_COMMITS: topics.commits,
        FEATURIZER_TOPIC_ISSUES: topics.issues,
        FEATURIZER_TOPIC_FEATURES: topics.features,
        FEATURIZER_TOPIC_LABELS: topics.labels,
        FEATURIZER_STATE_PREFIX: prefixes.state,
        FEATURIZER_ONLINE_PREFIX: prefixes.online,
      }),
      startProcess('trainer-coordinator', {
        ...common(),
        CLICKHOUSE_URL: engines.CLICKHOUSE_URL,
        TRAINER_FEATURES_TABLE: tables.features,
        TRAINER_LABELS_TABLE: tables.labels,
        TRAINER_MIRROR_VERSIONS_TABLE: tables.versions,
        TRAINER_MIRROR_ALIAS_EVENTS_TABLE: tables.aliases,
        TRAINER_REGISTRY_DIR: registryDir,
        TRAINER_STATE_DIR: path.join(root, 'trainer'),
        TRAINER_CSV_DIR: path.dirname(QT_CSV),
        TRAINER_DEFAULT_MODEL: model,
        TRAINER_ALERT_SUBJECT: `fuzz.${randomName('alert')}`,
        TRAINER_DRIFT_SUBJECT: driftSubject,
        TRAINER_MIN_TRAIN_ROWS: '50',
        TRAINER_GATE_MIN_TEST_POSITIVES: '5',
        TRAINER_MAX_CONCURRENT_RUNS: '1',
      }),
    ]);
    services.set('ingest', ingest).set('featurizer', featurizer).set('trainer-coordinator', trainer);
    if (!trained) await trainChampion(trainer.address, adminToken, model);
    trained = true;
    const [inference, drift] = await Promise.all([
      startProcess('inference', {
        ...common(),
        REDIS_URL: engines.REDIS_URL,
        INFERENCE_REGISTRY_DIR: registryDir,
        INFERENCE_MODELS: model,
        INFERENCE_DEFAULT_MODEL: model,
        INFERENCE_FEATURE_PREFIX: prefixes.online,
        INFERENCE_CACHE_PREFIX: prefixes.cache,
        FEATURIZER_ADDR: featurizer.address,
        INFERENCE_FEATURIZER_TOKEN: adminToken,
        INFERENCE_TOPIC_PREDICTIONS: topics.predictions,
        INFERENCE_PREDICTIONS_TABLE: tables.predictions,
        INFERENCE_LOG_SERVED: 'false',
        INFERENCE_REGISTRY_POLL: '0',
      }),
      startProcess('drift-detector', {
        ...common(),
        CLICKHOUSE_URL: engines.CLICKHOUSE_URL,
        DRIFT_TABLE: tables.drift,
        DRIFT_REGISTRY_DIR: registryDir,
        DRIFT_MODELS: model,
        DRIFT_REGISTRY_POLL: '0',
        DRIFT_GROUP: randomName('fuzz-drift'),
        DRIFT_TOPIC_FEATURES: topics.features,
        DRIFT_TOPIC_PREDICTIONS: topics.predictions,
        DRIFT_TOPIC_LABELS: topics.labels,
        DRIFT_TOPIC_REPORTS: topics.reports,
        DRIFT_ALERT_SUBJECT: driftSubject,
        DRIFT_TRAINER_TOKEN: adminToken,
      }),
    ]);
    services.set('inference', inference).set('drift-detector', drift);
    const abRouter = await startProcess('ab-router', {
      ...common(),
      REDIS_URL: engines.REDIS_URL,
      CLICKHOUSE_URL: engines.CLICKHOUSE_URL,
      ABROUTER_EVENTS_TABLE: tables.events,
      ABROUTER_KEY_PREFIX: prefixes.abrouter,
      INFERENCE_ADDR: inference.address,
      INFERENCE_TOKEN: adminToken,
      ABROUTER_DEFAULT_MODEL: model,
      ABROUTER_NATS_SUBJECT: `fuzz.${randomName('experiment')}`,
      ABROUTER_TOPIC_EVENTS: topics.events,
    });
    services.set('ab-router', abRouter);
  };
  try {
    await ch.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
    await launch();
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    services,
    adminToken,
    webhookUrl: `http://127.0.0.1:${httpPort}`,
    githubSecret,
    gitlabToken,
    model,
    credentials,
    get requireAuth() {
      return requireAuth;
    },
    secrets: [...Object.values(prefixes), root, repoRoot],
    async restart(o) {
      await Promise.all([...services.values()].map((svc) => svc.stop()));
      services.clear();
      requireAuth = o.requireAuth;
      await launch();
    },
    stop: stopAll,
  };
}

/** A plain grpc-js client for `address` (raw bytes in, raw bytes out). */
export function rawClient(address: string): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
}
