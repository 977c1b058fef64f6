// Applies a batch of one repository's commits to its history, exactly once per commit, through
// any HistoryStore. At-least-once delivery means a commit can come again (a redelivered batch
// after a crash, the same commit from a webhook and a backfill): the store remembers each
// applied sha with the values it got, and a repeat returns those values instead of counting
// the commit twice. The whole batch's history changes and applied-markers are written in one
// conditional write, so a crash leaves either all or none of them.

import { AbortedError, InvalidArgumentError } from '@omen/errors';
import type { CommitInput } from './commit.ts';
import type { AppliedCommit, DeveloperHistory, FileHistory, HistoryDelta, HistorySnapshot, HistoryStore, HistoryView, JitValues } from './history.ts';
import { applyCommit, historyKeys } from './kamei.ts';

/** A history snapshot with the deltas of earlier commits of the same batch laid over it. */
export class OverlayView implements HistoryView {
  seq: number;
  readonly files = new Map<string, FileHistory | null>();
  readonly developers = new Map<string, DeveloperHistory>();

  constructor(private readonly snapshot: HistorySnapshot) {
    this.seq = snapshot.seq;
  }

  file(path: string): FileHistory | undefined {
    const own = this.files.get(path);
    if (own !== undefined) return own ?? undefined;
    return this.snapshot.files.get(path);
  }

  developer(authorId: string): DeveloperHistory | undefined {
    return this.developers.get(authorId) ?? this.snapshot.developers.get(authorId);
  }

  apply(delta: HistoryDelta): void {
    this.seq = delta.seq;
    for (const [path, record] of delta.files) this.files.set(path, record);
    for (const [id, record] of delta.developers) this.developers.set(id, record);
  }
}

export interface CommitResult {
  sha: string;
  values: JitValues;
  /** True when the commit had been applied before and `values` are the recorded ones. */
  replayed: boolean;
}

export interface ProcessOptions {
  /**
   * Attempts when another writer moved the repository's history between read and write.
   * @default 5
   */
  maxAttempts?: number;
}

async function attempt(store: HistoryStore, repoId: string, commits: readonly CommitInput[]): Promise<CommitResult[] | undefined> {
  const paths = new Set<string>();
  const developers = new Set<string>();
  for (const c of commits) {
    const keys = historyKeys(c);
    for (const p of keys.paths) paths.add(p);
    for (const d of keys.developers) developers.add(d);
  }
  const snapshot = await store.load(repoId, { paths: [...paths], developers: [...developers], shas: commits.map((c) => c.sha) });
  const view = new OverlayView(snapshot);
  const applied = new Map<string, AppliedCommit>();
  const results: CommitResult[] = [];
  for (const commit of commits) {
    const known = applied.get(commit.sha) ?? snapshot.applied.get(commit.sha);
    if (known) {
      results.push({ sha: commit.sha, values: known.values, replayed: true });
      continue;
    }
    const { values, delta } = applyCommit(view, commit);
    view.apply(delta);
    applied.set(commit.sha, { values });
    results.push({ sha: commit.sha, values, replayed: false });
  }
  if (applied.size === 0) return results;
  const ok = await store.write(repoId, {
    expectedVersion: snapshot.version,
    seq: view.seq,
    files: view.files,
    developers: view.developers,
    applied,
  });
  return ok ? results : undefined;
}

/**
 * The change metrics of `commits` (one repository, in stream order), applying each to the
 * repository's history at most once. Throws AbortedError when other writers kept winning.
 */
export async function processCommits(store: HistoryStore, repoId: string, commits: readonly CommitInput[], options: ProcessOptions = {}): Promise<CommitResult[]> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (const c of commits) {
    if (c.repo_id !== repoId) throw new InvalidArgumentError(`commit ${c.sha} belongs to ${c.repo_id}, not ${repoId}; batches are per repository`, 'repo_id');
  }
  for (let i = 0; i < maxAttempts; i++) {
    const results = await attempt(store, repoId, commits);
    if (results) return results;
  }
  throw new AbortedError(`history of ${repoId} kept changing under ${maxAttempts} attempts; another instance is writing the same repository`, {
    repoId,
  });
}
