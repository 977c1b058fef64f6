// The steps of `./scripts/omen audit` and of the featurizer's part of `./scripts/omen featurizer
// rebuild` (run through ./cli.ts): read the stages of one repository, clear its state, wait for
// the featurizer to catch up. Reads the same environment as the service.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClickHouse, ident, joinSql, sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { mutationTarget, renderTarget } from '@omen/clickhouse-schema';
import type { Commit } from '@omen/contracts';
import { loadConfig, str } from '@omen/config';
import { avroSchema } from '@omen/contracts';
import { createKafka } from '@omen/kafka';
import type { Kafka } from '@omen/kafka';
import { createRedisClient } from '@omen/service';
import { RedisHistoryStore } from '../adapters/redis-history-store.ts';
import { tables, writeOffline } from '../adapters/clickhouse-store.ts';
import { kafkaPublisher } from '../adapters/kafka-sink.ts';
import { featurizerConfigSchema } from '../config.ts';
import { audit, formatAudit } from '../domain/audit.ts';
import type { AuditReport, GroupGap, StageInput } from '../domain/audit.ts';
import { staleSzzLabels } from './stale-labels.ts';

/** A mistake of the caller's: printed with the usage, exit code 2. */
export class Usage extends Error {}

/** What the recovery steps read from the environment: the featurizer's own variables. */
export const recoveryConfigSchema = {
  KAFKA_BROKERS: featurizerConfigSchema.KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL: featurizerConfigSchema.SCHEMA_REGISTRY_URL,
  CLICKHOUSE_URL: featurizerConfigSchema.CLICKHOUSE_URL,
  CLICKHOUSE_DATABASE: featurizerConfigSchema.CLICKHOUSE_DATABASE,
  REDIS_URL: featurizerConfigSchema.REDIS_URL,
  FEATURIZER_GROUP: featurizerConfigSchema.FEATURIZER_GROUP,
  FEATURIZER_TOPIC_COMMITS: featurizerConfigSchema.FEATURIZER_TOPIC_COMMITS,
  FEATURIZER_TOPIC_ISSUES: featurizerConfigSchema.FEATURIZER_TOPIC_ISSUES,
  FEATURIZER_TOPIC_FEATURES: featurizerConfigSchema.FEATURIZER_TOPIC_FEATURES,
  FEATURIZER_TOPIC_LABELS: featurizerConfigSchema.FEATURIZER_TOPIC_LABELS,
  FEATURIZER_STATE_PREFIX: featurizerConfigSchema.FEATURIZER_STATE_PREFIX,
  /** Inference's predictions table (its INFERENCE_PREDICTIONS_TABLE). @default predictions */
  INFERENCE_PREDICTIONS_TABLE: str({
    default: 'predictions',
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    describe: 'a plain table name',
  }),
};
export type RecoveryConfig = ReturnType<typeof loadConfig<typeof recoveryConfigSchema>>;

/** The source history's shas in the order `backfill --git` walks them (git.ts: --reverse --date-order). */
export function gitOrder(path: string, rev: string): string[] {
  const r = spawnSync('git', ['-C', path, 'rev-list', '--reverse', '--date-order', rev, '--'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Usage(`git rev-list in ${path} failed: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * The repository's commits on the commits topic: read from the log start by a throwaway group
 * until that group has no lag (or the timeout), plus each partition's log start, since records
 * below it were removed by retention and say nothing about a loss.
 */
async function topicCommits(
  kafka: Kafka,
  topic: string,
  repo: string,
  timeoutMs: number,
): Promise<{ shas: Map<string, number>; complete: boolean }> {
  const shas = new Map<string, number>();
  const group = `omen-audit-${randomBytes(6).toString('hex')}`;
  const consumer = await kafka.runConsumer<Commit>({
    group,
    topics: [topic],
    fromBeginning: true,
    dlq: false,
    maxBatchSize: 2000,
    lagIntervalMs: 0,
    maxBytesPerPartition: 16 << 20,
    batchHandler: (records) => {
      for (const r of records) if (r.value.repo_id === repo) shas.set(r.value.sha, Number(r.value.commit_time));
      return Promise.resolve();
    },
  });
  const deadline = Date.now() + timeoutMs;
  let complete = false;
  try {
    await Promise.race([consumer.ready, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    while (Date.now() < deadline) {
      const lag = await kafka.consumerLag(group, [topic]);
      // A partition the group never committed counts its whole retained log as lag (computeLag),
      // so no lag means every retained record was handled, empty partitions included.
      if (lag.every((p) => p.lag === 0)) {
        complete = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    await consumer.stop();
  }
  return { shas, complete };
}

/** Partitions where the log starts past the featurizer group's committed offset (records it never read). */
async function groupGaps(kafka: Kafka, group: string, topic: string): Promise<GroupGap[]> {
  const [lag, bounds] = await Promise.all([kafka.consumerLag(group, [topic]), kafka.watermarks(topic)]);
  const out: GroupGap[] = [];
  for (const p of lag) {
    const low = bounds.find((b) => b.partition === p.partition)?.low;
    // −1: the group never committed here and starts at the log start; nothing to compare.
    if (low === undefined || BigInt(p.committed) < 0n || BigInt(p.committed) >= BigInt(low)) continue;
    out.push({
      group,
      topic,
      partition: p.partition,
      committed: p.committed,
      logStart: low,
      lost: Number(BigInt(low) - BigInt(p.committed)),
    });
  }
  return out;
}

async function tableExists(ch: ClickHouse, table: string): Promise<boolean> {
  return (
    (
      await ch.query<{ name: string }>(
        sql`SELECT name FROM system.tables WHERE database = currentDatabase() AND name = ${table}`,
      )
    ).length > 0
  );
}

export interface AuditOptions {
  repo: string;
  /** The source history in source order (the reference); without it, the stages' commits by time. */
  source?: readonly string[] | undefined;
  /** Described in the source stage's note. */
  sourceNote?: string;
  topicTimeoutS: number;
}

/** Reads every stage of one repository and compares them (domain/audit.ts). */
export async function collectAudit(config: RecoveryConfig, values: AuditOptions): Promise<AuditReport> {
  const source = values.source;
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  const redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'omen-audit',
    registryUrl: config.SCHEMA_REGISTRY_URL,
  });
  try {
    const times = new Map<string, number>();
    const note = (sha: string, t: number): void => {
      if (!times.has(sha)) times.set(sha, t);
    };
    const topic = await topicCommits(kafka, config.FEATURIZER_TOPIC_COMMITS, values.repo, values.topicTimeoutS * 1000);
    for (const [sha, t] of topic.shas) note(sha, t);

    // A featurizer that never ran against this database has not created its tables: nothing featurized.
    const features = (await tableExists(ch, tables.features))
      ? await ch.query<{ sha: string; t: string }>(
          sql`SELECT sha, min(event_time_ms) AS t FROM ${ident(tables.features)} FINAL WHERE repo_id = ${values.repo} AND feature_set = 'jit_change_metrics' GROUP BY sha`,
        )
      : [];
    for (const f of features) note(f.sha, Number(f.t));
    const state = await new RedisHistoryStore(redis, { prefix: config.FEATURIZER_STATE_PREFIX }).commitRecords(
      values.repo,
    );
    for (const [sha, rec] of state) note(sha, rec.commitTime);
    const labels = (await tableExists(ch, tables.labels))
      ? (
          await ch.query<{ sha: string }>(
            sql`SELECT DISTINCT sha FROM ${ident(tables.labels)} WHERE repo_id = ${values.repo}`,
          )
        ).map((r) => r.sha)
      : [];
    const predictionsTable = config.INFERENCE_PREDICTIONS_TABLE;
    const predictions = (await tableExists(ch, predictionsTable))
      ? (
          await ch.query<{ sha: string }>(
            sql`SELECT DISTINCT entity_id AS sha FROM ${ident(predictionsTable)} WHERE repo_id = ${values.repo} AND entity_type = 'commit' AND source != 'served'`,
          )
        ).map((r) => r.sha)
      : undefined;

    const featured = new Set(features.map((f) => f.sha));
    // The log's retention removes its oldest records: judge it from the first commit it still holds.
    const order = source ?? [...times.keys()].sort((a, b) => times.get(a)! - times.get(b)! || (a < b ? -1 : 1));
    const firstKept = order.findIndex((sha) => topic.shas.has(sha));
    const stages: StageInput[] = [
      ...(source
        ? [
            {
              stage: 'source',
              shas: new Set(source),
              required: true,
              ...(values.sourceNote ? { note: values.sourceNote } : {}),
            },
          ]
        : []),
      {
        stage: config.FEATURIZER_TOPIC_COMMITS,
        shas: new Set(topic.shas.keys()),
        required: false,
        against: new Set(firstKept < 0 ? [] : order.slice(firstKept)),
        note: `${topic.complete ? '' : 'read incomplete (timeout); '}${firstKept < 0 ? 'the log holds none of its commits' : 'judged from the first commit the log still holds (older records leave by retention)'}`,
      },
      {
        stage: 'featurizer state',
        shas: new Set(state.keys()),
        required: true,
        note: 'commits applied to the history (Redis)',
      },
      {
        stage: 'features',
        shas: featured,
        required: true,
        note: `${tables.features} (ClickHouse, jit_change_metrics)`,
      },
      // Counted, not judged: only fixes and the commits SZZ blames get a label.
      {
        stage: 'labels',
        shas: new Set(labels),
        required: false,
        against: new Set(),
        note: `${tables.labels}: commits with a label (only fixes and SZZ-blamed commits get one)`,
      },
      predictions === undefined
        ? {
            stage: 'predictions',
            shas: undefined,
            required: false,
            note: `no ${predictionsTable} table (inference not in stream mode)`,
          }
        : {
            stage: 'predictions',
            shas: new Set(predictions),
            required: false,
            against: featured,
            note: `${predictionsTable} (stream mode), judged against featurized commits`,
          },
    ];
    const onGap = new Set([...state].filter(([, rec]) => rec.gap === true).map(([sha]) => sha));
    return audit({
      repo: values.repo,
      ...(source ? { source } : {}),
      stages,
      times,
      onGap,
      groupGaps: await groupGaps(kafka, config.FEATURIZER_GROUP, config.FEATURIZER_TOPIC_COMMITS),
    });
  } finally {
    redis.disconnect();
    await ch.close();
    await kafka.close();
  }
}

export async function runAudit(
  config: RecoveryConfig,
  values: { repo: string; git?: string | undefined; rev?: string | undefined; json: boolean; topicTimeoutS: number },
): Promise<number> {
  const rev = values.rev ?? 'HEAD';
  const source = values.git === undefined ? undefined : gitOrder(values.git, rev);
  const report = await collectAudit(config, {
    repo: values.repo,
    source,
    sourceNote: `git rev-list ${rev} in ${values.git ?? ''}`,
    topicTimeoutS: values.topicTimeoutS,
  });
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatAudit(report)}\n`);
  return report.failed ? 1 : 0;
}

export async function waitIdle(config: RecoveryConfig, timeoutS: number): Promise<number> {
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'omen-recovery',
    registryUrl: config.SCHEMA_REGISTRY_URL,
  });
  const deadline = Date.now() + timeoutS * 1000;
  try {
    for (;;) {
      const lag = await kafka.consumerLag(config.FEATURIZER_GROUP, [
        config.FEATURIZER_TOPIC_COMMITS,
        config.FEATURIZER_TOPIC_ISSUES,
      ]);
      const total = lag.reduce((n, p) => n + p.lag, 0);
      if (total === 0) return 0;
      if (Date.now() > deadline) {
        process.stderr.write(
          `the featurizer group "${config.FEATURIZER_GROUP}" still lags ${total} records after ${timeoutS} s (is the featurizer running?)\n`,
        );
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await kafka.close();
  }
}

export async function reset(config: RecoveryConfig, repo: string, force: boolean): Promise<number> {
  // Records of the repository still in the log would be applied to the cleared state ahead of
  // the replay, out of order: wait for the featurizer to have read them first.
  if (!force && (await waitIdle(config, 120)) !== 0) {
    process.stderr.write('not resetting while the featurizer lags (--force resets anyway)\n');
    return 1;
  }
  const redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    const held = await new RedisHistoryStore(redis, { prefix: config.FEATURIZER_STATE_PREFIX }).resetRepository(
      repo,
      Date.now(),
    );
    process.stdout.write(`${JSON.stringify({ repo, cleared_commits: held })}\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}

/**
 * After a rebuild's replay was applied, what an earlier run left that the replay contradicts:
 * - SZZ labels that disagree with the rebuilt history (stale-labels.ts: a safety net, a gap run
 *   under the graph blame writes none) are superseded, written
 *   where the featurizer writes labels — the labels topic and ClickHouse — so downstream readers
 *   and newest-wins queries both see the rebuilt answer (labels are never deleted);
 * - code findings (computed from file texts the gap left incomplete) that the replay did not
 *   write again are deleted: every featurization of a commit writes all its findings with the
 *   commit's computed_at, so a finding older than its commit's newest features row is one the
 *   latest pass no longer finds. Findings have no point-in-time readers to keep them for.
 */
export async function supersedeStale(config: RecoveryConfig, repo: string): Promise<number> {
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE });
  const redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: 'omen-recovery',
    registryUrl: config.SCHEMA_REGISTRY_URL,
  });
  try {
    const newest = (await tableExists(ch, tables.latestLabels))
      ? await ch.query<{ sha: string; bug: number | string; fix_shas: string[]; at: number | string }>(
          sql`SELECT sha, is_bug_inducing AS bug, fix_shas, label_known_at_ms AS at FROM ${ident(tables.latestLabels)} WHERE repo_id = ${repo} AND method = 'szz'`,
        )
      : [];
    const records = await new RedisHistoryStore(redis, { prefix: config.FEATURIZER_STATE_PREFIX }).commitRecords(repo);
    const stale = staleSzzLabels(
      repo,
      newest.map((r) => ({
        sha: r.sha,
        is_bug_inducing: Number(r.bug) === 1,
        fix_shas: r.fix_shas,
        label_known_at: Number(r.at),
      })),
      records,
    );
    if (stale.length > 0) {
      const producer = await kafka.producer({ schemas: { [config.FEATURIZER_TOPIC_LABELS]: avroSchema('label') } });
      try {
        await kafkaPublisher(producer, {
          features: config.FEATURIZER_TOPIC_FEATURES,
          labels: config.FEATURIZER_TOPIC_LABELS,
        })([], stale);
      } finally {
        await producer.disconnect();
      }
      await writeOffline(ch, [{ features: [], labels: stale, findings: [] }]);
    }

    let findings = 0;
    if (await tableExists(ch, tables.findings)) {
      const older = await ch.query<{ sha: string; at: string | number }>(sql`
        SELECT f.sha AS sha, f.computed_at_ms AS at
        FROM (SELECT sha, computed_at_ms FROM ${ident(tables.findings)} FINAL WHERE repo_id = ${repo}) AS f
        ANY INNER JOIN (
          SELECT sha, max(computed_at_ms) AS featured_ms FROM ${ident(tables.features)} WHERE repo_id = ${repo} AND feature_set = 'jit_change_metrics' GROUP BY sha
        ) AS c USING sha
        WHERE f.computed_at_ms < c.featured_ms`);
      findings = older.length;
      // One mutation per 500 (sha, computed_at) pairs: the condition is written out, ClickHouse 18.16 has no parameters.
      for (let i = 0; i < older.length; i += 500) {
        const pairs = older.slice(i, i + 500).map((r) => sql`(${r.sha}, ${Number(r.at)})`);
        // A Distributed table takes no mutation: in cluster mode it goes to the local tables.
        await ch.command(
          sql`ALTER TABLE ${mutationTarget(renderTarget(ch), tables.findings)} DELETE WHERE repo_id = ${repo} AND (sha, computed_at_ms) IN (${joinSql(pairs, ', ')})`,
        );
      }
    }
    process.stdout.write(
      `${JSON.stringify({ repo, szz_labels: newest.length, superseded_labels: stale.length, label_shas: stale.slice(0, 20).map((l) => l.sha), deleted_findings: findings })}\n`,
    );
    return 0;
  } finally {
    redis.disconnect();
    await ch.close();
    await kafka.close();
  }
}
