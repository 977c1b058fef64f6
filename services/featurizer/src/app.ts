// The featurizer, assembled: consumes scm.commits.v1 and scm.issues.v1; computes change
// metrics, code metrics and labels; writes ClickHouse, Redis and Kafka; serves
// omen.featurizer.v1 over gRPC. main.ts runs this; integration tests start it in-process.

import { Redis } from 'ioredis';
import { createClickHouse } from '@omen/clickhouse';
import { avroSchema, loadGrpcObject } from '@omen/contracts';
import type { Commit, Issue } from '@omen/contracts';
import { createGrpcServer } from '@omen/grpc';
import type { GrpcServer } from '@omen/grpc';
import { createKafka } from '@omen/kafka';
import type { ConsumerRunner } from '@omen/kafka';
import { createMetrics, startMetricsServer } from '@omen/telemetry';
import type { Logger, MetricsServer } from '@omen/telemetry';
import { ensureSchema, readOfflineFeatures, writeOffline } from './adapters/clickhouse-store.ts';
import { kafkaPublisher } from './adapters/kafka-sink.ts';
import { RedisHistoryStore } from './adapters/redis-history-store.ts';
import { RedisOnlineStore } from './adapters/redis-online-store.ts';
import { loadLanguages } from './adapters/tree-sitter.ts';
import type { FeaturizerConfig } from './config.ts';
import { createCodeAnalyzer } from './domain/code/analyzer.ts';
import { FeaturizerPipeline, isOutage } from './pipeline.ts';
import { featurizerHandlers } from './server/grpc.ts';

export interface Featurizer {
  grpcPort: number;
  metricsUrl: string;
  consumer: ConsumerRunner;
  stop(): Promise<void>;
}

async function untilUp(logger: Logger, what: string, fn: () => Promise<void>): Promise<void> {
  for (let delay = 200; ; delay = Math.min(5000, delay * 2)) {
    try {
      await fn();
      return;
    } catch (err) {
      if (!isOutage(err)) throw err;
      logger.warn({ err, what, retryInMs: delay }, 'dependency unavailable at start; waiting');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function startFeaturizer(config: FeaturizerConfig, logger: Logger): Promise<Featurizer> {
  const metrics = createMetrics({ service: 'featurizer' });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
  // Without a listener ioredis prints every reconnect failure; the pipeline reports outages.
  redis.on('error', (err: Error) => logger.debug({ err }, 'redis connection error'));
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  await untilUp(logger, 'clickhouse', () => ensureSchema(ch));

  const history = new RedisHistoryStore(redis, { prefix: config.FEATURIZER_STATE_PREFIX });
  const online = new RedisOnlineStore(redis, { prefix: config.FEATURIZER_ONLINE_PREFIX, ttlSeconds: Math.round(config.FEATURIZER_ONLINE_TTL / 1000) });
  const analyzer = config.FEATURIZER_CODE_METRICS ? createCodeAnalyzer(await loadLanguages()) : undefined;

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'featurizer', registryUrl: config.SCHEMA_REGISTRY_URL, logger, metrics });
  const producer = await kafka.producer({
    schemas: { [config.FEATURIZER_TOPIC_FEATURES]: avroSchema('commit_features'), [config.FEATURIZER_TOPIC_LABELS]: avroSchema('label') },
  });
  const pipeline = new FeaturizerPipeline({
    history,
    ...(analyzer ? { analyzer } : {}),
    logger,
    metrics,
    sinks: {
      offline: (rows) => writeOffline(ch, rows),
      online: (rows) => online.write(rows),
      publish: kafkaPublisher(producer, { features: config.FEATURIZER_TOPIC_FEATURES, labels: config.FEATURIZER_TOPIC_LABELS }),
    },
  });

  const grpc: GrpcServer = createGrpcServer({ service: 'featurizer', logger, registry: metrics.registry });
  const proto = loadGrpcObject('featurizer');
  grpc.addService(
    proto.omen.featurizer.v1.Featurizer.service,
    featurizerHandlers({
      online: (repo, sha, set) => online.read(repo, sha, set),
      offline: (repo, sha, set) => readOfflineFeatures(ch, repo, sha, set),
    }),
  );
  const grpcPort = await grpc.start(config.GRPC_HOST, config.GRPC_PORT);
  let ready = false;
  const metricsServer: MetricsServer = await startMetricsServer({ registry: metrics.registry, port: config.METRICS_PORT, ready: () => ready });

  const commitsTopic = config.FEATURIZER_TOPIC_COMMITS;
  const consumer = await kafka.runConsumer<Commit | Issue>({
    group: config.FEATURIZER_GROUP,
    topics: [commitsTopic, config.FEATURIZER_TOPIC_ISSUES],
    maxBatchSize: config.FEATURIZER_BATCH_SIZE,
    partitionsConsumedConcurrently: config.FEATURIZER_PARTITIONS_CONCURRENTLY,
    // A batch holds one partition of one topic.
    batchHandler: async (records, ctx) => {
      if (records[0]?.topic === commitsTopic) await pipeline.handleCommits(records.map((r) => r.value as Commit), ctx.signal);
      else await pipeline.handleIssues(records.map((r) => r.value as Issue), ctx.signal);
    },
  });
  ready = true;
  logger.info({ grpcPort, metrics: metricsServer.url, group: config.FEATURIZER_GROUP }, 'featurizer started');

  return {
    grpcPort,
    metricsUrl: metricsServer.url,
    consumer,
    async stop() {
      ready = false;
      await consumer.stop();
      await grpc.shutdown(5000);
      await kafka.close();
      await metricsServer.close();
      await ch.close();
      redis.disconnect();
    },
  };
}
