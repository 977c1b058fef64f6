import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, type ingestV1 } from '@omen/contracts';
import { checkpointPath, readCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { ProgressReporter, ProgressState } from './progress.ts';
import type { HistorySource, SourceItem } from './source.ts';

export interface BackfillOptions {
  source: HistorySource;
  /** Repository id the commits are published under. */
  repoId: string;
  /** host:port of ingest's gRPC server. */
  ingest: string;
  /** Directory of the default checkpoint file. */
  checkpointDir: string;
  /** Explicit checkpoint file. @default checkpointDir/<source>-<hash>.json */
  checkpointFile?: string;
  /** Ignore an existing checkpoint and start from the first commit. @default false */
  restart?: boolean;
  /**
   * Publish past ingest's dedup window (`omen-republish`, needs `adminToken`): the way back after
   * the log lost records. Starts at `from` (or the first commit) whatever the checkpoint says.
   * @default false
   */
  republish?: boolean;
  /** Bearer token sent with a republish. */
  adminToken?: string;
  /** First commit (sha, in source order) to send; earlier ones are skipped. @default the first */
  from?: string;
  /** Last commit (sha) to send; the walk stops after it. @default the last */
  to?: string;
  /** Commits per PublishCommits stream (and per checkpoint). @default 500 */
  batchSize?: number;
  /** Tries per batch while ingest or Kafka is unavailable. @default 6 */
  maxAttempts?: number;
  /** Stops after the batch in flight (Ctrl-C). */
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** Where per-commit refusals are reported. @default stderr */
  warn?: (line: string) => void;
  /** For tests: waiting between retries. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillResult {
  status: 'complete' | 'interrupted' | 'failed';
  /** Commits of the source handled (acknowledged or refused), resumed ones included. */
  position: number;
  total: number | undefined;
  published: number;
  duplicates: number;
  rejected: number;
  /** Where it started (a resumed run starts at its checkpoint). */
  resumedFrom: number;
  seconds: number;
  /** Commits per second over this run. */
  rate: number;
  checkpointFile: string;
  error?: string;
}

type Client = grpc.Client & {
  PublishCommits(
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<ingestV1.PublishCommitsResponse__Output>,
  ): grpc.ClientWritableStream<ingestV1.PublishCommitRequest>;
};

/**
 * Replays a history through ingest's gRPC `PublishCommits`, the path every producer takes, so
 * dedup and validation are the same as for live events. Batches go one after the other (one
 * repository's records stay in order); a checkpoint is written after every batch, so an
 * interrupted or failed run resumes where it stopped, and re-sent commits are deduplicated by
 * ingest anyway.
 */
export async function runBackfill(o: BackfillOptions): Promise<BackfillResult> {
  const batchSize = o.batchSize ?? 500;
  const maxAttempts = o.maxAttempts ?? 6;
  const warn = o.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const file = o.checkpointFile ?? checkpointPath(o.checkpointDir, o.source.kind, o.source.path, o.repoId);
  const identity = { source: o.source.kind, path: o.source.path, repo: o.repoId };
  const previous = o.restart || o.republish ? undefined : readCheckpoint(file, identity);
  const total = await o.source.total();

  const state = {
    position: previous?.position ?? 0,
    lastSha: previous?.lastSha ?? null,
    published: previous?.published ?? 0,
    duplicates: previous?.duplicates ?? 0,
    rejected: previous?.rejected ?? 0,
  };
  const resumedFrom = state.position;
  const started = performance.now();
  const snapshot = (): ProgressState => ({
    done: state.position,
    total,
    published: state.published,
    duplicates: state.duplicates,
    rejected: state.rejected,
    elapsedMs: performance.now() - started,
  });
  const save = (): void =>
    writeCheckpoint(file, { ...identity, ...state } satisfies Omit<Checkpoint, 'version' | 'updatedAt'>);
  const result = (status: BackfillResult['status'], error?: string): BackfillResult => {
    const seconds = (performance.now() - started) / 1000;
    return {
      status,
      position: state.position,
      total,
      published: state.published,
      duplicates: state.duplicates,
      rejected: state.rejected,
      resumedFrom,
      seconds,
      rate: seconds > 0 ? (state.position - sentFrom) / seconds : 0,
      checkpointFile: file,
      ...(error ? { error } : {}),
    };
  };

  const { Ingest } = loadGrpcObject('ingest').omen.ingest.v1;
  const client = new Ingest(o.ingest, grpc.credentials.createInsecure()) as unknown as Client;
  const metadata = new grpc.Metadata();
  metadata.set('omen-source', 'backfill');
  if (o.republish) {
    metadata.set('omen-republish', 'true');
    if (o.adminToken) metadata.set('authorization', `Bearer ${o.adminToken}`);
  }
  // Before `from` is met nothing is sent; after `to` the walk ends.
  let inRange = o.from === undefined;
  // Where sending started, for the rate: the resume point, or --from's position.
  let sentFrom = resumedFrom;
  let reachedTo = false;
  try {
    let batch: SourceItem[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await sendBatch(client, metadata, batch, { maxAttempts, sleep, warn }, state);
      state.position = batch[batch.length - 1]!.position + 1;
      state.lastSha = [...batch].reverse().find((i) => i.sha)?.sha ?? state.lastSha;
      batch = [];
      save();
      o.progress?.update(snapshot());
    };

    // The walk does not get the caller's signal: Ctrl-C lets the batch in flight finish, and
    // leaving this loop closes the walk (its cleanup stops git or the file stream).
    for await (const item of o.source.items()) {
      if (item.position < resumedFrom) {
        // Notice a source that changed since the checkpoint: the commit before the resume point
        // must be the one recorded; if not, start over (ingest drops what it already has).
        if (item.position === resumedFrom - 1 && previous?.lastSha && item.sha && item.sha !== previous.lastSha) {
          warn(
            `checkpoint ${file} does not match the source (commit ${item.position} is ${item.sha}, not ${previous.lastSha}); restart with --restart`,
          );
          return result('failed', 'checkpoint does not match the source');
        }
        continue;
      }
      if (!inRange && item.sha !== undefined && o.from !== undefined && item.sha.startsWith(o.from)) {
        inRange = true;
        sentFrom = item.position;
      }
      if (!inRange) {
        state.position = item.position + 1;
        continue;
      }
      batch.push(item);
      if (o.to !== undefined && item.sha !== undefined && item.sha.startsWith(o.to)) reachedTo = true;
      if (batch.length >= batchSize || reachedTo) await flush();
      if (reachedTo) break;
      if (o.signal?.aborted) {
        await flush();
        o.progress?.finish(snapshot());
        return result('interrupted');
      }
    }
    await flush();
    o.progress?.finish(snapshot());
    if (!inRange) return result('failed', `--from ${o.from} is not a commit of the source`);
    if (o.to !== undefined && !reachedTo)
      return result('failed', `--to ${o.to} is not a commit of the source at or after --from`);
    return result('complete');
  } catch (err) {
    o.progress?.finish(snapshot());
    return result('failed', err instanceof Error ? err.message : String(err));
  } finally {
    client.close();
  }
}

class BatchUnavailable extends Error {}

async function sendBatch(
  client: Client,
  metadata: grpc.Metadata,
  items: SourceItem[],
  o: { maxAttempts: number; sleep: (ms: number) => Promise<void>; warn: (line: string) => void },
  state: { published: number; duplicates: number; rejected: number },
): Promise<void> {
  let pending = items.filter((i) => {
    if (i.request) return true;
    o.warn(`refused ${i.error ?? i.where}`);
    state.rejected++;
    return false;
  });
  for (let attempt = 1; pending.length > 0; attempt++) {
    let response: ingestV1.PublishCommitsResponse__Output;
    try {
      response = await publish(client, metadata, pending);
    } catch (err) {
      const e = err as grpc.ServiceError;
      const retryable =
        e.code === grpc.status.UNAVAILABLE ||
        e.code === grpc.status.DEADLINE_EXCEEDED ||
        e.code === grpc.status.RESOURCE_EXHAUSTED;
      if (!retryable || attempt >= o.maxAttempts)
        throw new Error(`ingest refused the batch: ${e.details || e.message}`, { cause: err });
      o.warn(`ingest unavailable (${e.details || e.message}); retrying in ${2 ** (attempt - 1)} s`);
      await o.sleep(1000 * 2 ** (attempt - 1));
      continue;
    }
    const retry: SourceItem[] = [];
    for (const r of response.results) {
      const item = pending[r.index];
      if (!item) continue;
      if (r.ack) {
        if (r.ack.duplicate) state.duplicates++;
        else state.published++;
      } else if (r.error?.code === 'UNAVAILABLE') {
        retry.push(item);
      } else {
        state.rejected++;
        o.warn(`refused ${item.where}${item.sha ? ` (${item.sha})` : ''}: ${r.error?.message ?? 'no reason given'}`);
      }
    }
    pending = retry;
    if (pending.length > 0) {
      if (attempt >= o.maxAttempts)
        throw new BatchUnavailable(
          `Kafka stayed unavailable for ${pending.length} commit(s) after ${attempt} attempts`,
        );
      o.warn(`${pending.length} commit(s) not stored (Kafka unavailable); retrying in ${2 ** (attempt - 1)} s`);
      await o.sleep(1000 * 2 ** (attempt - 1));
    }
  }
}

function publish(
  client: Client,
  metadata: grpc.Metadata,
  items: SourceItem[],
): Promise<ingestV1.PublishCommitsResponse__Output> {
  return new Promise((resolve, reject) => {
    const call = client.PublishCommits(metadata, { deadline: Date.now() + 300_000 }, (err, res) =>
      err ? reject(err) : resolve(res!),
    );
    for (const item of items) call.write(item.request!);
    call.end();
  });
}
