import { z } from 'zod';
import type { CommitDraft, FileChange, IssueEvent, PullRequestEvent, RepoRef } from './events.ts';
import { actionDetailKey, commitEventId, issueEventId, pseudonym, pullRequestEventId, repoId } from './ids.ts';
import { extractReferences, isBugReport, nullIfEmpty, type Normalized, type NormalizeOptions } from './normalize.ts';
import type { PushRange } from './push.ts';
import { describeZodError, fullSha, isZeroSha, normaliseMessage, scmTime } from './validation.ts';

const project = z.object({
  id: z.number().int().positive(),
  path_with_namespace: z.string().regex(/^[^\s]+\/[^\s]+$/, 'expected "group/project"'),
  default_branch: z.string().nullish(),
});

const pushCommit = z.object({
  id: fullSha,
  message: z.string(),
  timestamp: scmTime,
  author: z.object({ name: z.string().nullish(), email: z.string().nullish() }),
  added: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
});

const pushPayload = z.object({
  object_kind: z.literal('push'),
  before: z.string(),
  after: z.string(),
  ref: z.string().min(1),
  project,
  commits: z.array(pushCommit).nullish(),
  total_commits_count: z.number().int().nonnegative().nullish(),
});

const label = z.object({ title: z.string() });

const mergeRequestPayload = z.object({
  object_kind: z.literal('merge_request'),
  project,
  object_attributes: z.object({
    iid: z.number().int().positive().max(2_147_483_647),
    title: z.string(),
    description: z.string().nullish(),
    state: z.string(),
    action: z.string().nullish(),
    source_branch: z.string(),
    target_branch: z.string(),
    author_id: z.number().int(),
    created_at: scmTime,
    updated_at: scmTime,
    closed_at: scmTime.nullish(),
    merged_at: scmTime.nullish(),
    merge_commit_sha: fullSha.nullish(),
    last_commit: z.object({ id: fullSha }).nullish(),
    oldrev: z.string().nullish(),
    labels: z.array(label).nullish(),
  }),
  labels: z.array(label).nullish(),
});

const issuePayload = z.object({
  object_kind: z.literal('issue'),
  project,
  object_attributes: z.object({
    iid: z.number().int().positive().max(2_147_483_647),
    title: z.string(),
    description: z.string().nullish(),
    state: z.string(),
    action: z.string().nullish(),
    author_id: z.number().int(),
    created_at: scmTime,
    updated_at: scmTime,
    closed_at: scmTime.nullish(),
    labels: z.array(label).nullish(),
    type: z.string().nullish(),
  }),
  labels: z.array(label).nullish(),
});

/** GitLab event names (`X-Gitlab-Event`) that become events. */
export const gitlabEventsUsed = ['Push Hook', 'Merge Request Hook', 'Issue Hook'] as const;

/** The project a GitLab payload is about, before validation (to pick its webhook secret). */
export function gitlabRepoName(payload: unknown): string | undefined {
  const name = (payload as { project?: { path_with_namespace?: unknown } } | null)?.project?.path_with_namespace;
  return typeof name === 'string' ? name : undefined;
}

export function normalizeGitlab(event: string, payload: unknown, opts: NormalizeOptions): Normalized {
  switch (event) {
    case 'Push Hook':
      return normalizePush(payload, opts);
    case 'Merge Request Hook':
      return normalizeMergeRequest(payload, opts);
    case 'Issue Hook':
      return normalizeIssue(payload, opts);
    default:
      // Includes "Confidential Issue Hook": confidential text stays out of shared topics.
      return { outcome: 'ignored', reason: `event "${event}" is not used by omen` };
  }
}

function repoRef(p: z.infer<typeof project>): RepoRef {
  return {
    provider: 'gitlab',
    id: repoId('gitlab', p.path_with_namespace),
    name: p.path_with_namespace,
    gitlabProjectId: p.id,
  };
}

function rejected(what: string, error: z.ZodError): Normalized {
  return { outcome: 'rejected', reason: `${what} payload is invalid: ${describeZodError(error)}` };
}

// GitLab webhooks name people by numeric user id (author_id); the triggering `user` is often
// someone else, so the id is what gets pseudonymised.
function gitlabUser(opts: NormalizeOptions, id: number): string {
  return pseudonym(opts.pseudonymKey, `gitlab-user:${id}`);
}

function normalizePush(payload: unknown, opts: NormalizeOptions): Normalized {
  const parsed = pushPayload.safeParse(payload);
  if (!parsed.success) return rejected('Push Hook', parsed.error);
  const p = parsed.data;
  if (isZeroSha(p.after)) return { outcome: 'ignored', reason: `push deletes ${p.ref}` };
  if (!p.ref.startsWith('refs/heads/')) return { outcome: 'ignored', reason: `push to ${p.ref} is not a branch push` };
  const commits = p.commits ?? [];
  if (commits.length === 0) return { outcome: 'ignored', reason: `push to ${p.ref} carries no commits` };
  const repo = repoRef(p.project);
  const branch = p.ref.slice('refs/heads/'.length);
  const total = p.total_commits_count ?? commits.length;
  const drafts: CommitDraft[] = commits.map((c, i) => {
    const files: FileChange[] = [
      ...(c.added ?? []).map((path) => pushFile(path, 'added')),
      ...(c.removed ?? []).map((path) => pushFile(path, 'deleted')),
      ...(c.modified ?? []).map((path) => pushFile(path, 'modified')),
    ];
    // Only when the payload is complete is `before` the first commit's parent.
    const previous = i === 0 ? (total === commits.length ? p.before : undefined) : commits[i - 1]?.id;
    const identity =
      c.author.email && c.author.email !== '[REDACTED]' ? c.author.email : `name:${c.author.name ?? 'unknown'}`;
    const authorId = pseudonym(opts.pseudonymKey, identity);
    return {
      needsEnrichment: true,
      event: {
        event_id: commitEventId(repo.id, c.id),
        event_time: c.timestamp,
        repo_id: repo.id,
        repo_name: repo.name,
        provider: 'gitlab',
        sha: c.id,
        parents: previous && !isZeroSha(previous) ? [previous.toLowerCase()] : [],
        author_id: authorId,
        // Push hooks name no committer; the author stands in until enrichment.
        committer_id: authorId,
        author_time: c.timestamp,
        commit_time: c.timestamp,
        message: normaliseMessage(c.message),
        files,
        branch,
        source: 'webhook',
        // A push lists paths only; enrichment (applyDetail) supplies the counts and sets this true.
        line_counts_known: false,
      },
    };
  });
  const truncated = total > commits.length;
  const notes = truncated ? [`push has ${total} commits but the hook lists only the newest ${commits.length}`] : [];
  const push: PushRange = {
    before: p.before.toLowerCase(),
    after: p.after.toLowerCase(),
    branch,
    listed: commits.length,
    total,
    truncated,
    ...(p.project.default_branch ? { defaultBranch: p.project.default_branch } : {}),
  };
  return { outcome: 'accepted', repo, commits: drafts, pullRequests: [], issues: [], notes, push };
}

function pushFile(path: string, status: FileChange['status']): FileChange {
  return { path, old_path: null, status, lines_added: 0, lines_deleted: 0, binary: false, hunks: null };
}

const mrActions: Record<string, string> = {
  open: 'opened',
  close: 'closed',
  reopen: 'reopened',
  merge: 'merged',
};

function normalizeMergeRequest(payload: unknown, opts: NormalizeOptions): Normalized {
  const parsed = mergeRequestPayload.safeParse(payload);
  if (!parsed.success) return rejected('Merge Request Hook', parsed.error);
  const { project: proj, object_attributes: mr, labels } = parsed.data;
  const repo = repoRef(proj);
  const raw = mr.action ?? 'update';
  // "update" covers both new commits and edits; `oldrev` is present only when code changed.
  const action = raw === 'update' ? (mr.oldrev ? 'synchronize' : 'edited') : (mrActions[raw] ?? raw);
  const state =
    mr.state === 'opened' || mr.state === 'locked'
      ? 'open'
      : mr.state === 'closed'
        ? 'closed'
        : mr.state === 'merged'
          ? 'merged'
          : 'unknown';
  const merged = state === 'merged';
  const head = mr.last_commit?.id ?? '';
  const event: PullRequestEvent = {
    event_id: pullRequestEventId(repo.id, mr.iid, action, mr.updated_at, actionDetailKey(payload)),
    event_time: mr.updated_at,
    repo_id: repo.id,
    repo_name: repo.name,
    provider: 'gitlab',
    number: mr.iid,
    action,
    state,
    title: mr.title,
    body: nullIfEmpty(mr.description),
    author_id: gitlabUser(opts, mr.author_id),
    base_ref: mr.target_branch,
    // The hook does not carry the target branch's sha; empty means unknown.
    base_sha: null,
    head_ref: mr.source_branch,
    head_sha: head,
    merged,
    merge_commit_sha: merged ? (mr.merge_commit_sha ?? null) : null,
    commit_shas: [],
    labels: (labels ?? mr.labels ?? []).map((l) => l.title),
    created_at: mr.created_at,
    updated_at: mr.updated_at,
    // Older hooks omit closed_at/merged_at; the update that closed or merged is then the best
    // time known.
    closed_at: mr.closed_at ?? (state === 'closed' || merged ? mr.updated_at : null),
    merged_at: merged ? (mr.merged_at ?? mr.updated_at) : null,
    source: 'webhook',
  };
  return { outcome: 'accepted', repo, commits: [], pullRequests: [event], issues: [], notes: [] };
}

const issueActions: Record<string, string> = { open: 'opened', close: 'closed', reopen: 'reopened', update: 'edited' };

function normalizeIssue(payload: unknown, opts: NormalizeOptions): Normalized {
  const parsed = issuePayload.safeParse(payload);
  if (!parsed.success) return rejected('Issue Hook', parsed.error);
  const { project: proj, object_attributes: issue, labels: topLabels } = parsed.data;
  const repo = repoRef(proj);
  const action = issueActions[issue.action ?? 'update'] ?? issue.action ?? 'edited';
  const labels = (topLabels ?? issue.labels ?? []).map((l) => l.title);
  const state = issue.state === 'opened' ? 'open' : issue.state === 'closed' ? 'closed' : 'unknown';
  const refs = extractReferences(`${issue.title}\n${issue.description ?? ''}`, 'gitlab', proj.path_with_namespace);
  const event: IssueEvent = {
    event_id: issueEventId(repo.id, issue.iid, action, issue.updated_at, actionDetailKey(payload)),
    event_time: issue.updated_at,
    repo_id: repo.id,
    repo_name: repo.name,
    provider: 'gitlab',
    number: issue.iid,
    action,
    state,
    title: issue.title,
    body: nullIfEmpty(issue.description),
    author_id: gitlabUser(opts, issue.author_id),
    labels,
    is_bug: isBugReport(labels, opts.bugLabels),
    referenced_commit_shas: refs.shas,
    referenced_pull_requests: refs.pullRequests,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at ?? (state === 'closed' ? issue.updated_at : null),
    source: 'webhook',
  };
  return { outcome: 'accepted', repo, commits: [], pullRequests: [], issues: [event], notes: [] };
}
