// The Avro event shapes ingest produces (schemas/commit.avsc, pull_request.avsc, issue.avsc), as
// plain objects: times are epoch milliseconds (timestamp-millis), unions are `T | null`.

export type ScmProvider = 'github' | 'gitlab' | 'git' | 'other';
export type IngestSource = 'webhook' | 'api' | 'git' | 'backfill' | 'producer';
export type FileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'unknown';

export interface DiffLine {
  number: number;
  content: string;
}

export interface Hunk {
  old_start: number;
  old_lines: number;
  new_start: number;
  new_lines: number;
  deleted_lines: DiffLine[];
  added_lines: DiffLine[];
}

export interface FileChange {
  path: string;
  old_path: string | null;
  status: FileStatus;
  lines_added: number;
  lines_deleted: number;
  binary: boolean;
  hunks: Hunk[] | null;
}

export interface CommitEvent {
  event_id: string;
  event_time: number;
  repo_id: string;
  repo_name: string;
  provider: ScmProvider;
  sha: string;
  parents: string[];
  author_id: string;
  committer_id: string;
  author_time: number;
  commit_time: number;
  message: string;
  files: FileChange[];
  branch: string | null;
  source: IngestSource;
}

export type PullRequestState = 'open' | 'closed' | 'merged' | 'unknown';

export interface PullRequestEvent {
  event_id: string;
  event_time: number;
  repo_id: string;
  repo_name: string;
  provider: ScmProvider;
  number: number;
  action: string;
  state: PullRequestState;
  title: string;
  body: string | null;
  author_id: string;
  base_ref: string;
  base_sha: string;
  head_ref: string;
  head_sha: string;
  merged: boolean;
  merge_commit_sha: string | null;
  commit_shas: string[];
  labels: string[];
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  merged_at: number | null;
  source: IngestSource;
}

export type IssueState = 'open' | 'closed' | 'unknown';

export interface IssueEvent {
  event_id: string;
  event_time: number;
  repo_id: string;
  repo_name: string;
  provider: ScmProvider;
  number: number;
  action: string;
  state: IssueState;
  title: string;
  body: string | null;
  author_id: string;
  labels: string[];
  is_bug: boolean;
  referenced_commit_shas: string[];
  referenced_pull_requests: number[];
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  source: IngestSource;
}

/** What one delivery turns into: records for the three topics, in publishing order. */
export type IngestEvent =
  | { kind: 'commit'; value: CommitEvent }
  | { kind: 'pull_request'; value: PullRequestEvent }
  | { kind: 'issue'; value: IssueEvent };

/**
 * A commit as a push webhook describes it: known paths but no line counts, hunks or parents.
 * `needsEnrichment` stays true until an SCM API or git mirror filled those in.
 */
export interface CommitDraft {
  event: CommitEvent;
  needsEnrichment: boolean;
}
