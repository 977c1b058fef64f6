import { avroSchema, loadGrpcObject } from '@omen/contracts';
import { createGrpcServer, type GrpcServer } from '@omen/grpc';
import { createKafka, type Kafka } from '@omen/kafka';
import type { ServiceContext } from '@omen/service';
import type { Logger, Metrics } from '@omen/telemetry';
import { RedisDedup, type DedupStore } from './adapters/dedup.ts';
import { ScmEnricher, type Enricher } from './adapters/enricher.ts';
import { GithubCommitSource } from './adapters/github-api.ts';
import { GitlabCommitSource } from './adapters/gitlab-api.ts';
import { BatchingPublisher, type IngestTopics } from './adapters/publisher.ts';
import { PushCompleter } from './adapters/push-completer.ts';
import { parseMirrors, secretList, type IngestConfig } from './config.ts';
import { parseRepoId, repoId } from './domain/ids.ts';
import { WebhookSecrets } from './domain/secrets.ts';
import { ingestMetrics, type IngestMetrics } from './metrics.ts';
import { IngestPipeline } from './pipeline.ts';
import { ingestHandlers } from './server/grpc.ts';
import { createWebhookServer, type WebhookServer } from './server/http.ts';

export interface IngestApp {
  /** `http://host:port` of the webhook server. */
  httpUrl: string;
  grpcPort: number;
  grpc: GrpcServer;
  http: WebhookServer;
  pipeline: IngestPipeline;
  metrics: IngestMetrics;
  /** Stops taking requests, lets in-flight ones finish, then closes Kafka and Redis. */
  close(): Promise<void>;
}

export interface IngestAppDeps {
  logger: Logger;
  metrics: Metrics;
  /** A gRPC server to add Ingest to (runService's); without it ingest starts its own on `grpcPort`. */
  grpc?: GrpcServer;
  /** Port of the own gRPC server. @default 0 (any) */
  grpcPort?: number;
  /** The own gRPC server's admin token (runService's server takes ADMIN_TOKEN itself): republishing needs the admin role. */
  adminToken?: string | { reveal(): string } | undefined;
  /** Replaces the enricher built from the config (tests). */
  enricher?: Enricher;
  /** HTTP (and own gRPC) bind host. @default config.HTTP_HOST */
  host?: string;
  /** Connects a dependency (runService's, with retries and health); @default call it once */
  dependency?: <T>(name: string, connect: () => Promise<T>) => Promise<T>;
  /** Probes a connected dependency for health (runService's watchDependency); @default no probing */
  watch?: (name: string, probe: () => Promise<unknown>, options: { timeoutMs: number }) => void;
}

/** Builds and starts ingest from its configuration: the list of what it consumes and serves. */
export async function startIngest(config: IngestConfig, deps: IngestAppDeps): Promise<IngestApp> {
  const { logger } = deps;
  const dependency = deps.dependency ?? (<T>(_name: string, connect: () => Promise<T>) => connect());
  const metrics = ingestMetrics(deps.metrics);
  const host = deps.host ?? config.HTTP_HOST;
  const topics: IngestTopics = {
    commit: config.INGEST_TOPIC_COMMITS,
    pull_request: config.INGEST_TOPIC_PULL_REQUESTS,
    issue: config.INGEST_TOPIC_ISSUES,
  };

  const kafka: Kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'ingest',
    registryUrl: config.SCHEMA_REGISTRY_URL,
    // kafkajs keeps its default retries (fewer would weaken the idempotent producer's
    // sequence guarantees); INGEST_PUBLISH_TIMEOUT bounds how long a webhook waits on them.
    logger,
    metrics: deps.metrics,
  });
  let dedup: DedupStore | undefined;
  try {
    const producer = await dependency('kafka', () =>
      kafka.producer({
        schemas: {
          [topics.commit]: avroSchema('commit'),
          [topics.pull_request]: avroSchema('pull_request'),
          [topics.issue]: avroSchema('issue'),
        },
        ackTimeoutMs: config.INGEST_PUBLISH_TIMEOUT,
      }),
    );
    const publisher = new BatchingPublisher(producer, topics, { maxBatchBytes: config.INGEST_MAX_EVENT_BYTES });
    dedup = await dependency('redis', () =>
      RedisDedup.connect({
        url: config.REDIS_URL,
        windowMs: config.INGEST_DEDUP_WINDOW,
        commandTimeoutMs: config.INGEST_REDIS_TIMEOUT,
        ...(config.INGEST_DEDUP_NAMESPACE ? { namespace: config.INGEST_DEDUP_NAMESPACE } : {}),
      }),
    );
    const watched = dedup;
    deps.watch?.('redis', () => watched.ping(), { timeoutMs: config.INGEST_REDIS_TIMEOUT });
    const pseudonymKey = config.INGEST_PSEUDONYM_KEY.reveal();
    // One client per SCM for enrichment and push completion, so both see one rate-limit window.
    const sources = scmSourcesFrom(config);
    const pipeline = new IngestPipeline({
      dedup,
      publisher,
      metrics,
      logger,
      pseudonymKey,
      enricher: deps.enricher ?? enricherFrom(config, sources),
      enrichConcurrency: config.INGEST_ENRICH_CONCURRENCY,
      maxHunkBytes: config.INGEST_MAX_HUNK_BYTES,
      maxEventBytes: config.INGEST_MAX_EVENT_BYTES,
      publishTimeoutMs: config.INGEST_PUBLISH_TIMEOUT,
    });

    const secrets = new WebhookSecrets({
      github: secretList(config.INGEST_GITHUB_WEBHOOK_SECRET),
      gitlab: secretList(config.INGEST_GITLAB_WEBHOOK_TOKEN),
      perRepo: config.INGEST_REPO_SECRETS,
    });
    for (const provider of ['github', 'gitlab'] as const) {
      if (!secrets.configured(provider))
        logger.warn({ provider }, 'no webhook secret configured: every delivery will be refused with 401');
    }
    const http = createWebhookServer({
      pipeline,
      secrets,
      normalize: { pseudonymKey, bugLabels: new Set(config.INGEST_BUG_LABELS.map((l) => l.toLowerCase())) },
      metrics,
      logger,
      maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
      rateLimit: { max: config.INGEST_RATE_LIMIT, windowMs: config.INGEST_RATE_LIMIT_WINDOW },
      completer: new PushCompleter({
        ...(config.INGEST_PUSH_COMPLETION_MAX > 0 ? sources : {}),
        pseudonymKey,
        maxCommits: config.INGEST_PUSH_COMPLETION_MAX,
      }),
    });
    const httpUrl = await http.listen({ host, port: config.HTTP_PORT });

    const ownGrpc = deps.grpc === undefined;
    const grpc =
      deps.grpc ??
      createGrpcServer({
        service: 'ingest',
        logger,
        registry: deps.metrics.registry,
        ...(deps.adminToken ? { adminToken: deps.adminToken } : {}),
      });
    grpc.addService(
      loadGrpcObject('ingest').omen.ingest.v1.Ingest.service,
      ingestHandlers({ pipeline, pseudonymKey, commitTopic: topics.commit }),
    );
    const grpcPort = ownGrpc ? await grpc.start(host, deps.grpcPort ?? 0) : (grpc.port ?? 0);
    if (ownGrpc) grpc.health.setAll('SERVING');
    logger.info({ http: httpUrl, grpcPort, topics }, 'ingest serving');

    const openDedup = dedup;
    return {
      httpUrl: httpUrl.replace('0.0.0.0', '127.0.0.1'),
      grpcPort,
      grpc,
      http,
      pipeline,
      metrics,
      async close() {
        await Promise.all([http.close(), ownGrpc ? grpc.shutdown(5000) : Promise.resolve()]);
        await publisher.close();
        await Promise.all([openDedup.close(), kafka.close()]);
      },
    };
  } catch (err) {
    await dedup?.close();
    await kafka.close().catch(() => undefined);
    throw err;
  }
}

/** Ingest's default ports (gRPC, metrics). */
export const INGEST_PORTS = { grpcPort: 50051, metricsPort: 9464 } as const;

/**
 * runService's start() for ingest (main.ts, and tests that run the real service in process):
 * dependencies with retries and health probes, gRPC on the service kit's server, and the
 * webhooks and Kafka closed on shutdown.
 */
export async function startIngestService(
  ctx: ServiceContext<IngestConfig & { HTTP_HOST: string }>,
): Promise<IngestApp> {
  const app = await startIngest(ctx.config, {
    logger: ctx.logger,
    metrics: ctx.metrics,
    grpc: ctx.grpc,
    host: ctx.config.HTTP_HOST,
    dependency: (name, connect) => ctx.dependency(name, connect),
    watch: (name, probe, options) => ctx.watchDependency(name, probe, options),
  });
  ctx.onShutdown(() => app.close(), 'webhooks, kafka, redis');
  return app;
}

/** The SCM API clients the configuration has tokens for. */
export function scmSourcesFrom(config: IngestConfig): { github?: GithubCommitSource; gitlab?: GitlabCommitSource } {
  return {
    ...(config.INGEST_GITHUB_TOKEN
      ? {
          github: new GithubCommitSource({
            baseUrl: config.INGEST_GITHUB_API_URL,
            token: config.INGEST_GITHUB_TOKEN.reveal(),
          }),
        }
      : {}),
    ...(config.INGEST_GITLAB_TOKEN
      ? {
          gitlab: new GitlabCommitSource({
            baseUrl: config.INGEST_GITLAB_API_URL,
            token: config.INGEST_GITLAB_TOKEN.reveal(),
          }),
        }
      : {}),
  };
}

/** The enricher the configuration asks for, or undefined when it names no source. */
export function enricherFrom(config: IngestConfig, sources = scmSourcesFrom(config)): Enricher | undefined {
  const { github, gitlab } = sources;
  const mirrors = parseMirrors(config.INGEST_GIT_MIRRORS, (id) => {
    const parsed = parseRepoId(id);
    return parsed ? repoId(parsed.provider, parsed.path) : id;
  });
  if (!github && !gitlab && mirrors.size === 0) return undefined;
  return new ScmEnricher({ ...(github ? { github } : {}), ...(gitlab ? { gitlab } : {}), mirrors });
}
