import { z } from 'zod';
import { capHunks, countLines, parseHunks } from './diff.ts';
import type { CommitEvent, FileChange, FileStatus } from './events.ts';
import { pseudonym } from './ids.ts';
import { describeZodError, fullSha, normaliseMessage, scmTime } from './validation.ts';

/**
 * Everything about one commit that a push webhook lacks, from the SCM API, a git mirror or
 * `git log`. Identities are the raw e-mail addresses; they are pseudonymised when the detail
 * becomes an event and never leave ingest.
 */
export interface CommitDetail {
  sha: string;
  parents: string[];
  authorIdentity: string;
  committerIdentity: string;
  authorTime: number;
  commitTime: number;
  message: string;
  files: FileChange[];
}

/** Default ceiling on one commit's hunk text, well under Kafka's default 1 MB message size. */
export const defaultMaxHunkBytes = 512 * 1024;

/** A push-webhook commit with the detail filled in. The event id and branch do not change. */
export function applyDetail(
  draft: CommitEvent,
  detail: CommitDetail,
  pseudonymKey: string,
  maxHunkBytes = defaultMaxHunkBytes,
): CommitEvent {
  return {
    ...draft,
    event_time: detail.commitTime,
    parents: detail.parents,
    author_id: pseudonym(pseudonymKey, detail.authorIdentity),
    committer_id: pseudonym(pseudonymKey, detail.committerIdentity),
    author_time: detail.authorTime,
    commit_time: detail.commitTime,
    message: detail.message,
    files: capHunks(detail.files, maxHunkBytes),
    line_counts_known: true,
  };
}

export class DetailParseError extends Error {
  override readonly name = 'DetailParseError';
}

// --- GitHub REST: GET /repos/{owner}/{repo}/commits/{ref} ------------------------------------

const githubSignature = z.object({ name: z.string().nullish(), email: z.string().nullish(), date: scmTime });

const githubFile = z.object({
  filename: z.string(),
  previous_filename: z.string().nullish(),
  status: z.string(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  changes: z.number().int().nonnegative().optional(),
  patch: z.string().nullish(),
});

export const githubCommitResponse = z.object({
  sha: fullSha,
  commit: z.object({
    author: githubSignature.nullable(),
    committer: githubSignature.nullable(),
    message: z.string(),
  }),
  parents: z.array(z.object({ sha: fullSha })),
  files: z.array(githubFile).default([]),
});

export type GithubCommitResponse = z.infer<typeof githubCommitResponse>;

const githubStatus: Record<string, FileStatus> = {
  added: 'added',
  removed: 'deleted',
  modified: 'modified',
  renamed: 'renamed',
  copied: 'copied',
  changed: 'modified',
  unchanged: 'modified',
};

export function githubFileChange(f: z.infer<typeof githubFile>): FileChange {
  const status = githubStatus[f.status] ?? 'unknown';
  // GitHub omits `patch` for binary files and for very large diffs. Only a content change with no
  // counted lines is taken as binary (an empty file added is misread as binary; its counts are 0
  // either way); a large text diff keeps its counts, without hunks. A pure rename has no patch
  // and is not binary.
  const hasPatch = typeof f.patch === 'string' && f.patch.length > 0;
  const contentChange = f.status === 'added' || f.status === 'modified' || f.status === 'removed';
  const binary = !hasPatch && contentChange && f.additions === 0 && f.deletions === 0;
  return {
    path: f.filename,
    old_path: status === 'renamed' || status === 'copied' ? (f.previous_filename ?? null) : null,
    status,
    lines_added: f.additions,
    lines_deleted: f.deletions,
    binary,
    hunks: hasPatch ? parseHunks(f.patch ?? '') : null,
  };
}

/**
 * Commit detail from GitHub's commit endpoint; `pages` are the responses of every page of the
 * file list (GitHub pages files 300 at a time), in order.
 */
export function detailFromGithub(pages: readonly unknown[]): CommitDetail {
  const parsed = pages.map((p, i) => {
    const r = githubCommitResponse.safeParse(p);
    if (!r.success)
      throw new DetailParseError(`GitHub commit response (page ${i + 1}) is invalid: ${describeZodError(r.error)}`);
    return r.data;
  });
  const first = parsed[0];
  if (!first) throw new DetailParseError('GitHub commit response is empty');
  const author = first.commit.author;
  const committer = first.commit.committer ?? author;
  if (!author || !committer) throw new DetailParseError('GitHub commit response has no author or committer date');
  return {
    sha: first.sha,
    parents: first.parents.map((p) => p.sha),
    authorIdentity: identity(author.email, author.name),
    committerIdentity: identity(committer.email, committer.name),
    authorTime: author.date,
    commitTime: committer.date,
    message: normaliseMessage(first.commit.message),
    files: parsed.flatMap((p) => p.files.map(githubFileChange)),
  };
}

function identity(email: string | null | undefined, name: string | null | undefined): string {
  return email || `name:${name ?? 'unknown'}`;
}

// --- GitLab REST: GET /projects/:id/repository/commits/:sha and .../:sha/diff ------------------

export const gitlabCommitResponse = z.object({
  id: fullSha,
  parent_ids: z.array(fullSha),
  author_name: z.string().nullish(),
  author_email: z.string().nullish(),
  authored_date: scmTime,
  committer_name: z.string().nullish(),
  committer_email: z.string().nullish(),
  committed_date: scmTime,
  message: z.string(),
});

const gitlabDiff = z.object({
  old_path: z.string(),
  new_path: z.string(),
  diff: z.string().nullish(),
  new_file: z.boolean(),
  renamed_file: z.boolean(),
  deleted_file: z.boolean(),
  too_large: z.boolean().nullish(),
  collapsed: z.boolean().nullish(),
});

export const gitlabDiffResponse = z.array(gitlabDiff);

export function gitlabFileChange(d: z.infer<typeof gitlabDiff>): FileChange {
  const status: FileStatus = d.new_file
    ? 'added'
    : d.deleted_file
      ? 'deleted'
      : d.renamed_file
        ? 'renamed'
        : 'modified';
  const text = d.diff ?? '';
  const binary = /^Binary files /.test(text);
  const truncated = d.too_large === true || d.collapsed === true;
  const hunks = binary || truncated ? null : parseHunks(text);
  const counts = hunks ? countLines(hunks) : { added: 0, deleted: 0 };
  return {
    path: d.new_path,
    old_path: d.renamed_file ? d.old_path : null,
    status,
    lines_added: counts.added,
    lines_deleted: counts.deleted,
    binary,
    hunks,
  };
}

/** Commit detail from GitLab's commit endpoint plus every page of its diff endpoint. */
export function detailFromGitlab(commit: unknown, diffPages: readonly unknown[]): CommitDetail {
  const c = gitlabCommitResponse.safeParse(commit);
  if (!c.success) throw new DetailParseError(`GitLab commit response is invalid: ${describeZodError(c.error)}`);
  const files: FileChange[] = [];
  diffPages.forEach((page, i) => {
    const d = gitlabDiffResponse.safeParse(page);
    if (!d.success)
      throw new DetailParseError(`GitLab diff response (page ${i + 1}) is invalid: ${describeZodError(d.error)}`);
    for (const entry of d.data) files.push(gitlabFileChange(entry));
  });
  return {
    sha: c.data.id,
    parents: c.data.parent_ids,
    authorIdentity: identity(c.data.author_email, c.data.author_name),
    committerIdentity: identity(c.data.committer_email, c.data.committer_name),
    authorTime: c.data.authored_date,
    commitTime: c.data.committed_date,
    message: normaliseMessage(c.data.message),
    files,
  };
}

/** A commit event from a detail, for paths that have no webhook draft (git mirror, backfill). */
export function commitFromDetail(
  detail: CommitDetail,
  base: Pick<CommitEvent, 'event_id' | 'repo_id' | 'repo_name' | 'provider' | 'branch' | 'source'>,
  pseudonymKey: string,
  maxHunkBytes = defaultMaxHunkBytes,
): CommitEvent {
  return applyDetail(
    {
      ...base,
      event_time: detail.commitTime,
      sha: detail.sha,
      parents: [],
      author_id: '',
      committer_id: '',
      author_time: 0,
      commit_time: 0,
      message: '',
      files: [],
      line_counts_known: true,
    },
    detail,
    pseudonymKey,
    maxHunkBytes,
  );
}
