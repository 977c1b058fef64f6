// The featurizer, assembled on the service kit: consumes scm.commits.v1 and scm.issues.v1;
// computes change metrics, code metrics and labels; writes ClickHouse, Redis and Kafka; serves
// omen.featurizer.v1 over gRPC. main.ts runs it as a process; tests run it in-process.

import { createClickHouse } from '@omen/clickhouse';
import { avroSchema, loadGrpcObject } from '@omen/contracts';
import type { Commit, Issue } from '@omen/contracts';
import { ConfigError } from '@omen/config';
import type { Env } from '@omen/config';
import { createKafka, offsetGapHealth, withRecordTraces } from '@omen/kafka';
import type { ConsumerRunner } from '@omen/kafka';
import { createRedisClient, runService, withinMs } from '@omen/service';
import type { RunningService, ServiceContext } from '@omen/service';
import { ensureSchema, readOfflineFeatures, writeOffline } from './adapters/clickhouse-store.ts';
import { commitTraceKey, kafkaPublisher } from './adapters/kafka-sink.ts';
import { RedisHistoryStore } from './adapters/redis-history-store.ts';
import { RedisOnlineStore } from './adapters/redis-online-store.ts';
import { loadLanguages } from './adapters/tree-sitter.ts';
import { FEATURIZER_PORTS, configProblems, featurizerConfigSchema } from './config.ts';
import type { FeaturizerConfig } from './config.ts';
import { CodeWorkerPool } from './adapters/code-workers.ts';
import { createCodeAnalyzer } from './domain/code/analyzer.ts';
import type { CodeAnalyzer } from './domain/code/types.ts';
import { FeaturizerPipeline, countPruned } from './pipeline.ts';
import { featurizerHandlers } from './server/grpc.ts';

export interface FeaturizerHandle {
  consumer: ConsumerRunner;
  pipeline: FeaturizerPipeline;
}

export async function startFeaturizer(ctx: ServiceContext<FeaturizerConfig>): Promise<FeaturizerHandle> {
  const { config, logger, metrics } = ctx;
  const problems = configProblems(config);
  if (problems.length > 0) throw ConfigError.fromProblems(problems);

  const connectRedis = async (enableAutoPipelining: boolean) => {
    const client = createRedisClient(config.REDIS_URL, {
      maxRetriesPerRequest: 2,
      lazyConnect: true,
      enableAutoPipelining,
    });
    // Without a listener ioredis prints every reconnect failure; the pipeline reports outages.
    client.on('error', (err: Error) => logger.debug({ err }, 'redis connection error'));
    try {
      await client.connect();
      return client;
    } catch (err) {
      client.disconnect();
      throw err;
    }
  };
  const redis = await ctx.dependency('redis', () => connectRedis(false));
  ctx.onShutdown(() => redis.quit(), 'redis');
  // GetFeatures reads on a connection of their own: never queued behind the stream pipeline's
  // large history pipelines, and auto-pipelined, so the reads of concurrent calls go out in one
  // socket write (a write per call was the largest single cost of GetFeatures under load).
  const lookupRedis = await ctx.dependency('redis-lookups', () => connectRedis(true));
  ctx.onShutdown(() => lookupRedis.quit(), 'redis-lookups');
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  ctx.onShutdown(() => ch.close(), 'clickhouse');
  await ctx.dependency('clickhouse', () => ensureSchema(ch));

  const history = new RedisHistoryStore(redis, {
    prefix: config.FEATURIZER_STATE_PREFIX,
    retention: {
      commitOutputs: config.FEATURIZER_COMMIT_STATE_RETENTION,
      pendingMs: config.FEATURIZER_PENDING_LINK_TTL,
    },
    onPrune: countPruned(metrics),
  });
  const online = new RedisOnlineStore(redis, {
    prefix: config.FEATURIZER_ONLINE_PREFIX,
    ttlSeconds: Math.round(config.FEATURIZER_ONLINE_TTL / 1000),
  });
  const onlineLookups = new RedisOnlineStore(lookupRedis, { prefix: config.FEATURIZER_ONLINE_PREFIX });
  const parses = metrics.counter(
    'omen_featurizer_code_parses_total',
    'tree-sitter parses by mode: full (from scratch) or incremental (from the previous version of the file)',
    ['mode'],
  );
  let analyzer: CodeAnalyzer | undefined;
  if (config.FEATURIZER_CODE_METRICS && config.FEATURIZER_CODE_WORKERS > 0) {
    const pool = await CodeWorkerPool.start({
      workers: config.FEATURIZER_CODE_WORKERS,
      treeCacheChars: config.FEATURIZER_CODE_TREE_CACHE_CHARS,
      onParse: (mode, count) => parses.inc({ mode }, count),
    });
    ctx.onShutdown(() => pool.close(), 'code workers');
    analyzer = pool.analyze;
  } else if (config.FEATURIZER_CODE_METRICS) {
    analyzer = createCodeAnalyzer(await loadLanguages(), {
      treeCacheChars: config.FEATURIZER_CODE_TREE_CACHE_CHARS,
      onParse: (mode) => parses.inc({ mode }),
    });
  }

  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'featurizer',
    registryUrl: config.SCHEMA_REGISTRY_URL,
    logger,
    metrics,
  });
  ctx.onShutdown(() => kafka.close(), 'kafka');
  const producer = await ctx.dependency('kafka', () =>
    kafka.producer({
      schemas: {
        [config.FEATURIZER_TOPIC_FEATURES]: avroSchema('commit_features'),
        [config.FEATURIZER_TOPIC_LABELS]: avroSchema('label'),
      },
    }),
  );
  const pipeline = new FeaturizerPipeline({
    history,
    ...(analyzer ? { analyzer } : {}),
    blameWindow: config.FEATURIZER_BLAME_WINDOW,
    logger,
    metrics,
    onDependency: (name, up, reason) => ctx.setDependencyUp(name, up, reason),
    sinks: {
      offline: (rows) => writeOffline(ch, rows),
      online: (rows) => online.write(rows),
      publish: kafkaPublisher(producer, {
        features: config.FEATURIZER_TOPIC_FEATURES,
        labels: config.FEATURIZER_TOPIC_LABELS,
      }),
    },
  });

  const proto = loadGrpcObject('featurizer');
  // The server listens before the consumer runs; the gap RPCs answer UNAVAILABLE until then.
  const commitsConsumer: { current?: ConsumerRunner } = {};
  ctx.grpc.addService(
    proto.omen.featurizer.v1.Featurizer.service,
    // Lookups bounded here rather than by a command timeout on the Redis client: the stream
    // pipeline shares it, and its large history pipelines must not fail on a lookup-sized timeout.
    featurizerHandlers(
      {
        online: (repo, sha, set) =>
          withinMs(onlineLookups.read(repo, sha, set), config.FEATURIZER_LOOKUP_TIMEOUT, 'the online store (Redis)'),
        offline: (repo, sha, set) =>
          withinMs(
            readOfflineFeatures(ch, repo, sha, set),
            config.FEATURIZER_LOOKUP_TIMEOUT,
            'the offline store (ClickHouse)',
          ),
      },
      { control: () => commitsConsumer.current, logger },
    ),
  );

  const commitsTopic = config.FEATURIZER_TOPIC_COMMITS;
  const consumer = await ctx.dependency('kafka-consumer', () =>
    kafka.runConsumer<Commit | Issue>({
      group: config.FEATURIZER_GROUP,
      topics: [commitsTopic, config.FEATURIZER_TOPIC_ISSUES],
      maxBatchSize: config.FEATURIZER_BATCH_SIZE,
      partitionsConsumedConcurrently: config.FEATURIZER_PARTITIONS_CONCURRENTLY,
      offsetGapPolicy: config.FEATURIZER_OFFSET_GAP_POLICY,
      ...offsetGapHealth((name, reason) => ctx.setBlocked(name, reason)),
      // A batch holds one partition of one topic.
      batchHandler: async (records, handlerCtx) => {
        if (records[0]?.topic === commitsTopic) {
          // Each commit's features and labels go on in the commit's own trace (kafka-sink).
          const commits = records.map((r) => r.value as Commit);
          await withRecordTraces(
            records,
            (r) => commitTraceKey(r.value as Commit),
            () => pipeline.handleCommits(commits, handlerCtx.signal),
          );
        } else
          await pipeline.handleIssues(
            records.map((r) => r.value as Issue),
            handlerCtx.signal,
          );
      },
    }),
  );
  commitsConsumer.current = consumer;
  // Registered last, so it runs first: stop taking records before the sinks close.
  ctx.onShutdown(() => consumer.stop(), 'consumer');
  return { consumer, pipeline };
}

export interface RunFeaturizerOptions {
  /** @default process.env */
  env?: Env;
  /** Exit on signals, bad config and crashes. Off for in-process tests. @default true */
  ownProcess?: boolean;
}

/** Runs the featurizer service; resolves once its ports listen (see `ready` for the consumer). */
export async function runFeaturizer(
  options: RunFeaturizerOptions = {},
): Promise<RunningService<FeaturizerConfig> & { handle: Promise<FeaturizerHandle> }> {
  let resolveHandle!: (h: FeaturizerHandle) => void;
  const handle = new Promise<FeaturizerHandle>((resolve) => (resolveHandle = resolve));
  const running = await runService({
    name: 'featurizer',
    configSchema: featurizerConfigSchema,
    ports: FEATURIZER_PORTS,
    // GetFeatures is a repository id, a sha and a feature set name.
    maxReceiveMessageBytes: 64 * 1024,
    ...(options.env ? { env: options.env } : {}),
    ...(options.ownProcess === undefined ? {} : { ownProcess: options.ownProcess }),
    async start(ctx) {
      resolveHandle(await startFeaturizer(ctx));
    },
  });
  return Object.assign(running, { handle });
}
