// Inference's wiring, as runService's start(): what it serves (omen.inference.v1 and the Open
// Inference Protocol), what it loads (registry models), what it listens to (NATS control, the
// registry poll) and, in stream mode, what it consumes and writes.
import { startAuditTrail } from '@omen/audit';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClickHouse } from '@omen/clickhouse';
import { avroSchema, loadProtos } from '@omen/contracts';
import { createKafka, offsetGapHealth, type ConsumerRunner, type Kafka } from '@omen/kafka';
import type { ServiceContext } from '@omen/service';
import type * as grpc from '@grpc/grpc-js';
import type { Scheduler } from './domain/batcher.ts';
import { FeaturizerFallback } from './adapters/featurizer-client.ts';
import { ModelManager } from './adapters/model-manager.ts';
import { LocalModelRegistry, type ModelSource } from '@omen/model-registry';
import { subscribeControl } from './adapters/nats-control.ts';
import { TrainerModelSource } from './adapters/trainer-model-source.ts';
import { CachedModelSource } from './adapters/cached-model-source.ts';
import { PredictionSink, ensurePredictionsTable } from './adapters/predictions-sink.ts';
import { RedisStore, connectRedis } from './adapters/redis-store.ts';
import { eventLoopScheduler } from './adapters/scheduler.ts';
import { ServedLog } from './adapters/served-log.ts';
import { startStream, type StreamOptions } from './adapters/stream.ts';
import type { InferenceConfig } from './config.ts';
import { inferenceMetrics, type InferenceMetrics } from './metrics.ts';
import { Predictor } from './predictor.ts';
import { inferenceHandlers } from './server/inference-service.ts';
import { withFastResponses } from './server/fast-responses.ts';
import { kserveHandlers } from './server/kserve-service.ts';
import { startInferenceHttp } from './server/http-start.ts';

const SERVER_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface InferenceApp {
  models: ModelManager;
  predictor: Predictor;
  store: RedisStore | undefined;
  metrics: InferenceMetrics;
  /** The stream consumer, once running (stream mode). */
  stream: () => ConsumerRunner | undefined;
  /** The served-predictions log, when on (INFERENCE_LOG_SERVED and a sink configured). */
  servedLog: ServedLog | undefined;
  /** `http://host:port` of the HTTP/JSON surface once it listens (INFERENCE_HTTP_PORT). */
  http: Promise<string>;
}

export interface InferenceOverrides {
  /** Replaces the registry directory source (tests). */
  source?: ModelSource;
  /** Replaces the event-loop clock (tests). */
  scheduler?: Scheduler;
  /** Stream consumer timings (tests use short sessions on the dev broker). */
  streamConsumer?: StreamOptions['consumer'];
}

function serviceDefinition(packageDefinition: ReturnType<typeof loadProtos>, name: string): grpc.ServiceDefinition {
  const def = packageDefinition[name];
  if (!def || 'format' in def) throw new Error(`no service ${name} in the loaded protos`);
  return def;
}

interface PredictionSinks {
  kafka: Kafka | undefined;
  /** Resolves once every configured sink is connected; undefined when nothing needs a sink. */
  ready: Promise<PredictionSink> | undefined;
  current: () => PredictionSink | undefined;
}

/**
 * Kafka (predictions.v1) and ClickHouse, when stream mode or the served log needs them. Stream
 * mode cannot run without them, so there they gate readiness; the served log must never hold
 * up serving, so for it alone they connect in the background (retrying) while it buffers.
 */
function openPredictionSink(
  ctx: ServiceContext<InferenceConfig>,
  consumer: () => ConsumerRunner | undefined,
): PredictionSinks {
  const { config, logger } = ctx;
  const brokers = config.KAFKA_BROKERS;
  const registryUrl = config.SCHEMA_REGISTRY_URL;
  if (config.INFERENCE_STREAM && (!brokers || !registryUrl))
    throw new Error('INFERENCE_STREAM=true needs KAFKA_BROKERS and SCHEMA_REGISTRY_URL');
  const logServed = config.INFERENCE_LOG_SERVED && Boolean((brokers && registryUrl) || config.CLICKHOUSE_URL);
  if (!config.INFERENCE_STREAM && !logServed) return { kafka: undefined, ready: undefined, current: () => undefined };
  if (logServed) {
    // Refused here rather than deep in the buffer, naming the variables.
    if (config.INFERENCE_LOG_FLUSH_SIZE > config.INFERENCE_LOG_MAX_BUFFERED) {
      throw new Error(
        `INFERENCE_LOG_FLUSH_SIZE (${config.INFERENCE_LOG_FLUSH_SIZE}) must be <= INFERENCE_LOG_MAX_BUFFERED (${config.INFERENCE_LOG_MAX_BUFFERED})`,
      );
    }
    if (config.INFERENCE_LOG_RETRY_MIN > config.INFERENCE_LOG_RETRY_MAX) {
      throw new Error(
        `INFERENCE_LOG_RETRY_MIN (${config.INFERENCE_LOG_RETRY_MIN}ms) must be <= INFERENCE_LOG_RETRY_MAX (${config.INFERENCE_LOG_RETRY_MAX}ms)`,
      );
    }
  }
  const kafka =
    brokers && registryUrl
      ? createKafka({ brokers, clientId: 'inference', registryUrl, logger, metrics: ctx.metrics })
      : undefined;
  const clickhouse = config.CLICKHOUSE_URL ? createClickHouse({ url: config.CLICKHOUSE_URL }) : undefined;
  const table = config.INFERENCE_PREDICTIONS_TABLE;
  const required = config.INFERENCE_STREAM;
  let sink: PredictionSink | undefined;
  const ready = (async () => {
    const producer = kafka
      ? await ctx.dependency(
          'kafka',
          () => kafka.producer({ schemas: { [config.INFERENCE_TOPIC_PREDICTIONS]: avroSchema('prediction') } }),
          { required },
        )
      : undefined;
    if (clickhouse) await ctx.dependency('clickhouse', () => ensurePredictionsTable(clickhouse, table), { required });
    sink = new PredictionSink({ producer, topic: config.INFERENCE_TOPIC_PREDICTIONS, clickhouse, table });
    return sink;
  })();
  // Only shutdown ends the dependency waits; whoever awaits `ready` sees that too.
  ready.catch(() => undefined);
  ctx.onShutdown(async () => {
    await consumer()?.stop();
    await kafka?.close();
    await clickhouse?.close();
  }, 'predictions sink');
  return { kafka, ready, current: () => sink };
}

/** Wires inference into a running service; resolves once the gRPC services are added. */
export function startInference(ctx: ServiceContext<InferenceConfig>, overrides: InferenceOverrides = {}): InferenceApp {
  const { config, logger } = ctx;
  const metrics = inferenceMetrics(ctx.metrics);
  const scheduler = overrides.scheduler ?? eventLoopScheduler;
  let source = overrides.source;
  if (!source && config.INFERENCE_TRAINER_ADDR) {
    const remote = new TrainerModelSource({
      address: config.INFERENCE_TRAINER_ADDR,
      token: config.INFERENCE_TRAINER_TOKEN,
      artifactTimeoutMs: config.INFERENCE_TRAINER_TIMEOUT,
    });
    // Registered before 'models', so it closes after them (shutdown hooks run in reverse).
    ctx.onShutdown(() => remote.close(), 'trainer client');
    source = remote;
  }
  source ??= new LocalModelRegistry(config.INFERENCE_REGISTRY_DIR);
  if (config.INFERENCE_ARTIFACT_CACHE_DIR)
    source = new CachedModelSource(source, { dir: config.INFERENCE_ARTIFACT_CACHE_DIR, logger });
  const aliases = config.INFERENCE_ALIASES;
  const preferred = config.INFERENCE_PREFERRED_BATCH_SIZES.map(Number);
  const models = new ModelManager({
    source,
    session: {
      executionProviders: config.INFERENCE_EXECUTION_PROVIDERS as ('cuda' | 'cpu')[],
      cudaDeviceId: config.INFERENCE_CUDA_DEVICE_ID,
      intraOpThreads: config.INFERENCE_INTRA_OP_THREADS,
      interOpThreads: config.INFERENCE_INTER_OP_THREADS,
      workers: config.INFERENCE_SESSION_WORKERS,
      spinning: config.INFERENCE_ORT_SPINNING,
      warmupBatchSizes: [...new Set([...preferred, config.INFERENCE_MAX_BATCH_SIZE])],
    },
    batcher: {
      maxBatchSize: config.INFERENCE_MAX_BATCH_SIZE,
      maxQueueDelayUs: config.INFERENCE_MAX_QUEUE_DELAY_US,
      preferredBatchSizes: preferred,
      maxQueueRows: config.INFERENCE_MAX_QUEUE_ROWS,
    },
    scheduler,
    logger,
    metrics,
    defaultAlias: aliases[0] ?? 'champion',
  });
  ctx.onShutdown(() => models.close(), 'models');

  let store: RedisStore | undefined;
  if (config.REDIS_URL) {
    const redis = connectRedis(config.REDIS_URL, config.INFERENCE_REDIS_TIMEOUT);
    redis.on('ready', () => ctx.setDependencyUp('redis', true));
    redis.on('close', () => ctx.setDependencyUp('redis', false, 'connection closed'));
    ctx.watchDependency('redis', () => redis.ping(), { timeoutMs: Math.max(1000, config.INFERENCE_REDIS_TIMEOUT) });
    // ioredis keeps reconnecting by itself; an error event without a listener would crash.
    redis.on('error', (err: Error) => logger.debug({ err }, 'redis error'));
    redis
      .connect()
      .catch((err: unknown) =>
        logger.warn({ err }, 'redis is not reachable yet; commit requests fail with UNAVAILABLE until it is'),
      );
    store = new RedisStore(redis, {
      featurePrefix: config.INFERENCE_FEATURE_PREFIX,
      cachePrefix: config.INFERENCE_CACHE_PREFIX,
      cacheTtlSeconds: Math.floor(config.INFERENCE_CACHE_TTL / 1000),
    });
    ctx.onShutdown(() => redis.quit().catch(() => redis.disconnect()), 'redis');
  }

  let fallback: FeaturizerFallback | undefined;
  if (config.FEATURIZER_ADDR) {
    const client = new FeaturizerFallback(
      config.FEATURIZER_ADDR,
      config.INFERENCE_FEATURIZER_TIMEOUT,
      config.INFERENCE_FEATURIZER_TOKEN,
    );
    fallback = client;
    ctx.onShutdown(() => client.close(), 'featurizer client');
  }
  const predictor = new Predictor({
    models,
    store,
    fallback,
    logger,
    metrics,
    defaultModel: config.INFERENCE_DEFAULT_MODEL,
  });

  // Where predictions go: stream mode's output and the served-predictions log share one sink.
  let consumer: ConsumerRunner | undefined;
  const sinks = openPredictionSink(ctx, () => consumer);
  let servedLog: ServedLog | undefined;
  if (sinks.ready && config.INFERENCE_LOG_SERVED) {
    const log = new ServedLog({
      sink: sinks.current,
      logFeatures: config.INFERENCE_LOG_FEATURES,
      logger,
      metrics,
      maxBuffered: config.INFERENCE_LOG_MAX_BUFFERED,
      flushSize: config.INFERENCE_LOG_FLUSH_SIZE,
      flushIntervalMs: config.INFERENCE_LOG_FLUSH_INTERVAL,
      retryMinMs: config.INFERENCE_LOG_RETRY_MIN,
      retryMaxMs: config.INFERENCE_LOG_RETRY_MAX,
    });
    servedLog = log;
    predictor.onPredictions(log.recordPredictions);
    // Registered after the sink's hook, so it runs before it (hooks run in reverse): gRPC has
    // drained by then, so nothing more arrives, and the producer is still open. It gives up
    // a little inside the grace period so that what it could not write is counted, not lost silently.
    ctx.onShutdown(() => log.close(Math.floor(config.SHUTDOWN_GRACE * 0.8)), 'served predictions log');
  } else if (config.INFERENCE_LOG_SERVED) {
    logger.info(
      'served predictions are not logged: set KAFKA_BROKERS and SCHEMA_REGISTRY_URL, or CLICKHOUSE_URL (INFERENCE_LOG_SERVED=false silences this)',
    );
  }
  const auditTrail = startAuditTrail(ctx, 'inference');
  const protos = loadProtos(['inference', 'kserve']);
  ctx.grpc.addService(
    withFastResponses(serviceDefinition(protos, 'omen.inference.v1.Inference'), 'omen.inference.v1.Inference'),
    inferenceHandlers({ predictor, scheduler, metrics, maxBatchRequests: config.INFERENCE_MAX_BATCH_REQUESTS }),
  );
  ctx.grpc.addService(
    withFastResponses(serviceDefinition(protos, 'inference.GRPCInferenceService'), 'inference.GRPCInferenceService'),
    kserveHandlers({
      models,
      scheduler,
      metrics,
      defaultModel: config.INFERENCE_DEFAULT_MODEL,
      serverName: 'omen-inference',
      serverVersion: SERVER_VERSION,
      maxRequestRows: config.INFERENCE_MAX_REQUEST_ROWS,
      log: servedLog,
    }),
  );

  // Models: serving waits (NOT_SERVING) until every configured model's default alias is loaded.
  const loaded = Promise.all(
    config.INFERENCE_MODELS.map((name) => ctx.dependency(`model:${name}`, () => models.loadAliases(name, aliases))),
  );
  // Only shutdown ends these waits (a replica that never loaded is stopped); with no poll and no
  // stream nobody else awaits them, and the abort must not surface as an unhandled rejection.
  loaded.catch(() => undefined);

  if (config.NATS_URL) {
    const url = config.NATS_URL;
    void ctx
      .dependency(
        'nats',
        () =>
          subscribeControl({
            url,
            models: config.INFERENCE_MODELS,
            aliases,
            apply: (event) => models.apply(event),
            logger,
            onStatus: (up) => ctx.setDependencyUp('nats', up),
          }),
        { required: false },
      )
      .then((sub) => ctx.onShutdown(() => sub.close(), 'nats'))
      .catch(() => undefined);
  }

  if (config.INFERENCE_REGISTRY_POLL > 0) {
    // Heals a missed control message: re-read the aliases and apply any that moved.
    void (async () => {
      await loaded.catch(() => undefined);
      while (!ctx.signal.aborted) {
        await sleep(config.INFERENCE_REGISTRY_POLL, undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted) break;
        for (const name of config.INFERENCE_MODELS) {
          try {
            const known = await source.aliases(name);
            for (const alias of aliases) {
              const version = known[alias];
              if (version === undefined) continue;
              const current = models.served().find((s) => s.model === name && s.alias === alias);
              if (current?.served.version !== version)
                await models.apply({ model: name, version, alias }).catch(() => undefined);
            }
          } catch (err) {
            logger.warn({ err, model: name }, 'registry poll failed');
          }
        }
      }
    })();
  }

  if (config.INFERENCE_STREAM) {
    const kafka = sinks.kafka!;
    void (async () => {
      // Consume only once the models are in: a record scored by no model would be committed unscored.
      await loaded;
      const sink = await sinks.ready!;
      consumer = await ctx.dependency('stream', () =>
        startStream({
          kafka,
          group: config.INFERENCE_STREAM_GROUP,
          topic: config.INFERENCE_TOPIC_FEATURES,
          models,
          predictor,
          sink,
          logger,
          metrics,
          topK: config.INFERENCE_STREAM_TOP_K,
          logFeatures: config.INFERENCE_LOG_FEATURES,
          lagIntervalMs: config.INFERENCE_LAG_INTERVAL,
          offsetGapPolicy: config.INFERENCE_STREAM_OFFSET_GAP_POLICY,
          gapHealth: offsetGapHealth((name, reason) => ctx.setBlocked(name, reason)),
          ...(overrides.streamConsumer ? { consumer: overrides.streamConsumer } : {}),
        }),
      );
      void consumer.crashed.then((err) => {
        // Health turns NOT_SERVING, which the liveness probe turns into a restart.
        logger.fatal({ err }, 'stream consumer stopped for good');
        ctx.setDependencyUp('stream', false, err.message);
      });
    })().catch((err: unknown) => {
      if (!ctx.signal.aborted) logger.error({ err }, 'stream mode failed to start');
    });
  }

  // The HTTP surface writes the same audit trail as gRPC.
  const http = startInferenceHttp(ctx, {
    models,
    predictor,
    scheduler,
    metrics,
    log: servedLog,
    serverVersion: SERVER_VERSION,
    audit: auditTrail?.record,
  });
  return { models, predictor, store, metrics, stream: () => consumer, servedLog, http };
}
