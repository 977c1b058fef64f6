import { z } from 'zod';
import { commitFromDetail, DetailParseError, detailFromGithub, detailFromGitlab, type CommitDetail } from './enrich.ts';
import type { CommitDraft } from './events.ts';
import type { RepoRef } from './events.ts';
import { commitEventId } from './ids.ts';
import { describeZodError, isZeroSha } from './validation.ts';

/**
 * The range a push webhook covers, kept so a truncated commit list can be completed from the SCM
 * API. GitLab hooks list the newest 20 commits and say how many there were
 * (`total_commits_count`); GitHub webhooks list up to 2048 and say nothing about the rest (the
 * 20-commit cap in GitHub's docs is the Events API's, and `size` exists only there).
 */
export interface PushRange {
  /** Lower-case sha before the push; all zeros when the push created the branch. */
  before: string;
  after: string;
  branch: string;
  /** Commits the hook listed. */
  listed: number;
  /** Commits the push has, when the SCM says (GitLab); undefined when it does not (GitHub). */
  total?: number;
  /** Whether the hook may list fewer commits than the push has. */
  truncated: boolean;
  /** The project's default branch: GitLab counts a new branch's commits against it. */
  defaultBranch?: string;
}

/** GitHub's webhook cap on `commits`; a push listing this many may have more. */
export const githubPushCommitCap = 2048;

/** A commit of a compared range: everything but its files, which only enrichment supplies. */
export type RangeCommit = Omit<CommitDetail, 'files'>;

/** The commits between two revisions as an SCM API lists them, and how many it says there are. */
export interface CommitRange {
  commits: RangeCommit[];
  /** The API's own count; more than `commits.length` when the listing stopped early. */
  total: number;
}

/**
 * The base to compare a truncated push against, or why there is none. A new branch has no
 * `before`; GitLab itself counts such a push as the commits not on the default branch, so that
 * is the base there. GitHub does not say what it listed for a new branch, so nothing is fetched.
 */
export function comparisonBase(
  provider: RepoRef['provider'],
  range: PushRange,
): { base: string } | { none: 'new_branch' } {
  if (!isZeroSha(range.before)) return { base: range.before };
  if (provider === 'gitlab' && range.defaultBranch && range.defaultBranch !== range.branch)
    return { base: range.defaultBranch };
  return { none: 'new_branch' };
}

export interface CompletedPush {
  commits: CommitDraft[];
  /** Commits added to what the hook listed. */
  fetched: number;
  /** Commits of the push still unpublished as far as anyone said (the hook's or the API's count). */
  missing: number;
}

/**
 * The listed drafts merged with the commits the API returned for the push's range: every commit
 * once, parents before children (the topic's order is the order a consumer replays history in),
 * real parents instead of the webhook's linear guess. A listed commit keeps its webhook fields
 * (the file paths); an added one is built as enrichment would build it, with the same event id,
 * and waits for enrichment for its files and line counts.
 */
export function completePush(
  repo: RepoRef,
  range: PushRange,
  listed: readonly CommitDraft[],
  fetched: CommitRange,
  pseudonymKey: string,
): CompletedPush {
  const bySha = new Map(listed.map((d) => [d.event.sha, d]));
  const merged: CommitDraft[] = [];
  const seen = new Set<string>();
  let added = 0;
  for (const c of fetched.commits) {
    const sha = c.sha.toLowerCase();
    if (seen.has(sha)) continue;
    seen.add(sha);
    const parents = c.parents.map((p) => p.toLowerCase());
    const known = bySha.get(sha);
    if (known) {
      merged.push({ ...known, event: { ...known.event, parents } });
      continue;
    }
    const event = commitFromDetail(
      { ...c, sha, parents, files: [] },
      {
        event_id: commitEventId(repo.id, sha),
        repo_id: repo.id,
        repo_name: repo.name,
        provider: repo.provider,
        branch: range.branch,
        source: 'webhook',
      },
      pseudonymKey,
    );
    merged.push({ needsEnrichment: true, event: { ...event, line_counts_known: false } });
    added++;
  }
  // A listed commit the API did not return (the range moved under a force-push) is still a
  // commit the SCM reported: it is published, after the ones the API placed.
  for (const d of listed) {
    if (seen.has(d.event.sha)) continue;
    seen.add(d.event.sha);
    merged.push(d);
  }
  const expected = Math.max(range.total ?? 0, fetched.total);
  return { commits: parentsFirst(merged), fetched: added, missing: Math.max(0, expected - merged.length) };
}

/**
 * What is left unpublished when a truncated push cannot be completed: the hook's count minus
 * what it listed, or 0 when the hook does not say (GitHub).
 */
export function missingFromHook(range: PushRange): number {
  return range.total === undefined ? 0 : Math.max(0, range.total - range.listed);
}

/**
 * Orders drafts so that every commit comes after those of its parents that are in the list,
 * otherwise keeping the given order (stable depth-first, iterative: a push may be thousands of
 * commits deep).
 */
export function parentsFirst(drafts: readonly CommitDraft[]): CommitDraft[] {
  const index = new Map(drafts.map((d, i) => [d.event.sha, i]));
  const placed = new Set<string>();
  const open = new Set<string>();
  const out: CommitDraft[] = [];
  for (const start of drafts) {
    const stack: Array<{ draft: CommitDraft; next: number }> = [{ draft: start, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const sha = top.draft.event.sha;
      if (placed.has(sha)) {
        stack.pop();
        continue;
      }
      open.add(sha);
      const parents = top.draft.event.parents;
      if (top.next < parents.length) {
        const parent = parents[top.next++]!;
        const at = index.get(parent);
        // `open` guards against a cycle, which git cannot make but a broken API answer could.
        if (at !== undefined && !placed.has(parent) && !open.has(parent)) stack.push({ draft: drafts[at]!, next: 0 });
        continue;
      }
      open.delete(sha);
      placed.add(sha);
      out.push(top.draft);
      stack.pop();
    }
  }
  return out;
}

// --- GitHub: GET /repos/{owner}/{repo}/compare/{base}...{head} -------------------------------

const githubComparePage = z.object({
  total_commits: z.number().int().nonnegative(),
  commits: z.array(z.unknown()),
});

/**
 * The commits of a GitHub comparison from every page fetched, in order. Each entry has the shape
 * of the single-commit endpoint without `files` (compare pages files for the whole range only).
 */
export function rangeFromGithubCompare(pages: readonly unknown[]): CommitRange {
  let total = 0;
  const commits: RangeCommit[] = [];
  pages.forEach((page, i) => {
    const p = githubComparePage.safeParse(page);
    if (!p.success)
      throw new DetailParseError(`GitHub compare response (page ${i + 1}) is invalid: ${describeZodError(p.error)}`);
    total = Math.max(total, p.data.total_commits);
    p.data.commits.forEach((c, j) => {
      try {
        commits.push(withoutFiles(detailFromGithub([c])));
      } catch (err) {
        throw new DetailParseError(`GitHub compare response (page ${i + 1}, commit ${j}): ${(err as Error).message}`);
      }
    });
  });
  return { commits, total };
}

// --- GitLab: GET /projects/:id/repository/compare?from=&to= ----------------------------------

const gitlabCompare = z.object({ commits: z.array(z.unknown()) });

/** The commits of a GitLab comparison, oldest first as GitLab lists them. */
export function rangeFromGitlabCompare(body: unknown): CommitRange {
  const p = gitlabCompare.safeParse(body);
  if (!p.success) throw new DetailParseError(`GitLab compare response is invalid: ${describeZodError(p.error)}`);
  const commits = p.data.commits.map((c, j) => {
    try {
      return withoutFiles(detailFromGitlab(c, []));
    } catch (err) {
      throw new DetailParseError(`GitLab compare response (commit ${j}): ${(err as Error).message}`);
    }
  });
  return { commits, total: commits.length };
}

function withoutFiles(detail: CommitDetail): RangeCommit {
  const { files: _files, ...rest } = detail;
  return rest;
}
