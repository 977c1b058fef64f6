// The Avro events ingest produces are the contract types generated from schemas/*.avsc (times
// are epoch milliseconds, unions `T | null`); the aliases keep ingest's own names short.
import type { Commit, Issue, PullRequest, ScmProvider } from '@omen/contracts';

export type {
  DiffLine,
  FileChange,
  FileStatus,
  Hunk,
  IngestSource,
  IssueState,
  PullRequestState,
  ScmProvider,
} from '@omen/contracts';

/** Where a payload's repository lives; GitLab enrichment addresses projects by numeric id. */
export interface RepoRef {
  provider: ScmProvider;
  /** `github:owner/name`, the Kafka key. */
  id: string;
  /** `owner/name` as the SCM spells it. */
  name: string;
  gitlabProjectId?: number;
}

export type CommitEvent = Commit;
export type PullRequestEvent = PullRequest;
export type IssueEvent = Issue;

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
