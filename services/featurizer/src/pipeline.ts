// What the featurizer does with a batch of consumed events: validate, apply to the repository
// state (exactly once per commit), then write the same rows to the three sinks. The consumer
// commits the batch's offsets only after this resolves, i.e. after all three acknowledged.
//
// An outage of a store or the brokers is waited out here, with backoff, instead of failing the
// batch: a failed batch would be retried a few times and then dead-lettered, losing commits to
// a 30-second Redis restart. While waiting nothing new is fetched (kafkajs fetches the next
// batch only after this one resolves), so memory stays bounded: that is the backpressure.
// Invalid records are refused up front with INVALID_ARGUMENT, which the consumer does not retry:
// it re-runs the batch record by record and dead-letters the bad one with the reason.

import { CancelledError, InvalidArgumentError, isOmenError, isRetryable } from '@omen/errors';
import type { Metrics } from '@omen/telemetry';
import type { CommitInput } from './domain/commit.ts';
import { validateCommit } from './domain/commit.ts';
import type { HistoryStore } from './domain/history.ts';
import type { CommitLabel } from './domain/labels.ts';
import type { CodeAnalyzer, IssueInput } from './domain/processor.ts';
import { processCommits, processIssues } from './domain/processor.ts';
import type { Pruned } from './domain/retention.ts';
import type { CommitRows, FeatureRow } from './domain/rows.ts';
import { commitRows } from './domain/rows.ts';

export interface FeatureSinks {
  /** ClickHouse: features, file metrics, labels, findings. */
  offline(rows: readonly CommitRows[]): Promise<void>;
  /** Redis: features by repository and commit. */
  online(rows: readonly FeatureRow[]): Promise<void>;
  /** Kafka: features.commits.v1 and labels.commits.v1. */
  publish(features: readonly FeatureRow[], labels: readonly CommitLabel[]): Promise<void>;
}

export interface PipelineLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface PipelineOptions {
  history: HistoryStore;
  sinks: FeatureSinks;
  analyzer?: CodeAnalyzer;
  /** Stream positions a superseded file version stays reachable (processor's `blameWindow`). */
  blameWindow?: number;
  logger: PipelineLogger;
  metrics?: Metrics;
  /**
   * Backoff while a dependency is down: first delay, doubled up to the ceiling.
   * @default { initialMs: 200, maxMs: 5000 }
   */
  outageBackoff?: { initialMs?: number; maxMs?: number };
  now?: () => number;
  /** Told when a dependency goes away and comes back (the service kit's health and gauge). */
  onDependency?: (dependency: string, up: boolean, reason?: string) => void;
}

const CONNECTION_MESSAGES =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|Connection is closed|connect ETIMEDOUT|Timeout error|timed out|Reached the max retries per request|Stream isn't writeable|write EPIPE|fetch failed/i;

/** Whether an error means "a dependency is not there right now" (wait) rather than a bad record (fail). */
export function isOutage(err: unknown): boolean {
  if (isOmenError(err)) return isRetryable(err);
  if (isRetryable(err)) return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== err && isOutage(cause)) return true;
  return CONNECTION_MESSAGES.test(err.message);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError('featurizer is stopping'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('featurizer is stopping'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Input shape of a commit event: the Avro Commit (only the fields the domain reads are required). */
export type CommitEvent = CommitInput;

export class FeaturizerPipeline {
  readonly #o: PipelineOptions;
  readonly #waiting;
  readonly #commits;
  readonly #replayed;
  readonly #beyondWindow;
  readonly #labels;
  readonly #stage;
  readonly #onGap;
  readonly #analyzer: CodeAnalyzer | undefined;

  constructor(options: PipelineOptions) {
    this.#o = options;
    const m = options.metrics;
    this.#waiting = m?.gauge(
      'omen_featurizer_dependency_unavailable',
      'Whether the featurizer is waiting for a dependency (1) or not (0)',
      ['dependency'],
    );
    this.#commits = m?.counter('omen_featurizer_commits_total', 'Commits featurized', ['outcome']);
    this.#replayed = m?.counter(
      'omen_featurizer_commits_replayed_total',
      'Redelivered commits answered from the stored outputs',
    );
    this.#beyondWindow = m?.counter(
      'omen_featurizer_redeliveries_beyond_window_total',
      'Redelivered commits whose outputs had left the retention window: not applied again, nothing re-emitted',
    );
    this.#labels = m?.counter('omen_featurizer_labels_total', 'Labels emitted', ['method']);
    this.#onGap = m?.counter(
      'omen_featurizer_commits_on_gap_total',
      'Commits applied before one of their parents: history metrics computed on a gap (lost records, a range backfill, or a stream not parents first; ./scripts/omen audit lists them; README "When commits were lost")',
    );
    // Code analysis (tree-sitter) runs inside the state stage; timed apart as stage "code" (per
    // commit) so the bench can tell parsing from the history's Redis round trips. On worker
    // threads it is stage "code_worker": the time until the commit's analysis came back, queueing
    // included; those overlap each other and the walk, so their sum is no part of the handler's.
    const analyzer = options.analyzer;
    this.#analyzer =
      analyzer && m
        ? (files) => {
            const started = performance.now();
            const observe = (stage = 'code') => this.#stage?.observe({ stage }, (performance.now() - started) / 1000);
            let result: ReturnType<CodeAnalyzer>;
            try {
              result = analyzer(files);
            } catch (err) {
              observe();
              throw err;
            }
            if (result instanceof Promise) return result.finally(() => observe('code_worker'));
            observe();
            return result;
          }
        : analyzer;
    this.#stage = m?.histogram(
      'omen_featurizer_stage_duration_seconds',
      'Time per batch in each stage (state: history read/compute/write; the sinks run in parallel; code: tree-sitter analysis per commit, inside state; code_worker: per commit, from hand-off to a code worker to its answer, overlapping the walk)',
      ['stage'],
    );
  }

  async #timed<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.#stage?.observe({ stage }, (performance.now() - started) / 1000);
    }
  }

  /** Runs `fn` until it succeeds, waiting out outages; anything else is rethrown. */
  async #untilAvailable<T>(dependency: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const initial = this.#o.outageBackoff?.initialMs ?? 200;
    const max = this.#o.outageBackoff?.maxMs ?? 5000;
    let delay = initial;
    let since: number | undefined;
    for (;;) {
      try {
        const result = await fn();
        if (since !== undefined) {
          this.#waiting?.set({ dependency }, 0);
          this.#o.onDependency?.(dependency, true);
          this.#o.logger.info({ dependency, waitedMs: Date.now() - since }, 'dependency is back; resuming');
        }
        return result;
      } catch (err) {
        if (!isOutage(err)) throw err;
        if (since === undefined) {
          since = Date.now();
          this.#waiting?.set({ dependency }, 1);
          this.#o.onDependency?.(dependency, false, err instanceof Error ? err.message : String(err));
        }
        this.#o.logger.warn({ dependency, err, retryInMs: delay }, 'dependency unavailable; pausing the stream');
        await sleep(delay, signal);
        delay = Math.min(max, delay * 2);
      }
    }
  }

  /**
   * Featurizes commits (any repositories, in partition order). Refuses the whole batch with
   * INVALID_ARGUMENT, naming the problems, when any commit is invalid.
   */
  async handleCommits(commits: readonly CommitEvent[], signal?: AbortSignal): Promise<CommitRows[]> {
    const problems = commits.flatMap((c, i) =>
      validateCommit(c).map((p) => `commit ${i} (${c.sha.slice(0, 12)}): ${p}`),
    );
    if (problems.length > 0) throw new InvalidArgumentError(`invalid commit event: ${problems.join('; ')}`, 'value');
    const byRepo = new Map<string, CommitEvent[]>();
    for (const c of commits) {
      const list = byRepo.get(c.repo_id) ?? [];
      list.push(c);
      byRepo.set(c.repo_id, list);
    }
    const rows: CommitRows[] = [];
    for (const [repoId, list] of byRepo) {
      const results = await this.#timed('state', () =>
        this.#untilAvailable('redis', signal, () =>
          processCommits(this.#o.history, repoId, list, {
            ...(this.#analyzer ? { analyzer: this.#analyzer } : {}),
            ...(this.#o.now ? { now: this.#o.now } : {}),
            ...(this.#o.blameWindow !== undefined ? { blameWindow: this.#o.blameWindow } : {}),
          }),
        ),
      );
      const onGap = results.filter((r) => r.gap && !r.replayed);
      if (onGap.length > 0) {
        this.#onGap?.inc(onGap.length);
        // A repository's first commit seen without its history (a webhook-only repository) lands here too.
        this.#o.logger.warn(
          {
            repoId,
            commits: onGap.length,
            missing: onGap.slice(0, 10).map((r) => ({ sha: r.sha, parents: r.missingParents ?? [] })),
          },
          'commits featurized before a parent: history metrics computed on a gap',
        );
      }
      results.forEach((r, i) => {
        if (r.outputs === null) {
          this.#beyondWindow?.inc();
          return;
        }
        rows.push(commitRows(list[i]!, r.outputs));
        if (r.replayed) this.#replayed?.inc();
      });
    }
    await this.#write(rows, signal);
    this.#commits?.inc({ outcome: 'featurized' }, commits.length);
    return rows;
  }

  /** Labels from issue events (bug issues linking fix commits). */
  async handleIssues(issues: readonly IssueInput[], signal?: AbortSignal): Promise<CommitLabel[]> {
    const byRepo = new Map<string, IssueInput[]>();
    for (const i of issues) {
      if (!Number.isInteger(i.number) || i.number <= 0)
        throw new InvalidArgumentError(`issue number must be a positive integer, got ${i.number}`, 'number');
      const list = byRepo.get(i.repo_id) ?? [];
      list.push(i);
      byRepo.set(i.repo_id, list);
    }
    const labels: CommitLabel[] = [];
    for (const [repoId, list] of byRepo) {
      const out = await this.#untilAvailable('redis', signal, () =>
        processIssues(this.#o.history, repoId, list, this.#o.now ? { now: this.#o.now } : {}),
      );
      for (const l of out) labels.push(...l);
    }
    if (labels.length > 0) await this.#write([{ features: [], labels, findings: [] }], signal);
    return labels;
  }

  async #write(rows: CommitRows[], signal: AbortSignal | undefined): Promise<void> {
    const features = rows.flatMap((r) => r.features);
    const labels = rows.flatMap((r) => r.labels);
    const { sinks } = this.#o;
    // Each sink waits out its own outage, so a healthy sink is written once, not per retry.
    await this.#timed('sinks', () =>
      Promise.all([
        this.#timed('clickhouse', () => this.#untilAvailable('clickhouse', signal, () => sinks.offline(rows))),
        this.#timed('redis_online', () => this.#untilAvailable('redis', signal, () => sinks.online(features))),
        this.#timed('kafka_publish', () =>
          this.#untilAvailable('kafka', signal, () => sinks.publish(features, labels)),
        ),
      ]),
    );
    for (const l of labels) this.#labels?.inc({ method: l.method });
  }
}

/** The state store's prune hook that counts `omen_featurizer_state_pruned_total{namespace}`. */
export function countPruned(metrics: Metrics): (pruned: Pruned) => void {
  const counter = metrics.counter(
    'omen_featurizer_state_pruned_total',
    'Records dropped from the featurizer state by its retention',
    ['namespace'],
  );
  return (pruned) => {
    for (const namespace of ['outputs', 'pending'] as const)
      if (pruned[namespace] > 0) counter.inc({ namespace }, pruned[namespace]);
  };
}
