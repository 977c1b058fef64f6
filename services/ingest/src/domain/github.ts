import { z } from 'zod';
import type { CommitDraft, FileChange, IssueEvent, PullRequestEvent, RepoRef } from './events.ts';
import { actionDetailKey, commitEventId, issueEventId, pseudonym, pullRequestEventId, repoId } from './ids.ts';
import { extractReferences, isBugReport, nullIfEmpty, type Normalized, type NormalizeOptions } from './normalize.ts';
import { githubPushCommitCap, type PushRange } from './push.ts';
import { describeZodError, fullSha, isZeroSha, normaliseMessage, scmTime } from './validation.ts';

// Only the fields omen uses are validated; everything else in GitHub's payloads passes through
// unread, so new fields GitHub adds never break ingest.

const repository = z.object({
  full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected "owner/name"'),
});

const person = z.object({
  name: z.string().nullish(),
  email: z.string().nullish(),
  username: z.string().nullish(),
});

const pushCommit = z.object({
  id: fullSha,
  message: z.string(),
  timestamp: scmTime,
  author: person,
  committer: person.nullish(),
  added: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
  modified: z.array(z.string()).default([]),
});

const pushPayload = z.object({
  ref: z.string().min(1),
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().default(false),
  commits: z.array(pushCommit).nullish(),
  repository,
});

const label = z.object({ name: z.string() });
const user = z.object({ login: z.string() }).nullish();

const pullRequestPayload = z.object({
  action: z.string().min(1),
  pull_request: z.object({
    number: z.number().int().positive().max(2_147_483_647),
    state: z.enum(['open', 'closed']),
    title: z.string(),
    body: z.string().nullish(),
    user,
    base: z.object({ ref: z.string(), sha: fullSha }),
    head: z.object({ ref: z.string(), sha: fullSha }),
    merged: z.boolean().nullish(),
    merge_commit_sha: fullSha.nullish(),
    labels: z.array(label).nullish(),
    created_at: scmTime,
    updated_at: scmTime,
    closed_at: scmTime.nullish(),
    merged_at: scmTime.nullish(),
  }),
  repository,
});

const issuesPayload = z.object({
  action: z.string().min(1),
  issue: z.object({
    number: z.number().int().positive().max(2_147_483_647),
    state: z.enum(['open', 'closed']).nullish(),
    title: z.string(),
    body: z.string().nullish(),
    user,
    labels: z.array(label).nullish(),
    created_at: scmTime,
    updated_at: scmTime,
    closed_at: scmTime.nullish(),
    pull_request: z.unknown().optional(),
    type: z.object({ name: z.string() }).nullish(),
  }),
  repository,
});

/** GitHub event names (`X-GitHub-Event`) that become events; the rest are answered 202 and counted. */
export const githubEventsUsed = ['push', 'pull_request', 'issues'] as const;

/** The repository a GitHub payload is about, before validation (to pick its webhook secret). */
export function githubRepoName(payload: unknown): string | undefined {
  const name = (payload as { repository?: { full_name?: unknown } } | null)?.repository?.full_name;
  return typeof name === 'string' ? name : undefined;
}

export function normalizeGithub(event: string, payload: unknown, opts: NormalizeOptions): Normalized {
  switch (event) {
    case 'push':
      return normalizePush(payload, opts);
    case 'pull_request':
      return normalizePullRequest(payload, opts);
    case 'issues':
      return normalizeIssue(payload, opts);
    case 'ping':
      return { outcome: 'ignored', reason: 'ping: the webhook is set up' };
    default:
      return { outcome: 'ignored', reason: `event "${event}" is not used by omen` };
  }
}

function repoRef(fullName: string): RepoRef {
  return { provider: 'github', id: repoId('github', fullName), name: fullName };
}

function rejected(what: string, error: z.ZodError): Normalized {
  return { outcome: 'rejected', reason: `${what} payload is invalid: ${describeZodError(error)}` };
}

function personIdentity(p: z.infer<typeof person> | null | undefined): string {
  // The e-mail is the identity git itself records, so webhook, API and backfill ids agree; a
  // login or name is the fallback when GitHub withholds the address.
  return p?.email || (p?.username ? `login:${p.username}` : `name:${p?.name ?? 'unknown'}`);
}

function normalizePush(payload: unknown, opts: NormalizeOptions): Normalized {
  const parsed = pushPayload.safeParse(payload);
  if (!parsed.success) return rejected('push', parsed.error);
  const p = parsed.data;
  if (p.deleted || isZeroSha(p.after)) return { outcome: 'ignored', reason: `push deletes ${p.ref}` };
  if (!p.ref.startsWith('refs/heads/')) return { outcome: 'ignored', reason: `push to ${p.ref} is not a branch push` };
  const commits = p.commits ?? [];
  if (commits.length === 0) return { outcome: 'ignored', reason: `push to ${p.ref} carries no commits` };

  const repo = repoRef(p.repository.full_name);
  const branch = p.ref.slice('refs/heads/'.length);
  const drafts: CommitDraft[] = commits.map((c, i) => {
    const files: FileChange[] = [
      ...c.added.map((path) => pushFile(path, 'added')),
      ...c.removed.map((path) => pushFile(path, 'deleted')),
      ...c.modified.map((path) => pushFile(path, 'modified')),
    ];
    // Push payloads list commits oldest first without parents; until enrichment replaces them,
    // each commit's parent is taken to be the one before it (right for linear pushes).
    const previous = i === 0 ? p.before : commits[i - 1]?.id;
    const parents = previous && !isZeroSha(previous) ? [previous.toLowerCase()] : [];
    return {
      needsEnrichment: true,
      event: {
        event_id: commitEventId(repo.id, c.id),
        event_time: c.timestamp,
        repo_id: repo.id,
        repo_name: repo.name,
        provider: 'github',
        sha: c.id,
        parents,
        author_id: pseudonym(opts.pseudonymKey, personIdentity(c.author)),
        committer_id: pseudonym(opts.pseudonymKey, personIdentity(c.committer ?? c.author)),
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
  const truncated = commits.length >= githubPushCommitCap;
  const notes = truncated ? [`push lists ${commits.length} commits, GitHub's cap; the push may have more`] : [];
  const push: PushRange = {
    before: p.before.toLowerCase(),
    after: p.after.toLowerCase(),
    branch,
    listed: commits.length,
    truncated,
  };
  return { outcome: 'accepted', repo, commits: drafts, pullRequests: [], issues: [], notes, push };
}

function pushFile(path: string, status: FileChange['status']): FileChange {
  return { path, old_path: null, status, lines_added: 0, lines_deleted: 0, binary: false, hunks: null };
}

function normalizePullRequest(payload: unknown, opts: NormalizeOptions): Normalized {
  const parsed = pullRequestPayload.safeParse(payload);
  if (!parsed.success) return rejected('pull_request', parsed.error);
  const { action, pull_request: pr, repository: r } = parsed.data;
  const repo = repoRef(r.full_name);
  const merged = pr.merged === true || pr.merged_at != null;
  // GitHub reports a merge as action "closed" with merged=true; omen calls it "merged", the
  // GitLab name, so consumers look for one action on both SCMs.
  const act = action === 'closed' && merged ? 'merged' : action;
  const event: PullRequestEvent = {
    event_id: pullRequestEventId(repo.id, pr.number, act, pr.updated_at, actionDetailKey(payload)),
    event_time: pr.updated_at,
    repo_id: repo.id,
    repo_name: repo.name,
    provider: 'github',
    number: pr.number,
    action: act,
    state: merged ? 'merged' : pr.state,
    title: pr.title,
    body: nullIfEmpty(pr.body),
    author_id: pseudonym(opts.pseudonymKey, `login:${pr.user?.login ?? 'ghost'}`),
    base_ref: pr.base.ref,
    base_sha: pr.base.sha,
    head_ref: pr.head.ref,
    head_sha: pr.head.sha,
    merged,
    merge_commit_sha: merged ? (pr.merge_commit_sha ?? null) : null,
    commit_shas: [],
    labels: (pr.labels ?? []).map((l) => l.name),
    created_at: pr.created_at,
    updated_at: pr.updated_at,
    closed_at: pr.closed_at ?? null,
    merged_at: pr.merged_at ?? null,
    source: 'webhook',
  };
  return { outcome: 'accepted', repo, commits: [], pullRequests: [event], issues: [], notes: [] };
}

function normalizeIssue(payload: unknown, opts: NormalizeOptions): Normalized {
  const parsed = issuesPayload.safeParse(payload);
  if (!parsed.success) return rejected('issues', parsed.error);
  const { action, issue, repository: r } = parsed.data;
  if (issue.pull_request !== undefined && issue.pull_request !== null) {
    return { outcome: 'ignored', reason: `issues event for #${issue.number}, which is a pull request` };
  }
  const repo = repoRef(r.full_name);
  const labels = (issue.labels ?? []).map((l) => l.name);
  const refs = extractReferences(`${issue.title}\n${issue.body ?? ''}`, 'github', r.full_name);
  const event: IssueEvent = {
    event_id: issueEventId(repo.id, issue.number, action, issue.updated_at, actionDetailKey(payload)),
    event_time: issue.updated_at,
    repo_id: repo.id,
    repo_name: repo.name,
    provider: 'github',
    number: issue.number,
    action,
    state: issue.state ?? 'unknown',
    title: issue.title,
    body: nullIfEmpty(issue.body),
    author_id: pseudonym(opts.pseudonymKey, `login:${issue.user?.login ?? 'ghost'}`),
    labels,
    is_bug: isBugReport(labels, opts.bugLabels, issue.type?.name),
    referenced_commit_shas: refs.shas,
    referenced_pull_requests: refs.pullRequests,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at ?? null,
    source: 'webhook',
  };
  return { outcome: 'accepted', repo, commits: [], pullRequests: [], issues: [event], notes: [] };
}
