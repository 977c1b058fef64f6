// ab-router's wiring, as runService's start(): Redis (experiments, statistics), NATS (changes),
// Kafka (experiments.events.v1, optional), ClickHouse (the events table, optional), the inference client, the periodic re-read and
// stats flush, and omen.abrouter.v1.AbRouter.
import { startAuditTrail } from '@omen/audit';
import { createClickHouse } from '@omen/clickhouse';
import { avroSchema, inferenceClient, loadGrpcObject, type InferenceClient } from '@omen/contracts';
import { ConfigError } from '@omen/errors';
import { createKafka, type AvroProducer } from '@omen/kafka';
import { TrainerClient } from '@omen/model-registry';
import type { ServiceContext } from '@omen/service';
import type { CommitLabel } from '@omen/contracts';
import { offsetGapHealth, type ConsumerRunner } from '@omen/kafka';
import { EventsSink } from './adapters/events-sink.ts';
import { OutcomeStore, ensureOutcomeTables } from './adapters/outcomes-store.ts';
import { Evaluator } from './evaluator.ts';
import { connectAnnouncer, type Announcer } from './adapters/nats-announcer.ts';
import { ExperimentStore } from './adapters/redis-store.ts';
import { configProblems, type AbRouterConfig } from './config.ts';
import { Router } from './router.ts';
import { abRouterHandlers } from './server/abrouter-service.ts';

export interface AbRouterApp {
  router: Router;
  store: ExperimentStore;
  events: EventsSink | undefined;
  inference: InferenceClient;
  /** Canary evaluation; undefined without ClickHouse (ground truth lives there). */
  evaluator: Evaluator | undefined;
  labels: () => ConsumerRunner | undefined;
}

export async function startAbRouter(ctx: ServiceContext<AbRouterConfig>): Promise<AbRouterApp> {
  const { config, logger } = ctx;
  const problems = configProblems(config);
  if (problems.length > 0) throw ConfigError.fromProblems(problems);
  const m = ctx.metrics;

  const store = new ExperimentStore({
    url: config.REDIS_URL,
    prefix: config.ABROUTER_KEY_PREFIX,
    commandTimeoutMs: config.ABROUTER_REDIS_TIMEOUT,
  });
  await ctx.dependency('redis', () => store.connect());
  ctx.onShutdown(() => store.close(), 'redis');
  store.redis.on('close', () => ctx.setDependencyUp('redis', false));
  store.redis.on('ready', () => ctx.setDependencyUp('redis', true));
  ctx.watchDependency('redis', () => store.redis.ping(), { timeoutMs: config.ABROUTER_REDIS_TIMEOUT });

  const dropped = m.counter(
    'omen_abrouter_events_dropped_total',
    'Experiment events dropped because the buffer to Kafka/ClickHouse was full (or at shutdown).',
  );
  const sent = m.counter(
    'omen_abrouter_events_sent_total',
    'Experiment events written (to every configured sink: Kafka and/or ClickHouse).',
  );
  const failed = m.counter(
    'omen_abrouter_events_write_failures_total',
    'Batches of experiment events a sink refused (the batch is retried), by sink.',
    ['sink'],
  );
  let events: EventsSink | undefined;
  let producer: AvroProducer | undefined;
  let kafka: ReturnType<typeof createKafka> | undefined;
  const topic = config.ABROUTER_TOPIC_EVENTS;
  if (config.KAFKA_BROKERS && config.SCHEMA_REGISTRY_URL) {
    const k = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: 'ab-router',
      registryUrl: config.SCHEMA_REGISTRY_URL,
      logger,
      metrics: m,
    });
    kafka = k;
    // Not a required dependency: serving goes on without Kafka, events wait in the buffer.
    producer = await ctx.dependency(
      'kafka',
      () => k.producer({ schemas: { [topic]: avroSchema('experiment_event') } }),
      { required: false },
    );
  } else {
    logger.warn('KAFKA_BROKERS/SCHEMA_REGISTRY_URL not set: experiment events are not written to Kafka');
  }
  const clickhouse = config.CLICKHOUSE_URL ? createClickHouse({ url: config.CLICKHOUSE_URL }) : undefined;
  const table = config.ABROUTER_EVENTS_TABLE;
  // Like Kafka, not required for readiness once the table exists: a ClickHouse outage later only keeps events queued.
  const chTables = { events: table, labels: config.ABROUTER_LABELS_TABLE, outcomes: config.ABROUTER_OUTCOMES_TABLE };
  // One migration run under all three names (the schema's migration 4 owns them together).
  if (clickhouse)
    await ctx.dependency('clickhouse', () => ensureOutcomeTables(clickhouse, chTables), { required: false });
  if (producer || clickhouse) {
    events = new EventsSink({
      producer,
      topic,
      clickhouse: clickhouse && { client: clickhouse, table },
      maxBuffered: config.ABROUTER_EVENTS_MAX_BUFFERED,
      flushSize: config.ABROUTER_EVENTS_FLUSH_SIZE,
      flushIntervalMs: config.ABROUTER_EVENTS_FLUSH_INTERVAL,
      retryMaxMs: config.ABROUTER_EVENTS_RETRY_MAX,
      logger,
      onDropped: (n) => dropped.inc(n),
      onSent: (n) => sent.inc(n),
      onFailed: (sink) => failed.inc({ sink }),
    });
    const sink = events;
    ctx.onShutdown(async () => {
      await sink.close();
      await kafka?.close();
      await clickhouse?.close();
    }, 'experiment events');
  }
  m.gauge('omen_abrouter_events_buffered', 'Experiment events waiting for Kafka.', [], (g) =>
    g.set(events?.buffered ?? 0),
  );

  let announcer: Announcer | undefined;
  const router: Router = new Router({
    store,
    get announcer() {
      return announcer;
    },
    emit: (e) => events?.push(e),
    logger,
    assignments: m.counter('omen_abrouter_assignments_total', 'Units routed to an arm, by experiment and arm.', [
      'experiment',
      'arm',
    ]),
    breaches: m.counter(
      'omen_abrouter_guardrail_breaches_total',
      'Guardrail breaches that rolled an experiment back.',
      ['experiment', 'arm', 'metric'],
    ),
  });
  if (config.NATS_URL) {
    const natsUrl = config.NATS_URL;
    announcer = await ctx.dependency('nats', () =>
      connectAnnouncer({
        url: natsUrl,
        subject: config.ABROUTER_NATS_SUBJECT,
        logger,
        onChange: (c) => router.onChange(c),
        onStatus: (up) => ctx.setDependencyUp('nats', up),
        // drift alert → trainer run → gate → challenger → here: a canary that decides by itself.
        ...(config.ABROUTER_AUTO_CANARY
          ? {
              modelSubject: config.ABROUTER_MODEL_SUBJECT,
              onModelPromoted: (e) => {
                router
                  .canaryFor(
                    e,
                    { ramp: config.ABROUTER_AUTO_CANARY_RAMP.map(Number), mde: config.ABROUTER_AUTO_CANARY_MDE },
                    config.ABROUTER_AUTO_CANARY_UNIT as 'repo' | 'commit',
                  )
                  .then(
                    (r) =>
                      r &&
                      logger.info(
                        { experiment: r.id, model: e.model, version: e.version },
                        'canary started for the new challenger %s/%s',
                        e.model,
                        e.version,
                      ),
                  )
                  .catch((err: unknown) =>
                    logger.warn(
                      { err, model: e.model, version: e.version },
                      'canary for the new challenger not started',
                    ),
                  );
              },
            }
          : {}),
      }),
    );
    const a = announcer;
    ctx.onShutdown(() => a.close(), 'nats');
    ctx.watchDependency('nats', () => a.probe());
  } else {
    logger.warn(
      'NATS_URL not set: other replicas see experiment changes only on their %dms re-read',
      config.ABROUTER_REFRESH,
    );
  }

  await router.refresh();
  const refresher = setInterval(() => {
    router.refresh().catch((err: unknown) => logger.warn({ err }, 'experiment re-read from Redis failed'));
  }, config.ABROUTER_REFRESH);
  const flusher = setInterval(() => {
    router
      .flushStats()
      .catch((err: unknown) =>
        logger.warn({ err }, 'experiment statistics not written to Redis; kept for the next flush'),
      );
  }, config.ABROUTER_STATS_FLUSH);
  refresher.unref();
  flusher.unref();
  ctx.onShutdown(async () => {
    clearInterval(refresher);
    clearInterval(flusher);
    await router.flushStats().catch((err: unknown) => logger.warn({ err }, 'last statistics flush failed'));
  }, 'stats');

  // Ground truth: labels.commits.v1 → ClickHouse (at-least-once, idempotent table, DLQ for bad
  // records), joined there to the served predictions per arm; canaries evaluated on a timer.
  let evaluator: Evaluator | undefined;
  let labels: ConsumerRunner | undefined;
  if (clickhouse) {
    const ch = clickhouse;
    const tables = chTables;
    await ctx.dependency('clickhouse outcome tables', () => ensureOutcomeTables(ch, tables), { required: false });
    const outcomes = new OutcomeStore(ch, tables);
    if (kafka) {
      const k = kafka;
      void (async () => {
        labels = await ctx.dependency('labels consumer', () =>
          k.runConsumer<CommitLabel>({
            group: config.ABROUTER_LABELS_GROUP,
            topics: [config.ABROUTER_LABELS_TOPIC],
            maxBatchSize: 1000,
            ...offsetGapHealth((name, reason) => ctx.setBlocked(name, reason)),
            batchHandler: async (records) => outcomes.addLabels(records.map((r) => r.value)),
          }),
        );
        void labels.crashed.then((err) => {
          logger.fatal({ err }, 'labels consumer stopped for good');
          ctx.setDependencyUp('labels consumer', false, err.message);
        });
      })().catch((err: unknown) => {
        if (!ctx.signal.aborted) logger.error({ err }, 'ab-router failed to start consuming labels');
      });
    } else {
      logger.warn('no Kafka: labels are not consumed, canaries see only labels already in ClickHouse');
    }
    const trainerToken = config.TRAINER_TOKEN ?? config.ADMIN_TOKEN;
    const trainer = new TrainerClient({ address: config.TRAINER_ADDR, token: trainerToken, deadlineMs: 10_000 });
    ctx.onShutdown(() => trainer.close(), 'trainer client');
    const decisions = m.counter(
      'omen_abrouter_canary_decisions_total',
      'Canary decisions acted on, by action (ramp, promote, rollback, blocked, promote_refused).',
      ['action'],
    );
    const ev = new Evaluator({
      router,
      store,
      outcomes,
      trainer,
      logger,
      maturityMs: config.ABROUTER_LABEL_MATURITY,
      intervalMs: config.ABROUTER_EVALUATE_INTERVAL,
      onDecision: (action) => decisions.inc({ action }),
    });
    evaluator = ev;
    const evaluating = setInterval(() => {
      ev.tick().catch((err: unknown) => logger.warn({ err }, 'canary evaluation pass failed'));
    }, config.ABROUTER_EVALUATE_INTERVAL);
    evaluating.unref();
    ctx.onShutdown(async () => {
      clearInterval(evaluating);
      await labels?.stop();
    }, 'canary evaluation');
  }

  const inference = inferenceClient(config.INFERENCE_ADDR, {
    token: config.INFERENCE_TOKEN,
    deadlineMs: config.ABROUTER_INFERENCE_TIMEOUT,
  });
  ctx.onShutdown(() => inference.close(), 'inference client');

  startAuditTrail(ctx, 'ab-router');
  ctx.grpc.addService(
    loadGrpcObject('abrouter').omen.abrouter.v1.AbRouter.service,
    abRouterHandlers(router, inference, {
      defaultModel: config.ABROUTER_DEFAULT_MODEL,
      inferenceDeadlineMs: config.ABROUTER_INFERENCE_TIMEOUT,
      inferenceSeconds: m.histogram(
        'omen_abrouter_inference_duration_seconds',
        'Time the forwarded inference Predict took, by whether an experiment routed it and its outcome.',
        ['routed', 'outcome'],
      ),
    }),
  );
  logger.info({ inference: config.INFERENCE_ADDR, experiments: router.list({}).length }, 'ab-router serving');
  return { router, store, events, inference, evaluator, labels: () => labels };
}
