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
// - Labels are never deleted, only superseded: the newest label_known_at for a (repo_id, sha,
//   method) wins. When a bug issue stops being one (schemas/issue.avsc is_bug false), the
//   issue_link labels it caused are re-emitted reduced (other bug issues still link the commit)
//   or negative (is_fix false), and the SZZ labels of commits implicated only through fixes that
//   are no longer fixes by any method are re-emitted reduced or negative (is_bug_inducing
//   false). A superseding label must be newer than the one it replaces, or readers keep the
//   stale one: supersedingAt moves it 1 ms past when its natural time is not.

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

function label(
  repoId: string,
  sha: string,
  method: LabelMethod,
  knownAt: number,
  rest: Pick<CommitLabel, 'is_bug_inducing' | 'is_fix' | 'fix_shas' | 'issue_numbers'>,
): CommitLabel {
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
  return label(repoId, sha, 'message_pattern', commitTime, {
    is_bug_inducing: false,
    is_fix: true,
    fix_shas: [],
    issue_numbers: [],
  });
}

/** Latest time in a map of times; undefined for an empty map. */
export function latest(times: Readonly<Record<string, number>>): number | undefined {
  const values = Object.values(times);
  return values.length === 0 ? undefined : Math.max(...values);
}

/**
 * label_known_at for a label that supersedes one known at `previous` (undefined: none was
 * emitted): its natural time, or 1 ms past the previous one when that is not newer. Readers
 * (the topic's contract, ClickHouse argMax) order a commit's labels by this time alone, so a
 * superseding label stamped at or before the one it replaces would lose to it for good. Moving
 * it later, never earlier, keeps point-in-time reads honest: it is never visible before the
 * event that caused it.
 */
export function supersedingAt(natural: number, previous: number | undefined): number {
  return previous === undefined || natural > previous ? natural : previous + 1;
}

/**
 * The commit `sha` fixes the bug issues `issues` (number → time the link became known); known
 * at the latest of them unless `knownAt` says otherwise. With no issues left it is a retraction:
 * is_fix false, and `knownAt` is required.
 */
export function issueFixLabel(
  repoId: string,
  sha: string,
  issues: Readonly<Record<string, number>>,
  knownAt?: number,
): CommitLabel {
  const numbers = Object.keys(issues)
    .map(Number)
    .sort((a, b) => a - b);
  const at = knownAt ?? latest(issues);
  if (at === undefined) throw new RangeError(`an issue_link label of ${sha} without issues needs its known-at time`);
  return label(repoId, sha, 'issue_link', at, {
    is_bug_inducing: false,
    is_fix: numbers.length > 0,
    fix_shas: [],
    issue_numbers: numbers,
  });
}

/**
 * The commit `sha` induced bugs that the fixes in `inducedBy` (fix sha → time known) repaired.
 * Known when the latest of them was unless `knownAt` says otherwise; an earlier label of the same
 * commit is superseded. With no fixes left it is a retraction: is_bug_inducing false, and
 * `knownAt` is required.
 */
export function szzLabel(
  repoId: string,
  sha: string,
  isFix: boolean,
  inducedBy: Readonly<Record<string, number>>,
  knownAt?: number,
): CommitLabel {
  const fixShas = Object.keys(inducedBy).sort();
  const at = knownAt ?? latest(inducedBy);
  if (at === undefined) throw new RangeError(`an szz label of ${sha} without fixes needs its known-at time`);
  return label(repoId, sha, 'szz', at, {
    is_bug_inducing: fixShas.length > 0,
    is_fix: isFix,
    fix_shas: fixShas,
    issue_numbers: [],
  });
}
