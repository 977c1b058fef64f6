// The per-repository history the change metrics need, and the store interface that keeps it.
// Every record is plain JSON so Redis and the in-memory store hold the same thing.

/** What the history knows about one path. */
export interface FileHistory {
  /**
   * Sum of (added - deleted) over the file's changes. Not floored: the feature (LT) floors,
   * so the value does not depend on where in the history a clamp happened.
   */
  lines: number;
  /** Commit time (epoch ms) of the file's last change in stream order. */
  lastChangedAt: number;
  /** Distinct author ids of the file's changes (NDEV). */
  authors: string[];
  /** Repository sequence numbers of the commits that changed the file, ascending (NUC). */
  changes: number[];
}

/** What the history knows about one author in one repository. */
export interface DeveloperHistory {
  /** Commit times (epoch ms) of the author's commits, in stream order (EXP = length, REXP). */
  times: number[];
  /**
   * Count of the author's commits per set of subsystems touched, keyed by the sorted subsystem
   * names joined with '/' (which no subsystem name contains) (SEXP counts the commits whose
   * set meets the current one).
   */
  subsystemSets: Record<string, number>;
}

/** The change metrics of one commit, keyed by jit_change_metrics@v1 feature names. */
export type JitValues = Record<string, number>;

/** A commit already applied to the history, with the values it got then. */
export interface AppliedCommit {
  values: JitValues;
}

/** Read access to the history as it stands before a commit. */
export interface HistoryView {
  /** Commits added to the history so far; the next one gets `seq + 1`. */
  readonly seq: number;
  file(path: string): FileHistory | undefined;
  developer(authorId: string): DeveloperHistory | undefined;
}

/** What one commit changes in the history. */
export interface HistoryDelta {
  seq: number;
  /** New record per path; null removes the path (deleted, or renamed away). */
  files: Map<string, FileHistory | null>;
  developers: Map<string, DeveloperHistory>;
}

/** The keys a batch of commits needs. */
export interface HistoryRequest {
  paths: readonly string[];
  developers: readonly string[];
  shas: readonly string[];
}

/** One repository's history restricted to the requested keys, as of one version. */
export interface HistorySnapshot {
  /** Optimistic-concurrency token: changes on every successful write of the repository. */
  version: number;
  seq: number;
  files: Map<string, FileHistory>;
  developers: Map<string, DeveloperHistory>;
  /** The requested shas that were already applied. */
  applied: Map<string, AppliedCommit>;
}

/** Everything a batch changes, written all or nothing. */
export interface HistoryWrite {
  /** The snapshot's version; the write fails if the repository moved on since. */
  expectedVersion: number;
  seq: number;
  files: Map<string, FileHistory | null>;
  developers: Map<string, DeveloperHistory>;
  applied: Map<string, AppliedCommit>;
}

/**
 * Where the history lives. One repository's history is written only through `write`, which
 * is atomic and conditional on the version read, so a redelivered batch or a second instance
 * racing on the same repository cannot apply a commit twice.
 */
export interface HistoryStore {
  load(repoId: string, request: HistoryRequest): Promise<HistorySnapshot>;
  /** True when written; false when the repository's version was not `expectedVersion`. */
  write(repoId: string, write: HistoryWrite): Promise<boolean>;
}
