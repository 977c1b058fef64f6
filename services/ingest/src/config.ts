import { z } from 'zod';
import { redisUrl, durationMs, int, list, port, secret, str, url, type ConfigOf, type EnvSchema } from '@omen/config';
import { defaultBugLabels } from './domain/normalize.ts';
import { parseRepoSecrets } from './domain/secrets.ts';

const repoSecrets: EnvSchema<Map<string, string[]>> = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return new Map<string, string[]>();
    try {
      return parseRepoSecrets(raw);
    } catch (err) {
      const expected = `a JSON object {"github:owner/name": "secret" | ["old","new"], "gitlab:group/project": ...} (${(err as Error).message})`;
      ctx.issues.push({ code: 'custom', message: expected, input: raw, params: { expected } });
      return z.NEVER;
    }
  });

/**
 * What ingest reads from its environment besides the variables every service reads
 * (@omen/service: GRPC_PORT default 50051, METRICS_PORT, LOG_LEVEL, ...). Secrets are `Secret`s
 * (never logged); lists are comma-separated.
 */
export const ingestConfigSchema = {
  /** Webhook HTTP port. @default 8080 */
  HTTP_PORT: port({ default: 8080 }),
  /** @default 0.0.0.0 */
  HTTP_HOST: str({ default: '0.0.0.0' }),
  KAFKA_BROKERS: list({ item: { describe: 'host:port', test: (s) => /^[^\s:]+:\d{1,5}$/.test(s) } }),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }),
  REDIS_URL: redisUrl(),

  /** Global GitHub webhook secrets, comma-separated while rotating. */
  INGEST_GITHUB_WEBHOOK_SECRET: secret().optional(),
  /** Global GitLab webhook tokens, comma-separated while rotating. */
  INGEST_GITLAB_WEBHOOK_TOKEN: secret().optional(),
  /** Per-repository secrets (JSON); a repository listed here accepts only its own. */
  INGEST_REPO_SECRETS: repoSecrets,
  /** Key of the pseudonymous person ids. Changing it changes every author id. */
  INGEST_PSEUDONYM_KEY: secret({ minLength: 16 }),
  /** Labels that mark an issue as a bug report, compared case-insensitively. */
  INGEST_BUG_LABELS: list({ default: [...defaultBugLabels] }),
  /** Largest webhook body; larger gets 413. @default 25 MiB */
  INGEST_MAX_BODY_BYTES: int({ min: 1024, max: 512 * 1024 * 1024, default: 25 * 1024 * 1024 }),
  /** How long published ids are remembered for dedup. @default 168h (7 days) */
  INGEST_DEDUP_WINDOW: durationMs({ minMs: 60_000, default: 7 * 24 * 3600 * 1000 }),
  /** Prefix of every dedup key in Redis, for deployments sharing one Redis. @default none */
  INGEST_DEDUP_NAMESPACE: str({
    pattern: /^[A-Za-z0-9:_.-]{1,64}$/,
    describe: '1-64 letters, digits, ":", "_", "." or "-"',
  }).optional(),
  /**
   * Longest wait for Kafka's acknowledgement before answering 503; under GitHub's 10 s webhook
   * timeout, so GitHub sees the 503 rather than a timeout. @default 5s
   */
  INGEST_PUBLISH_TIMEOUT: durationMs({ minMs: 100, maxMs: 600_000, default: 5_000 }),
  /**
   * Longest wait for one Redis (dedup window) command before answering 503 / UNAVAILABLE: a
   * stalled Redis must not hold a webhook past the SCM's timeout. @default 1s
   */
  INGEST_REDIS_TIMEOUT: durationMs({ minMs: 10, maxMs: 60_000, default: 1_000 }),
  /**
   * Webhook requests one source (provider + client address) may send per
   * INGEST_RATE_LIMIT_WINDOW; more are answered 429 with Retry-After. 0 turns the limit off.
   * Behind a load balancer every request has its address: raise the limit or limit there.
   * @default 600
   */
  INGEST_RATE_LIMIT: int({ min: 0, max: 10_000_000, default: 600 }),
  /** @default 10s */
  INGEST_RATE_LIMIT_WINDOW: durationMs({ minMs: 1000, maxMs: 3_600_000, default: 10_000 }),
  /** Largest hunk text kept per commit; beyond it the largest files lose their hunks. @default 512 KiB */
  INGEST_MAX_HUNK_BYTES: int({ min: 0, max: 64 * 1024 * 1024, default: 512 * 1024 }),
  /**
   * Largest commit event published (Avro bytes, bounded from above), and largest total per Kafka
   * send: under the brokers' `message.max.bytes` (1 MiB by default), which refuses a larger record
   * batch whole. A bigger commit loses the hunks of its largest files; one over it without any
   * hunks is refused with the reason. Raise it with the topic's `max.message.bytes`. @default 900 KiB
   */
  INGEST_MAX_EVENT_BYTES: int({ min: 64 * 1024, max: 64 * 1024 * 1024, default: 900 * 1024 }),

  /** GitHub token for commit enrichment; without it GitHub push commits carry no line counts. */
  INGEST_GITHUB_TOKEN: secret().optional(),
  /** @default https://api.github.com (GHES: https://HOST/api/v3) */
  INGEST_GITHUB_API_URL: url({ protocols: ['http', 'https'], default: 'https://api.github.com' }),
  /** GitLab token (read_api) for commit enrichment. */
  INGEST_GITLAB_TOKEN: secret().optional(),
  /** @default https://gitlab.com/api/v4 */
  INGEST_GITLAB_API_URL: url({ protocols: ['http', 'https'], default: 'https://gitlab.com/api/v4' }),
  /** Local mirrors that serve enrichment instead of the API: `github:owner/name=/path/to/mirror,...`. */
  INGEST_GIT_MIRRORS: list({
    default: [],
    minItems: 0,
    item: { describe: 'repo-id=/path entry', test: (s) => /^(github|gitlab|git|other):[^=\s]+=\S.*$/.test(s) },
  }),
  /**
   * Largest truncated push completed from the SCM API inside the webhook; a larger one publishes
   * what the hook listed and counts the rest in omen_ingest_push_commits_missing_total, for a
   * backfill. 0 turns completion off. @default 3000
   */
  INGEST_PUSH_COMPLETION_MAX: int({ min: 0, max: 100_000, default: 3000 }),
  /** Commits of one push enriched at once. @default 4 */
  INGEST_ENRICH_CONCURRENCY: int({ min: 1, max: 64, default: 4 }),

  /** @default scm.commits.v1 */
  INGEST_TOPIC_COMMITS: str({ default: 'scm.commits.v1' }),
  /** @default scm.pullrequests.v1 */
  INGEST_TOPIC_PULL_REQUESTS: str({ default: 'scm.pullrequests.v1' }),
  /** @default scm.issues.v1 */
  INGEST_TOPIC_ISSUES: str({ default: 'scm.issues.v1' }),
};

export type IngestConfig = ConfigOf<typeof ingestConfigSchema>;

/** Splits a comma-separated secret value into its secrets (rotation). */
export function secretList(value: { reveal(): string } | undefined): string[] {
  return value
    ? value
        .reveal()
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    : [];
}

/** `repo-id=path` entries into a map keyed by normalised repository id. */
export function parseMirrors(entries: readonly string[], normalise: (id: string) => string): Map<string, string> {
  return new Map(
    entries.map((e) => {
      const at = e.indexOf('=');
      return [normalise(e.slice(0, at)), e.slice(at + 1)];
    }),
  );
}
