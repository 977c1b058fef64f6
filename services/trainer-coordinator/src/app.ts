// The trainer-coordinator's wiring, as runService's start(): what it connects to (ClickHouse for
// training sets and the registry mirror, NATS for the control plane), what it keeps (the model
// registry, runs), what it serves (omen.trainer.v1.Trainer) and what starts runs on its own
// (schedule, new labels, drift alerts).
import { startAuditTrail } from '@omen/audit';
import { createClickHouse, type ClickHouse } from '@omen/clickhouse';
import { loadGrpcObject, repoRoot } from '@omen/contracts';
import { ConfigError } from '@omen/errors';
import {
  ClickHouseRegistryMirror,
  LocalModelRegistry,
  S3ArtifactStore,
  type ArtifactStore,
} from '@omen/model-registry';
import type { ServiceContext } from '@omen/service';
import { connectControlPlane, type ControlPlane } from './adapters/nats-control.ts';
import { gitCodeVersion } from './adapters/code-version.ts';
import { RunStore } from './adapters/run-store.ts';
import { configProblems, type TrainerConfig } from './config.ts';
import { ModelOps } from './models.ts';
import { RunManager } from './runs.ts';
import { trainerHandlers } from './server/trainer-service.ts';
import { startTriggers, type Triggers } from './triggers.ts';

export interface TrainerApp {
  registry: LocalModelRegistry;
  runs: RunManager;
  models: ModelOps;
  triggers: Triggers;
  clickhouse: ClickHouse | undefined;
  control: ControlPlane | undefined;
}

function artifactStore(config: TrainerConfig): ArtifactStore | undefined {
  if (config.TRAINER_ARTIFACT_STORE !== 's3') return undefined;
  return new S3ArtifactStore({
    endpoint: config.TRAINER_S3_ENDPOINT!,
    bucket: config.TRAINER_S3_BUCKET!,
    region: config.TRAINER_S3_REGION,
    prefix: config.TRAINER_S3_PREFIX,
    accessKeyId: config.TRAINER_S3_ACCESS_KEY_ID!,
    secretAccessKey: config.TRAINER_S3_SECRET_ACCESS_KEY!.reveal(),
    pathStyle: config.TRAINER_S3_PATH_STYLE,
  });
}

export async function startTrainer(ctx: ServiceContext<TrainerConfig>): Promise<TrainerApp> {
  const { config, logger } = ctx;
  const problems = configProblems(config);
  if (problems.length > 0) throw ConfigError.fromProblems(problems);

  const artifacts = artifactStore(config);
  const registry = new LocalModelRegistry(config.TRAINER_REGISTRY_DIR, {
    ...(artifacts ? { artifacts } : {}),
    onListenerError: (err, what) =>
      logger.warn(
        { err, what },
        'registry mirror: %s not written to ClickHouse (the registry has it; the next start re-syncs)',
        what,
      ),
  });

  let control: ControlPlane | undefined;
  if (config.NATS_URL) {
    const url = config.NATS_URL;
    control = await ctx.dependency('nats', () =>
      connectControlPlane({
        url,
        alertSubject: config.TRAINER_ALERT_SUBJECT,
        logger,
        onStatus: (up) => ctx.setDependencyUp('nats', up),
      }),
    );
    const c = control;
    ctx.onShutdown(() => c.close(), 'nats');
    ctx.watchDependency('nats', () => c.probe());
  } else {
    logger.warn(
      'NATS_URL not set: promotions and rollbacks are not announced, gate alerts not published, drift alerts not heard',
    );
  }

  let clickhouse: ClickHouse | undefined;
  if (config.CLICKHOUSE_URL) {
    const ch = createClickHouse({ url: config.CLICKHOUSE_URL, requestTimeoutMs: 300_000 });
    clickhouse = ch;
    ctx.onShutdown(() => ch.close(), 'clickhouse');
    // The mirror writes inside Promote/Rollback/Import (a registry listener): a client of its own
    // with a short timeout, so a stalled ClickHouse costs those calls seconds, not the training
    // client's five minutes. A write it misses is logged and re-synced at the next start.
    const mirrorClient = createClickHouse({ url: config.CLICKHOUSE_URL, requestTimeoutMs: 3000 });
    ctx.onShutdown(() => mirrorClient.close(), 'clickhouse mirror');
    ctx.watchDependency(
      'clickhouse',
      async () => {
        if (!(await mirrorClient.ping())) throw new Error('ClickHouse does not answer ping');
      },
      { timeoutMs: 3000 },
    );
    const mirror = new ClickHouseRegistryMirror(mirrorClient, {
      versions: config.TRAINER_MIRROR_VERSIONS_TABLE,
      aliasEvents: config.TRAINER_MIRROR_ALIAS_EVENTS_TABLE,
    });
    await ctx.dependency('clickhouse', async () => {
      if (!(await ch.ping())) throw new Error(`ClickHouse at ${config.CLICKHOUSE_URL} does not answer ping`);
      await mirror.ensureSchema(ch);
    });
    registry.addListener(mirror);
    mirror.sync(registry).then(
      (n) => logger.info(n, 'registry mirrored to ClickHouse: %d versions, %d alias events', n.versions, n.aliasEvents),
      (err: unknown) => logger.warn({ err }, 'registry mirror re-sync failed'),
    );
  } else {
    logger.warn('CLICKHOUSE_URL not set: only csv:<path> row sources can train, and the registry is not mirrored');
  }

  const codeVersion = config.TRAINER_CODE_VERSION ?? (await gitCodeVersion(repoRoot));
  const m = ctx.metrics;
  const models = new ModelOps({
    registry,
    control,
    logger,
    importDir: config.TRAINER_IMPORT_DIR,
    aliasChanges: m.counter(
      'omen_trainer_alias_changes_total',
      'Promote/Rollback calls by alias and whether they changed the alias.',
      ['action', 'alias', 'changed'],
    ),
  });
  const runs = await RunManager.open({
    registry,
    models,
    store: new RunStore(config.TRAINER_STATE_DIR),
    clickhouse,
    tables: { features: config.TRAINER_FEATURES_TABLE, labels: config.TRAINER_LABELS_TABLE },
    control,
    logger,
    codeVersion,
    csvDir: config.TRAINER_CSV_DIR,
    options: {
      testFraction: config.TRAINER_TEST_FRACTION,
      gapSeconds: Math.round(config.TRAINER_GAP / 1000),
      minTrainRows: config.TRAINER_MIN_TRAIN_ROWS,
      maxConcurrent: config.TRAINER_MAX_CONCURRENT_RUNS,
      workerMaxOldGenMb: config.TRAINER_WORKER_MAX_OLD_GEN_MB,
      gate: {
        metric: config.TRAINER_GATE_METRIC,
        margin: config.TRAINER_GATE_MARGIN,
        minTestPositives: config.TRAINER_GATE_MIN_TEST_POSITIVES,
      },
      cooldownMs: config.TRAINER_COOLDOWN,
      autoPromote: config.TRAINER_AUTO_PROMOTE,
    },
    metrics: {
      runs: m.counter('omen_trainer_runs_total', 'Runs started and finished, by final state and trigger.', [
        'state',
        'trigger',
      ]),
      duration: m.histogram(
        'omen_trainer_run_duration_seconds',
        'Wall time of a run from start to its final state.',
        ['state'],
        [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      ),
    },
  });
  ctx.onShutdown(() => runs.close(), 'runs');

  const triggers = startTriggers({
    runs,
    registry,
    clickhouse,
    labelsTable: config.TRAINER_LABELS_TABLE,
    control,
    logger,
    options: {
      defaultModel: config.TRAINER_DEFAULT_MODEL,
      defaultFeatureSet: config.TRAINER_DEFAULT_FEATURE_SET,
      defaultAlgorithm: config.TRAINER_DEFAULT_ALGORITHM,
      ...(config.TRAINER_SCHEDULE ? { schedule: config.TRAINER_SCHEDULE } : {}),
      newLabels: config.TRAINER_TRIGGER_NEW_LABELS,
      labelPollMs: config.TRAINER_LABEL_POLL,
      drift: config.TRAINER_TRIGGER_DRIFT,
      driftSubject: config.TRAINER_DRIFT_SUBJECT,
    },
    fired: m.counter(
      'omen_trainer_triggers_total',
      'Automatic triggers by kind and outcome (started, refused by cooldown, failed).',
      ['trigger', 'outcome'],
    ),
  });
  ctx.onShutdown(() => triggers.stop(), 'triggers');

  startAuditTrail(ctx, 'trainer-coordinator');
  ctx.grpc.addService(
    loadGrpcObject('trainer').omen.trainer.v1.Trainer.service,
    trainerHandlers(
      runs,
      models,
      {
        model: config.TRAINER_DEFAULT_MODEL,
        featureSet: config.TRAINER_DEFAULT_FEATURE_SET,
        algorithm: config.TRAINER_DEFAULT_ALGORITHM,
      },
      {
        chunkBytes: config.TRAINER_ARTIFACT_CHUNK_BYTES,
        artifactBytesSent: m.counter(
          'omen_trainer_artifact_bytes_sent_total',
          'Artifact bytes GetArtifact streamed to readers (inference replicas), by model.',
          ['model'],
        ),
      },
    ),
  );
  logger.info(
    { registry: registry.root, artifacts: registry.artifacts.uri('0'.repeat(64)).replace(/0{64}$/, ''), codeVersion },
    'trainer-coordinator serving',
  );
  return { registry, runs, models, triggers, clickhouse, control };
}
