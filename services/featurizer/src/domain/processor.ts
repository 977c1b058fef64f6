// Applies one repository's events to its state, exactly once per event, through any
// HistoryStore. At-least-once delivery means an event can come again (a redelivered batch
// after a crash, the same commit from a webhook and a backfill): the store keeps a compact
// record per applied sha for good, so a repeat is never counted twice, and what the commit
// produced for the redelivery window (retention.ts), so a repeat within it re-emits exactly
// that. A batch's changes are written in one conditional write, so a crash leaves either all
// or none of them, and a second writer forces a recompute.

import { InvalidArgumentError } from '@omen/errors';
import { LARGE_COMMIT_FILES } from './blame.ts';
import type { CodeAnalysis, CodeAnalyzer, CodeFileInput } from './code/types.ts';
import { applyBlame, DAG_KEY, prefetchBlame, type BlamedFile, type BlameListener } from './commit-blame.ts';
import type { CommitInput } from './commit.ts';
import { isMerge } from './commit.ts';
import { closedIssues, isFixMessage } from './fix.ts';
import type { CommitOutputs, CommitRecord, HistoryStore, LegacyCommitRecord, RecordRequest } from './history.ts';
import { issueOutputsKey } from './history.ts';
import { changeMetrics, historyDelta, historyKeys, resolveTouches } from './kamei.ts';
import type { CommitLabel } from './labels.ts';
import { issueFixLabel, messageFixLabel } from './labels.ts';
import { applyIssue, blameInducers, Emission, fixKnownAt, type IssueInput } from './labeling.ts';
import { hasChanges, RepoOverlay, withRetries } from './overlay.ts';
import { DEFAULT_BLAME_WINDOW } from './retention.ts';

// The walk's stages live beside it (overlay.ts, commit-blame.ts, labeling.ts); what callers
// import stays here.
export type { CodeAnalysis, CodeAnalyzer, CodeFileInput };
export type { BlamedFile, IssueInput };
export { blameAt } from './commit-blame.ts';

export interface CommitResult {
  sha: string;
  /**
   * What the commit produced. Null only for a commit applied before whose outputs have left
   * the redelivery window: it is not applied again (the history already counts it) and there is
   * nothing to re-emit. Its rows were acknowledged by every sink when it was first processed,
   * since the window is at least a batch and a repository's next batch starts only after that.
   * Recomputing instead would both double count it and, with a newer computed_at, replace the
   * correct rows with values computed against a history that already holds it and its successors.
   */
  outputs: CommitOutputs | null;
  /** True when the commit had been applied before (`outputs` are the recorded ones, or null). */
  replayed: boolean;
  /** True when a parent had not been applied before it: history metrics computed on a gap. */
  gap: boolean;
  /** The parents not applied before it (present on a commit applied now with `gap`), for the log. */
  missingParents?: string[];
}

export interface ProcessOptions {
  /**
   * Attempts when another writer moved the repository's state between read and write.
   * @default 5
   */
  maxAttempts?: number;
  /** Computes code metrics when file contents or hunks are known; none computed without it. */
  analyzer?: CodeAnalyzer;
  /**
   * The clock that stamps `computedAt` (epoch ms).
   * @default Date.now
   */
  now?: () => number;
  /**
   * Stream positions a superseded file version stays reachable for a new branch (dag.ts
   * compactVersions).
   * @default DEFAULT_BLAME_WINDOW
   */
  blameWindow?: number;
  /**
   * Told, for each commit applied, the old lines each file change removed with the commit git
   * blame gives them in the first parent, before any filter: for diagnostics and the comparison
   * with `git blame`.
   */
  onBlame?: BlameListener;
}

function requestFor(commits: readonly CommitInput[]): RecordRequest {
  const paths = new Set<string>();
  const developers = new Set<string>();
  const issues = new Set<string>();
  for (const c of commits) {
    const keys = historyKeys(c);
    for (const p of keys.paths) paths.add(p);
    for (const d of keys.developers) developers.add(d);
    for (const n of closedIssues(c.message)) issues.add(String(n));
  }
  const shas = commits.map((c) => c.sha);
  // Parents too: a commit whose parent was never applied is flagged as computed on a gap.
  const commitKeys = [...new Set([...shas, ...commits.flatMap((c) => c.parents)])];
  return {
    file: [...paths],
    versions: [...paths],
    dag: [DAG_KEY],
    dev: [...developers],
    commit: commitKeys,
    outputs: shas,
    pending: shas,
    issue: [...issues],
  };
}

/** Outputs kept for a redelivery: in `outputs`, or inline in a record from before that namespace. */
function recordedOutputs(overlay: RepoOverlay, sha: string, rec: CommitRecord): CommitOutputs | null {
  // A sha key only ever holds a commit's outputs (issue events have their own key form).
  return (overlay.get('outputs', sha) as CommitOutputs | undefined) ?? (rec as LegacyCommitRecord).outputs ?? null;
}

function withAnalysis(outputs: CommitOutputs, analysis: CodeAnalysis | null): void {
  outputs.code = analysis?.values ?? null;
  outputs.fileMetrics = analysis?.files ?? null;
  outputs.findings = analysis?.findings ?? [];
}

async function applyOne(
  overlay: RepoOverlay,
  commit: CommitInput,
  options: ProcessOptions,
  now: number,
  analyses: Promise<void>[],
): Promise<{ outputs: CommitOutputs; gap: boolean }> {
  const { analyzer } = options;
  const gap = commit.parents.some((p) => overlay.get('commit', p) === undefined);
  const touches = resolveTouches(overlay, commit);
  const values = changeMetrics(overlay, commit, touches);
  const delta = historyDelta(overlay, commit, touches);
  const blame = await applyBlame(overlay, commit, options.blameWindow ?? DEFAULT_BLAME_WINDOW, options.onBlame);
  overlay.seq = delta.seq;
  for (const [p, r] of delta.files) overlay.set('file', p, r);
  for (const [d, r] of delta.developers) overlay.set('dev', d, r);

  const merge = isMerge(commit);
  const byMessage = !merge && isFixMessage(commit.message);
  const fixesIssues: Record<string, number> = {};
  if (!merge) {
    // Issues its message closes, and issues that named this sha before it arrived.
    const linked = new Set([
      ...closedIssues(commit.message).map(String),
      ...(overlay.get('pending', commit.sha) ?? []),
    ]);
    await overlay.ensure({ issue: [...linked] });
    for (const n of linked) {
      const issue = overlay.get('issue', n) ?? { isBug: false, bugSince: null, shas: [] };
      if (!issue.shas.includes(commit.sha)) overlay.set('issue', n, { ...issue, shas: [...issue.shas, commit.sha] });
      if (issue.isBug) fixesIssues[n] = Math.max(commit.commit_time, issue.bugSince ?? commit.commit_time);
    }
    if (overlay.get('pending', commit.sha)) overlay.set('pending', commit.sha, null);
  }
  const fix = byMessage || Object.keys(fixesIssues).length > 0;
  const emit = new Emission();
  if (byMessage) emit.add(messageFixLabel(commit.repo_id, commit.sha, commit.commit_time));
  if (Object.keys(fixesIssues).length > 0) emit.add(issueFixLabel(commit.repo_id, commit.sha, fixesIssues));
  if (fix)
    await blameInducers(
      overlay,
      emit,
      commit.repo_id,
      commit.sha,
      blame.blamed,
      fixKnownAt({ commitTime: commit.commit_time, fixesIssues }, byMessage),
    );
  const labels = emit.labels;

  const analysis = analyzer && blame.code.length > 0 ? analyzer(blame.code) : null;
  const outputs: CommitOutputs = { computedAt: now, jit: values, code: null, fileMetrics: null, findings: [], labels };
  // Parsed elsewhere: filled in before the batch is written (processCommits awaits `analyses`).
  if (analysis instanceof Promise) {
    const filled = analysis.then((a) => withAnalysis(outputs, a));
    filled.catch(() => undefined); // awaited with the others; a walk that fails first must not leave it unhandled
    analyses.push(filled);
  } else withAnalysis(outputs, analysis);
  overlay.set('commit', commit.sha, {
    seq: merge ? null : delta.seq,
    commitTime: commit.commit_time,
    fix,
    fixByMessage: byMessage,
    blamed: blame.blamed,
    fullyBlamed: blame.fullyBlamed,
    chain: blame.position.chain,
    depth: blame.position.depth,
    ...(commit.files.length > LARGE_COMMIT_FILES ? { bulk: true } : {}),
    inducedBy: overlay.get('commit', commit.sha)?.inducedBy ?? {},
    fixesIssues,
    ...(gap ? { gap: true as const } : {}),
  });
  overlay.set('outputs', commit.sha, outputs);
  overlay.applied.push(commit.sha);
  return { outputs, gap };
}

function checkRepo(repoId: string, items: readonly { repo_id: string }[]): void {
  for (const c of items) {
    if (c.repo_id !== repoId)
      throw new InvalidArgumentError(
        `an event of ${c.repo_id} is in a batch of ${repoId}; batches are per repository`,
        'repo_id',
      );
  }
}

/**
 * Everything `commits` (one repository, in stream order) produce, applying each to the
 * repository's state at most once. Throws AbortedError when other writers kept winning.
 */
export async function processCommits(
  store: HistoryStore,
  repoId: string,
  commits: readonly CommitInput[],
  options: ProcessOptions = {},
): Promise<CommitResult[]> {
  checkRepo(repoId, commits);
  const now = options.now ?? Date.now;
  return withRetries(repoId, options.maxAttempts ?? 5, async () => {
    const request = requestFor(commits);
    const overlay = new RepoOverlay(store, repoId, await store.load(repoId, request), request);
    await prefetchBlame(overlay, commits);
    const results: CommitResult[] = [];
    const analyses: Promise<void>[] = [];
    for (const commit of commits) {
      const known = overlay.get('commit', commit.sha);
      if (known) {
        results.push({
          sha: commit.sha,
          outputs: recordedOutputs(overlay, commit.sha, known),
          replayed: true,
          gap: known.gap === true,
        });
        continue;
      }
      const missingParents = commit.parents.filter((p) => overlay.get('commit', p) === undefined);
      results.push({
        sha: commit.sha,
        ...(await applyOne(overlay, commit, options, now(), analyses)),
        replayed: false,
        ...(missingParents.length > 0 ? { missingParents } : {}),
      });
    }
    await Promise.all(analyses);
    if (!hasChanges(overlay)) return results;
    const ok = await store.write(repoId, {
      expectedVersion: overlay.version,
      seq: overlay.seq,
      changes: overlay.changes,
      applied: overlay.applied,
      now: now(),
    });
    return ok ? results : undefined;
  });
}

/**
 * Labels that `issues` (one repository's issue events, in order) produce. Each event is the
 * issue's state after its action (schemas/issue.avsc), and `is_bug` is the classification:
 * - a bug issue makes the commits it names, or whose messages close it, fixes (issue_link), and
 *   their SZZ candidates bug-inducing;
 * - an issue that stops being a bug issue retracts what it caused: each commit it linked gets a
 *   superseding issue_link label (reduced to the bug issues still linking it, or is_fix false),
 *   and a commit that is then no longer a fix by any method (a fix message still counts) takes
 *   its SZZ candidates' labels back with it (reduced, or is_bug_inducing false when no fix is
 *   left). Labeling it a bug again brings the labels back, newer again.
 * Only changes are emitted, each newer than the label it supersedes (supersedingAt). An event
 * older than one already applied to the issue only adds its references. With an event id, the
 * labels an event produced are kept for the redelivery window (like a commit's outputs), so a
 * redelivered event re-emits exactly those; beyond the window a redelivery is applied again,
 * which changes nothing and emits nothing since the state already holds it.
 */
export async function processIssues(
  store: HistoryStore,
  repoId: string,
  issues: readonly IssueInput[],
  options: Pick<ProcessOptions, 'maxAttempts' | 'now'> = {},
): Promise<CommitLabel[][]> {
  checkRepo(repoId, issues);
  const now = options.now ?? Date.now;
  return withRetries(repoId, options.maxAttempts ?? 5, async () => {
    const keys = issues.flatMap((i) => (i.event_id === undefined ? [] : [issueOutputsKey(i.event_id)]));
    const request: RecordRequest = {
      issue: [...new Set(issues.map((i) => String(i.number)))],
      outputs: [...new Set(keys)],
    };
    const overlay = new RepoOverlay(store, repoId, await store.load(repoId, request), request);
    const out: CommitLabel[][] = [];
    for (const ev of issues) {
      const key = ev.event_id === undefined ? undefined : issueOutputsKey(ev.event_id);
      const stored = key === undefined ? undefined : overlay.get('outputs', key);
      if (stored) {
        out.push(stored.labels);
        continue;
      }
      const labels = await applyIssue(overlay, repoId, ev);
      if (key !== undefined) {
        overlay.set('outputs', key, { computedAt: now(), labels });
        overlay.applied.push(key);
      }
      out.push(labels);
    }
    const ok = await store.write(repoId, {
      expectedVersion: overlay.version,
      seq: overlay.seq,
      changes: overlay.changes,
      applied: overlay.applied,
      now: now(),
    });
    return ok ? out : undefined;
  });
}
