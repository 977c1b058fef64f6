import { avroType } from '@omen/contracts';
import { loadConfig } from '@omen/config';
import { createLogger, createMetrics } from '@omen/telemetry';
import type { RunningService } from '@omen/service';
import { randomName, runInProcess, stackEnv } from '@omen/testing';
import { INGEST_PORTS, startIngest, startIngestService, type IngestApp } from '../../src/app.ts';
import type { Enricher } from '../../src/adapters/enricher.ts';
import { ingestConfigSchema, type IngestConfig } from '../../src/config.ts';
import type { CommitEvent, IssueEvent, PullRequestEvent } from '../../src/domain/events.ts';
import { githubSignature } from '../../src/domain/signature.ts';

export const GITHUB_SECRET = 'test-github-secret';
export const GITLAB_TOKEN = 'test-gitlab-token';
export const PSEUDONYM_KEY = 'test-pseudonym-key-0123456789';

export interface TestIngest {
  app: IngestApp;
  config: IngestConfig;
  topics: { commits: string; pullRequests: string; issues: string };
  /** POSTs a signed GitHub delivery. */
  github(
    event: string,
    payload: unknown,
    options?: { delivery?: string; secret?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  gitlab(event: string, payload: unknown, options?: { uuid?: string; token?: string }): Promise<Response>;
}

/**
 * Ingest on the dev stack with random topics, ports picked by the OS, a silent logger and its
 * own metrics registry. `env` overrides configuration variables (e.g. KAFKA_BROKERS).
 */
export async function startTestIngest(
  cleanup: (fn: () => Promise<void>) => void,
  options: { env?: Record<string, string>; enricher?: Enricher; adminToken?: string } = {},
): Promise<TestIngest> {
  const topics = testTopics();
  const config = loadConfig(ingestConfigSchema, { ...testEnv(topics), ...options.env });
  const logger = createLogger({ service: 'ingest-test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const metrics = createMetrics({ service: 'ingest', defaultMetrics: false });
  const app = await startIngest(config, {
    logger,
    metrics,
    host: '127.0.0.1',
    ...(options.enricher ? { enricher: options.enricher } : {}),
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
  });
  cleanup(() => app.close());
  return { app, config, topics, ...senders(app) };
}

/**
 * Ingest as main.ts runs it — runService with health, dependency probes and the metrics server —
 * in the test's process, with the same test configuration as startTestIngest.
 */
export async function startServiceIngest(
  cleanup: (fn: () => Promise<void>) => void,
  env: Record<string, string> = {},
): Promise<TestIngest & { running: RunningService<IngestConfig> }> {
  const topics = testTopics();
  let app: IngestApp | undefined;
  const running = await runInProcess(cleanup, {
    name: 'ingest',
    configSchema: ingestConfigSchema,
    ports: INGEST_PORTS,
    env: { ...testEnv(topics), HTTP_HOST: '127.0.0.1', ...env },
    async start(ctx) {
      app = await startIngestService(ctx);
    },
  });
  return { app: app!, config: running.config, running, topics, ...senders(app!) };
}

function testTopics(): TestIngest['topics'] {
  return { commits: randomName('commits'), pullRequests: randomName('prs'), issues: randomName('issues') };
}

function testEnv(topics: TestIngest['topics']): Record<string, string> {
  return {
    ...stackEnv('KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'REDIS_URL'),
    HTTP_PORT: '0',
    INGEST_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
    INGEST_GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
    INGEST_PSEUDONYM_KEY: PSEUDONYM_KEY,
    INGEST_TOPIC_COMMITS: topics.commits,
    INGEST_TOPIC_PULL_REQUESTS: topics.pullRequests,
    INGEST_TOPIC_ISSUES: topics.issues,
    INGEST_PUBLISH_TIMEOUT: '5s',
    // A fresh dedup window per ingest: fixed shas in tests stay new across runs.
    INGEST_DEDUP_NAMESPACE: `${randomName('test')}:`,
    INGEST_DEDUP_WINDOW: '10m',
    // Every test request comes from one address: only the rate-limit test turns the limit on.
    INGEST_RATE_LIMIT: '0',
  };
}

function senders(app: IngestApp): Pick<TestIngest, 'github' | 'gitlab'> {
  return {
    github: (event, payload, o = {}) => {
      const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
      return fetch(`${app.httpUrl}/webhooks/github`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': o.delivery ?? crypto.randomUUID(),
          'x-hub-signature-256': githubSignature(o.secret ?? GITHUB_SECRET, body),
          ...o.headers,
        },
        body,
      });
    },
    gitlab: (event, payload, o = {}) =>
      fetch(`${app.httpUrl}/webhooks/gitlab`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': event,
          'x-gitlab-event-uuid': o.uuid ?? crypto.randomUUID(),
          'x-gitlab-token': o.token ?? GITLAB_TOKEN,
        },
        body: JSON.stringify(payload),
      }),
  };
}

/** Decodes a Confluent-framed Avro value (magic byte, 4-byte schema id, body). */
export function decodeCommit(value: Buffer | null): CommitEvent {
  return avroType('commit').fromBuffer(value!.subarray(5)) as CommitEvent;
}
export function decodePullRequest(value: Buffer | null): PullRequestEvent {
  return avroType('pull_request').fromBuffer(value!.subarray(5)) as PullRequestEvent;
}
export function decodeIssue(value: Buffer | null): IssueEvent {
  return avroType('issue').fromBuffer(value!.subarray(5)) as IssueEvent;
}
