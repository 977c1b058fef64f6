// Defect labels (schemas/label.avsc) and how they are made.
//
// - A fix is found from its message (message_pattern) or from a bug issue that names it or
//   that its message closes (issue_link).
// - SZZ: the commits that last touched the lines a fix deleted or changed are bug-inducing.
//   That needs hunks (a git mirror or a backfill from a clone); with numstat-only events
//   (webhooks, ../shared/data/express-commits.jsonl.gz) only fixes are labeled and no commit
//   is ever labeled bug-inducing — a training set built on such a repository has no positives
//   from SZZ, and the trainer must be told so, not shown zeros.
// - A label carries label_known_at, the earliest time it could be known: the fix's commit
//   time, or the time the bug issue linked it if that came later. A training set for a cutoff
//   keeps only labels known before it.

export type LabelMethod = 'message_pattern' | 'issue_link' | 'szz' | 'manual' | 'other';

export interface CommitLabel {
  event_id: string;
  event_time: number;
  repo_id: string;
  sha: string;
  is_bug_inducing: boolean;
  is_fix: boolean;
  method: LabelMethod;
  fix_shas: string[];
  issue_numbers: number[];
  confidence: number | null;
  label_known_at: number;
}

function label(repoId: string, sha: string, method: LabelMethod, knownAt: number, rest: Pick<CommitLabel, 'is_bug_inducing' | 'is_fix' | 'fix_shas' | 'issue_numbers'>): CommitLabel {
  return {
    event_id: `${repoId}:${sha}:${method}:${knownAt}`,
    event_time: knownAt,
    repo_id: repoId,
    sha,
    method,
    confidence: null,
    label_known_at: knownAt,
    ...rest,
  };
}

/** The commit `sha` fixes a bug, known from its message at its commit time. */
export function messageFixLabel(repoId: string, sha: string, commitTime: number): CommitLabel {
  return label(repoId, sha, 'message_pattern', commitTime, { is_bug_inducing: false, is_fix: true, fix_shas: [], issue_numbers: [] });
}

/** The commit `sha` fixes the bug issues `issues` (number → time the link became known). */
export function issueFixLabel(repoId: string, sha: string, issues: Readonly<Record<string, number>>): CommitLabel {
  const numbers = Object.keys(issues).map(Number).sort((a, b) => a - b);
  const knownAt = Math.max(...Object.values(issues));
  return label(repoId, sha, 'issue_link', knownAt, { is_bug_inducing: false, is_fix: true, fix_shas: [], issue_numbers: numbers });
}

/**
 * The commit `sha` induced bugs that the fixes in `inducedBy` (fix sha → time known) repaired.
 * Known when the latest of them was; an earlier label of the same commit is superseded.
 */
export function szzLabel(repoId: string, sha: string, isFix: boolean, inducedBy: Readonly<Record<string, number>>): CommitLabel {
  const knownAt = Math.max(...Object.values(inducedBy));
  return label(repoId, sha, 'szz', knownAt, { is_bug_inducing: true, is_fix: isFix, fix_shas: Object.keys(inducedBy).sort(), issue_numbers: [] });
}
