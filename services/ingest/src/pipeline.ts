import { InvalidArgumentError, isOmenError, OmenError, UnavailableError } from '@omen/errors';
import type { Logger } from '@omen/telemetry';
import type { ClaimState, DedupStore } from './adapters/dedup.ts';
import type { Enricher } from './adapters/enricher.ts';
import type { EventPublisher, PublishedRecord } from './adapters/publisher.ts';
import { applyDetail, defaultMaxHunkBytes } from './domain/enrich.ts';
import { defaultMaxEventBytes, fitCommitEvent } from './domain/event-size.ts';
import type { CommitDraft, IngestEvent, IssueEvent, PullRequestEvent } from './domain/events.ts';
import { dedupKeys } from './domain/ids.ts';
import type { RepoRef } from './domain/events.ts';
import type { IngestMetrics } from './metrics.ts';

/** What one delivery, RPC or backfill batch asks ingest to publish. */
export interface IngestBatch {
  repo: RepoRef;
  commits: readonly CommitDraft[];
  pullRequests?: readonly PullRequestEvent[];
  issues?: readonly IssueEvent[];
  /** Dedup key of the delivery (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`), when there is one. */
  deliveryKey?: string;
  /** Extra Kafka headers for every record (delivery id, source). */
  headers?: Readonly<Record<string, string>>;
  /** Label of the latency histogram. */
  path: 'webhook' | 'grpc';
  /**
   * Publish every event even when the dedup window holds it (an operator's recovery after the
   * log lost records: `backfill --republish`). The window is still confirmed afterwards; the
   * featurizer applies each commit once per sha, so a republished commit it has is not counted twice.
   */
  republish?: boolean;
}

export interface EventOutcome {
  eventId: string;
  kind: IngestEvent['kind'];
  status: 'published' | 'duplicate';
  record?: PublishedRecord;
}

export interface IngestResult {
  /** `duplicate` when the whole delivery was already published: nothing was done. */
  delivery: 'new' | 'duplicate';
  published: number;
  duplicates: number;
  events: EventOutcome[];
}

export interface PipelineOptions {
  dedup: DedupStore;
  publisher: EventPublisher;
  metrics: IngestMetrics;
  logger: Logger;
  pseudonymKey: string;
  enricher?: Enricher;
  /** Commits of one batch enriched at once. @default 4 */
  enrichConcurrency?: number;
  /** @default 512 KiB */
  maxHunkBytes?: number;
  /** Largest commit event published (event-size.ts). @default 900 KiB */
  maxEventBytes?: number;
  /**
   * Longest wait for Kafka's acknowledgement before answering UNAVAILABLE. A send still in
   * flight then settles the dedup claims itself when it ends. @default 5000
   */
  publishTimeoutMs?: number;
}

/**
 * The one path every event takes, whatever brought it: claim its id in the dedup window, fill in
 * what a push webhook lacks, publish with acks=all, then confirm the claims — or release them
 * when publishing failed, so the SCM's redelivery (or the client's retry) publishes them.
 * Nothing is reported stored before Kafka acknowledged it.
 */
export class IngestPipeline {
  readonly #enrichConcurrency: number;
  readonly #maxHunkBytes: number;
  readonly #maxEventBytes: number;
  readonly #publishTimeoutMs: number;
  readonly #o: PipelineOptions;

  constructor(o: PipelineOptions) {
    this.#o = o;
    this.#enrichConcurrency = o.enrichConcurrency ?? 4;
    this.#maxHunkBytes = o.maxHunkBytes ?? defaultMaxHunkBytes;
    this.#maxEventBytes = o.maxEventBytes ?? defaultMaxEventBytes;
    this.#publishTimeoutMs = o.publishTimeoutMs ?? 5_000;
  }

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const started = performance.now();
    const all: IngestEvent[] = [];
    for (const c of batch.commits) all.push({ kind: 'commit', value: c.event });
    for (const e of batch.pullRequests ?? []) all.push({ kind: 'pull_request', value: e });
    for (const e of batch.issues ?? []) all.push({ kind: 'issue', value: e });
    const offset = batch.deliveryKey ? 1 : 0;
    const keys: string[] = batch.deliveryKey ? [batch.deliveryKey] : [];
    for (const e of all) keys.push(dedupKeys.event(e.value.event_id));
    // A republish owns every key without asking: the window is what it overrides.
    const states: ClaimState[] = batch.republish ? keys.map(() => 'claimed') : await this.#o.dedup.claim(keys);
    // An event pending under this process's own claim is ours to publish: an earlier attempt
    // failed and could not release it (its Redis failing over), and answering "duplicate" would
    // lose it for good (the cluster fault test lost 305 of 6,158 commits so). A concurrent
    // request of this process publishing it too is absorbed by the idempotent sinks.
    // An event repeated within the batch is a duplicate of its first occurrence (its second
    // claim finds this process's own: "mine"), not a second record.
    const claimed: boolean[] = [];
    const owned: string[] = offset === 1 && states[0] === 'claimed' ? [keys[0]!] : [];
    const seen = all.length > 1 ? new Set<string>() : undefined;
    for (let i = 0; i < all.length; i++) {
      const key = keys[i + offset]!;
      const state = states[i + offset];
      const repeated = seen !== undefined && seen.has(key);
      seen?.add(key);
      claimed.push(!repeated && (state === 'claimed' || state === 'mine'));
      if (claimed[i]) owned.push(key);
    }

    if (batch.deliveryKey && states[0] !== 'claimed') {
      await this.#o.dedup.release(owned);
      if (states[0] === 'pending' || states[0] === 'mine') {
        throw new UnavailableError('this delivery is being processed by another request; retry later', {
          retryAfterMs: 5000,
        });
      }
      return {
        delivery: 'duplicate',
        published: 0,
        duplicates: all.length,
        events: all.map((e) => outcome(e, 'duplicate')),
      };
    }

    try {
      const fresh = all.filter((_, i) => claimed[i]);
      const needy = new Set<string>();
      for (const c of batch.commits) if (c.needsEnrichment) needy.add(c.event.event_id);
      const enriched = this.#fitAll(await this.#enrichAll(batch.repo, fresh, needy));
      const records = await this.#publishWithin(enriched, batch.headers, owned);
      // Stored: from here on the answer is "accepted" whatever Redis does. The confirmation is
      // not awaited (it only shortens the pending state of the claims); should it fail, the
      // claims expire and a redelivery after that would publish again, which sinks absorb.
      this.#o.dedup
        .confirm(owned)
        .catch((err: unknown) =>
          this.#o.logger.warn({ err, keys: owned.length }, 'dedup confirmation failed after publishing'),
        );
      // `records` answer `enriched` (the claimed events, in order) one to one.
      let next = 0;
      const events = all.map((e, i): EventOutcome => {
        const record = claimed[i] ? records[next++] : undefined;
        return record ? { ...outcome(e, 'published'), record } : outcome(e, 'duplicate');
      });
      let published = 0;
      for (const e of events) {
        this.#o.metrics.events.inc({ kind: e.kind, outcome: e.status });
        if (e.status === 'published') published++;
      }
      this.#o.metrics.publishSeconds.observe({ path: batch.path }, (performance.now() - started) / 1000);
      return { delivery: 'new', published, duplicates: events.length - published, events };
    } catch (err) {
      if (!(err instanceof PublishTimeout)) await this.#o.dedup.release(owned).catch(() => undefined);
      throw err instanceof PublishTimeout ? err.error : err;
    }
  }

  /**
   * Every commit under the event size limit (event-size.ts), whatever path brought it: a larger
   * record would make the broker refuse the whole batch and stall the stream behind it. The
   * gRPC path refuses a commit that cannot fit before it gets here (`commitTooLarge`); a commit
   * from a webhook that cannot fit fails its delivery with the reason.
   */
  #fitAll(events: IngestEvent[]): IngestEvent[] {
    return events.map((e) => {
      if (e.kind !== 'commit') return e;
      const fitted = fitCommitEvent(e.value, this.#maxEventBytes);
      if (!fitted.fits) {
        this.#o.metrics.oversize.inc({ outcome: 'refused' });
        throw new InvalidArgumentError(commitTooLargeMessage(e.value, fitted.bytes, this.#maxEventBytes), 'files');
      }
      if (fitted.hunksDropped > 0) {
        this.#o.metrics.oversize.inc({ outcome: 'hunks_dropped' });
        this.#o.logger.warn(
          {
            repo: e.value.repo_id,
            sha: e.value.sha,
            files: fitted.hunksDropped,
            bytes: fitted.bytes,
            limit: this.#maxEventBytes,
          },
          'commit over the event size limit: published without the hunks of its largest files',
        );
      }
      return { kind: 'commit', value: fitted.event };
    });
  }

  /** Why a commit cannot be published at all, or undefined when it fits (with or without hunks). */
  commitTooLarge(event: CommitDraft['event']): string | undefined {
    const fitted = fitCommitEvent(event, this.#maxEventBytes);
    if (fitted.fits) return undefined;
    this.#o.metrics.oversize.inc({ outcome: 'refused' });
    return commitTooLargeMessage(event, fitted.bytes, this.#maxEventBytes);
  }

  async #enrichAll(repo: RepoRef, events: IngestEvent[], needy: ReadonlySet<string>): Promise<IngestEvent[]> {
    const enricher = this.#o.enricher;
    const out = events.slice();
    const todo: number[] = [];
    events.forEach((e, i) => {
      if (e.kind === 'commit' && needy.has(e.value.event_id)) todo.push(i);
    });
    if (todo.length === 0) return out;
    const source = enricher?.sourceFor(repo);
    if (!enricher || !source) {
      this.#o.metrics.unenriched.inc({ provider: repo.provider, reason: 'no_source' }, todo.length);
      return out;
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const index = todo[next++]!;
        const event = out[index]!;
        if (event.kind !== 'commit') continue;
        const t0 = performance.now();
        try {
          const detail = await enricher.enrich(repo, event.value.sha);
          if (detail)
            out[index] = {
              kind: 'commit',
              value: applyDetail(event.value, detail, this.#o.pseudonymKey, this.#maxHunkBytes),
            };
          this.#o.metrics.enrichment.inc({ source, outcome: 'ok' });
        } catch (err) {
          const code = isOmenError(err) ? err.code : 'INTERNAL';
          if (code === 'UNAVAILABLE' || code === 'DEADLINE_EXCEEDED') {
            this.#o.metrics.enrichment.inc({ source, outcome: 'unavailable' });
            throw err;
          }
          // The commit exists (the SCM just told us about it), so a 404 means it is gone
          // (force-push) or the token cannot see it; a refused token or an unparsable answer
          // will not heal on redelivery either. Publish what the webhook said and say so.
          const outcomeLabel = code === 'NOT_FOUND' ? 'not_found' : 'failed';
          this.#o.metrics.enrichment.inc({ source, outcome: outcomeLabel });
          this.#o.metrics.unenriched.inc({ provider: repo.provider, reason: outcomeLabel });
          this.#o.logger.warn(
            { err, repo: repo.id, sha: event.value.sha, source },
            'enrichment failed; publishing the commit without line counts',
          );
        } finally {
          this.#o.metrics.enrichSeconds.observe({ source }, (performance.now() - t0) / 1000);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#enrichConcurrency, todo.length) }, worker));
    return out;
  }

  #publishWithin(
    events: IngestEvent[],
    headers: Readonly<Record<string, string>> | undefined,
    owned: string[],
  ): Promise<PublishedRecord[]> {
    if (events.length === 0) return Promise.resolve([]);
    const sending = this.#o.publisher.publish(events, headers);
    const limitMs = this.#publishTimeoutMs;
    // One promise and one timer per request (Promise.race made two more and a handler each).
    return new Promise<PublishedRecord[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The send may still succeed: settle the claims when it does, so a redelivery after
        // a late acknowledgement is recognised as a duplicate, and after a failure is not.
        sending
          .then(
            () => this.#o.dedup.confirm(owned),
            () => this.#o.dedup.release(owned),
          )
          .catch(() => undefined);
        reject(new PublishTimeout(limitMs));
      }, limitMs);
      sending.then(
        (records) => {
          clearTimeout(timer);
          resolve(records);
        },
        (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }
}

function commitTooLargeMessage(event: CommitDraft['event'], bytes: number, limit: number): string {
  return `commit ${event.sha} is about ${bytes} bytes as an event even without hunks (${event.files.length} files, a ${event.message.length}-character message), over the ${limit}-byte limit (INGEST_MAX_EVENT_BYTES, under the brokers' message.max.bytes)`;
}

class PublishTimeout extends Error {
  readonly error: OmenError;
  constructor(ms: number) {
    super(`Kafka did not acknowledge within ${ms} ms`);
    this.error = new UnavailableError(`Kafka did not acknowledge within ${ms} ms`, { retryAfterMs: 30_000 });
  }
}

function outcome(e: IngestEvent, status: EventOutcome['status']): EventOutcome {
  return { eventId: e.value.event_id, kind: e.kind, status };
}
