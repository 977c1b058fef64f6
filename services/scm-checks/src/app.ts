// scm-checks' wiring: consumes scm.pullrequests.v1 (which commits are in open requests) and
// predictions.v1 (what the model says about a commit) in one at-least-once consumer group with
// a DLQ, and publishes where both meet: GitHub check runs, GitLab commit statuses and notes.
import { createKafka, type ConsumerRunner, type RecordConsumerOptions } from '@omen/kafka';
import type { Prediction, PullRequest } from '@omen/contracts';
import { createRedisClient, type ServiceContext } from '@omen/service';
import { ChecksState } from './adapters/state.ts';
import { GithubChecks } from './adapters/github.ts';
import { GitlabStatuses } from './adapters/gitlab.ts';
import { inferenceQuality } from './adapters/inference.ts';
import type { ScmChecksConfig } from './config.ts';
import { Decorator } from './decorator.ts';

export interface ScmChecksApp {
  decorator: Decorator;
  consumer: () => ConsumerRunner | undefined;
}

export interface ScmChecksOverrides {
  consumer?: Partial<
    Pick<
      RecordConsumerOptions<unknown>,
      'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitTimeMs' | 'retries' | 'lagIntervalMs'
    >
  >;
}

export function startScmChecks(ctx: ServiceContext<ScmChecksConfig>, overrides: ScmChecksOverrides = {}): ScmChecksApp {
  const { config, logger } = ctx;
  const published = ctx.metrics.counter(
    'omen_scm_checks_published_total',
    'Results sent to an SCM, by target and outcome (published, updated, unchanged: same model version already there, skipped: no credentials)',
    ['target', 'outcome'],
  );

  const redis = createRedisClient(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', (err: Error) => logger.debug({ err }, 'redis error'));
  ctx.onShutdown(() => redis.quit().catch(() => redis.disconnect()), 'redis');
  const state = new ChecksState(redis, { prefix: config.SCM_CHECKS_PREFIX });

  const github =
    config.GITHUB_APP_ID && config.GITHUB_APP_PRIVATE_KEY
      ? new GithubChecks({
          appId: config.GITHUB_APP_ID,
          privateKey: config.GITHUB_APP_PRIVATE_KEY.reveal(),
          baseUrl: config.GITHUB_API_URL,
          logger,
        })
      : undefined;
  const gitlab = config.GITLAB_TOKEN
    ? new GitlabStatuses({ host: config.GITLAB_URL, token: config.GITLAB_TOKEN.reveal(), logger })
    : undefined;
  if (!github) logger.warn('GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY not set: no GitHub check runs');
  if (!gitlab) logger.warn('GITLAB_TOKEN not set: no GitLab commit statuses');

  const quality = config.INFERENCE_ADDR
    ? inferenceQuality(config.INFERENCE_ADDR, {
        token: config.INFERENCE_TOKEN ?? config.ADMIN_TOKEN,
        deadlineMs: config.SCM_CHECKS_INFERENCE_TIMEOUT,
      })
    : undefined;
  if (quality) ctx.onShutdown(() => quality.close(), 'inference client');
  else logger.warn('INFERENCE_ADDR not set: checks show no security risks or refactoring suggestions');

  const decorator = new Decorator({
    state,
    github,
    gitlab,
    quality,
    threshold: config.SCM_CHECKS_THRESHOLD,
    gitlabNotes: config.SCM_CHECKS_GITLAB_NOTES,
    logger,
    onPublished: (target, outcome) => published.inc({ target, outcome }),
  });

  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'scm-checks',
    registryUrl: config.SCHEMA_REGISTRY_URL,
    logger,
    metrics: ctx.metrics,
  });
  let consumer: ConsumerRunner | undefined;
  ctx.onShutdown(async () => {
    await consumer?.stop();
    await kafka.close();
  }, 'kafka');
  void (async () => {
    await ctx.dependency('redis', () => redis.connect());
    ctx.watchDependency('redis', () => redis.ping());
    consumer = await ctx.dependency('consumer', () =>
      kafka.runConsumer<unknown>({
        ...overrides.consumer,
        group: config.SCM_CHECKS_GROUP,
        topics: [config.SCM_CHECKS_TOPIC_PULL_REQUESTS, config.SCM_CHECKS_TOPIC_PREDICTIONS],
        // Predictions stand alone; a lost pull-request event heals with the request's next one.
        offsetGapPolicy: 'skip',
        // Committed only after the SCM answered and the record was kept; a failure retries,
        // and one that stays failed (a bad record, a repository the app cannot write) goes to
        // <topic>.dlq.scm-checks with the error.
        handler: async (record) => {
          if (record.topic === config.SCM_CHECKS_TOPIC_PULL_REQUESTS)
            await decorator.onPullRequest(record.value as PullRequest);
          else await decorator.onPrediction(record.value as Prediction);
        },
      }),
    );
    void consumer.crashed.then((err) => {
      logger.fatal({ err }, 'scm-checks consumer stopped for good');
      ctx.setDependencyUp('consumer', false, err.message);
    });
  })().catch((err: unknown) => {
    if (!ctx.signal.aborted) logger.error({ err }, 'scm-checks failed to start consuming');
  });
  return { decorator, consumer: () => consumer };
}
