// The per-repository state the featurizer keeps between events, and the store interface that
// holds it. Every record is plain JSON so Redis and the in-memory store hold the same thing.

import type { DagRecord, FileVersion } from './dag.ts';
import type { CommitLabel } from './labels.ts';

/** What the history knows about one path (change metrics). */
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
  /** Commit times (epoch ms) of the author's commits, ascending (EXP = length, REXP). */
  times: number[];
  /**
   * Count of the author's commits per set of subsystems touched, keyed by the sorted subsystem
   * names joined with '/' (which no subsystem name contains); SEXP counts the commits whose
   * set meets the current one.
   */
  subsystemSets: Record<string, number>;
}

/**
 * A file's lines with the commit that last touched each (blame) as one commit left them, kept
 * only while every change to the file came with hunks; a numstat-only change makes it unknown
 * again.
 */
export interface FileLines {
  /** Shas that own at least one line; `origin` indexes into it. */
  shas: string[];
  /** Per line (0-based), the index in `shas` of the commit that last touched it. */
  origin: number[];
  /** Per line, its text. */
  text: string[];
}

/** The change metrics of one commit, keyed by jit_change_metrics@v1 feature names. */
export type JitValues = Record<string, number>;

/** Code metrics of one file, keyed by code_file_metrics@v1 names. */
export interface FileMetricsRow {
  path: string;
  values: Record<string, number>;
}

/** Everything processing a commit produced, kept so a redelivery re-emits exactly the same. */
export interface CommitOutputs {
  /** When the featurizer first computed these (epoch ms): the time the features became known. */
  computedAt: number;
  jit: JitValues;
  /** code_metrics@v1 values; null when no touched file's contents were known. */
  code: Record<string, number> | null;
  fileMetrics: FileMetricsRow[] | null;
  /** Security-pattern hits in the added lines. */
  findings: SecurityFinding[];
  /** Every label this commit produced: its own fix labels and SZZ labels of the commits it blamed. */
  labels: CommitLabel[];
}

/** One security-pattern hit (the matched text is not kept: it may be a secret). */
export interface SecurityFinding {
  path: string;
  /** 1-based line in the new file. */
  line: number;
  rule: string;
}

/**
 * A commit applied to the repository state: what labeling still needs from it at any distance
 * (see retention.ts). Kept for good; its outputs live apart, in the bounded `outputs` namespace.
 */
export interface CommitRecord {
  /** Repository sequence number; null for merges, which do not enter the history. */
  seq: number | null;
  commitTime: number;
  /** Whether the commit is known to fix a bug (message pattern or issue link). */
  fix: boolean;
  /** Whether its message marks it a fix: then its fix is known from its commit time. */
  fixByMessage: boolean;
  /**
   * SZZ candidates: shas that last touched the lines this commit deleted or changed
   * (cosmetic lines left out), with how many lines each. Empty without hunks.
   */
  blamed: Record<string, number>;
  /** Whether every touched text file came with hunks (SZZ ran on all of it). */
  fullyBlamed: boolean;
  /**
   * Place in the commit graph (dag.ts): first-parent chain and depth. Absent in records written
   * before the graph was kept: a child of such a commit starts from unknown blame.
   */
  chain?: number;
  depth?: number;
  /** Touched more than LARGE_COMMIT_FILES files (blame.ts): SZZ does not label it. Absent when not. */
  bulk?: true;
  /** Fix commits whose SZZ blamed this commit, and the time each label became known. */
  inducedBy: Record<string, number>;
  /**
   * True when a parent had not been applied before this commit: its history metrics (and SZZ
   * blame) were computed on a gap. Absent when every parent was there (or it has none), so the
   * record stays as small as before. `./scripts/omen audit` reports these.
   */
  gap?: true;
  /** Bug issues this commit is known to fix, with the time each link became known. */
  fixesIssues: Record<string, number>;
  /**
   * label_known_at of the last label emitted for this commit by a method, where it is not the
   * latest time in `fixesIssues` (issue_link) or `inducedBy` (szz): after a retraction or a
   * label moved past the one it superseded (labels.ts, supersedingAt). Absent for most commits.
   */
  labelAt?: Partial<Record<SupersededMethod, number>>;
}

/** The methods whose labels can be retracted or reduced by a later issue event. */
export type SupersededMethod = 'issue_link' | 'szz';

/**
 * A commit record as written before outputs had their own namespace: outputs inline, no
 * `fixByMessage`. Still read (state of an earlier version), never written.
 */
export type LegacyCommitRecord = Omit<CommitRecord, 'fixByMessage'> & {
  fixByMessage?: boolean;
  outputs?: CommitOutputs;
};

/** A repository issue as far as labeling cares. */
export interface IssueRecord {
  isBug: boolean;
  /** Event time at which the issue was first seen classified as a bug; null while not a bug. */
  bugSince: number | null;
  /** Commits that fix it (closing keywords in their messages, or the issue's references). */
  shas: string[];
  /**
   * Event time of the latest event applied; an older event (out of order, or redelivered after
   * its outputs left the window) adds its references but does not change the classification.
   * Absent in records written before retraction existed.
   */
  at?: number;
}

/** What one issue event produced, kept (like CommitOutputs) so a redelivery re-emits the same. */
export interface IssueEventOutputs {
  computedAt: number;
  labels: CommitLabel[];
}

/** The record types, by namespace. */
export interface RepoRecords {
  file: FileHistory;
  dev: DeveloperHistory;
  /** A file's blame as commit `<sha>` left it, keyed `<sha>:<path>` (see `versions`). */
  blame: FileLines;
  /** Path → the versions of the file (dag.ts): which commits changed it, and where in the graph. */
  versions: FileVersion[];
  /** The commit graph's chains, one record under the key `chains`. */
  dag: DagRecord;
  commit: CommitRecord;
  /**
   * What a commit (keyed by sha) or an issue event (keyed by issueOutputsKey) produced, kept
   * for the redelivery window only (retention.ts).
   */
  outputs: CommitOutputs | IssueEventOutputs;
  issue: IssueRecord;
  /** Issue numbers (as strings) an issue linked to a sha before that commit arrived. */
  pending: string[];
}

export type Namespace = keyof RepoRecords;
export const namespaces: readonly Namespace[] = [
  'file',
  'dev',
  'blame',
  'versions',
  'dag',
  'commit',
  'outputs',
  'issue',
  'pending',
];

/** Keys to load, per namespace. */
export type RecordRequest = { [N in Namespace]?: readonly string[] };
/** Loaded records (absent keys are simply missing). */
export type RecordMaps = { [N in Namespace]: Map<string, RepoRecords[N]> };
/** New records per namespace; null deletes. */
export type RecordChanges = { [N in Namespace]: Map<string, RepoRecords[N] | null> };

export interface RepoSnapshot {
  /** Optimistic-concurrency token: changes on every successful write of the repository. */
  version: number;
  /** Commits added to the history so far; the next one gets `seq + 1`. */
  seq: number;
  records: RecordMaps;
}

export interface RepoWrite {
  /** The version the changes were computed from; the write fails if the repository moved on. */
  expectedVersion: number;
  seq: number;
  changes: RecordChanges;
  /** Shas (and issue-event output keys) this write applies, in stream order: their outputs enter the redelivery window. */
  applied: readonly string[];
  /** Processing time of the write (epoch ms): dates the pending links it adds, ages the others. */
  now: number;
}

/**
 * Where the featurizer's per-repository state lives. A repository's state changes only through
 * `write`, which is atomic and conditional on the version read, so a redelivered batch or a
 * second instance racing on the same repository cannot apply an event twice.
 */
export interface HistoryStore {
  load(repoId: string, request: RecordRequest): Promise<RepoSnapshot>;
  /**
   * True when written; false when the repository's version was not `expectedVersion`. In the
   * same atomic step the store drops what its retention (retention.ts) no longer covers.
   */
  write(repoId: string, write: RepoWrite): Promise<boolean>;
}

/** The `outputs` key of an issue event: never a sha, so the two kinds cannot collide. */
export function issueOutputsKey(eventId: string): string {
  return `issue:${eventId}`;
}

export function emptyRecordMaps(): RecordMaps {
  return {
    file: new Map(),
    dev: new Map(),
    blame: new Map(),
    versions: new Map(),
    dag: new Map(),
    commit: new Map(),
    outputs: new Map(),
    issue: new Map(),
    pending: new Map(),
  };
}

export function emptyChanges(): RecordChanges {
  return {
    file: new Map(),
    dev: new Map(),
    blame: new Map(),
    versions: new Map(),
    dag: new Map(),
    commit: new Map(),
    outputs: new Map(),
    issue: new Map(),
    pending: new Map(),
  };
}

/** Read access to the change-metrics history as it stands before a commit. */
export interface HistoryView {
  readonly seq: number;
  file(path: string): FileHistory | undefined;
  developer(authorId: string): DeveloperHistory | undefined;
}

/** What one commit changes in the change-metrics history. */
export interface HistoryDelta {
  seq: number;
  /** New record per path; null removes the path (deleted, or renamed away). */
  files: Map<string, FileHistory | null>;
  developers: Map<string, DeveloperHistory>;
}
