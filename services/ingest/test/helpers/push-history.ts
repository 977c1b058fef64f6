import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fixture } from '../fixtures/load.ts';
import type { RecordedResponse } from './recorded-server.ts';

// Synthetic pushes of any length, shaped after the recorded payloads and API answers in
// test/fixtures (a GitLab push hook, GitLab's compare/commit/diff answers, GitHub's compare
// page and the @octokit/webhooks-examples push), so a 25- or 2050-commit push needs no
// hand-written JSON.

export interface SyntheticCommit {
  sha: string;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  /** ISO 8601, UTC. */
  date: string;
  file: string;
}

export interface SyntheticHistory {
  /** The branch tip before the push. */
  before: string;
  /** Oldest first; each commit's parent is the one before it (the first's is `before`). */
  commits: SyntheticCommit[];
  after: string;
}

/** A full sha that depends only on `seed` and `n`. */
export function shaOf(seed: string, n: number): string {
  return createHash('sha1').update(`${seed}:${n}`).digest('hex');
}

/** `n` linear commits on top of a fixed `before`, distinct per seed. */
export function linearHistory(seed: string, n: number): SyntheticHistory {
  const before = shaOf(seed, -1);
  const commits: SyntheticCommit[] = [];
  for (let i = 0; i < n; i++) {
    commits.push({
      sha: shaOf(seed, i),
      parents: [i === 0 ? before : commits[i - 1]!.sha],
      message: `change ${i} of ${seed}`,
      authorName: `Dev ${i % 3}`,
      authorEmail: `dev${i % 3}@example.org`,
      date: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString().replace('.000Z', 'Z'),
      file: `src/file-${i}.ts`,
    });
  }
  return { before, commits, after: commits.at(-1)!.sha };
}

// --- GitLab ------------------------------------------------------------------------------------

/** A Push Hook listing the newest `listed` commits (GitLab lists 20), with the true total. */
export function gitlabPushHook(
  h: SyntheticHistory,
  listed = 20,
  project = { id: 15, path: 'mike/diaspora' },
): Record<string, unknown> {
  const hook = structuredClone(fixture('gitlab/push-hook.json')) as Record<string, unknown>;
  const template = (hook['commits'] as Array<Record<string, unknown>>)[0]!;
  hook['before'] = h.before;
  hook['after'] = h.after;
  hook['checkout_sha'] = h.after;
  hook['project_id'] = project.id;
  const proj = hook['project'] as Record<string, unknown>;
  proj['id'] = project.id;
  proj['path_with_namespace'] = project.path;
  hook['commits'] = h.commits.slice(-listed).map((c) => ({
    ...template,
    id: c.sha,
    message: c.message,
    title: c.message,
    timestamp: c.date,
    url: `http://example.com/${project.path}/commit/${c.sha}`,
    author: { name: c.authorName, email: c.authorEmail },
    added: [c.file],
    modified: [],
    removed: [],
  }));
  hook['total_commits_count'] = h.commits.length;
  return hook;
}

/** GitLab's commit entity (`Entities::Commit`) for a synthetic commit. */
export function gitlabCommit(c: SyntheticCommit): Record<string, unknown> {
  const template = fixture('gitlab/commit-d5a3ff1.json') as Record<string, unknown>;
  return {
    ...template,
    id: c.sha,
    short_id: c.sha.slice(0, 8),
    title: c.message,
    message: `${c.message}\n`,
    author_name: c.authorName,
    author_email: c.authorEmail,
    authored_date: c.date,
    committer_name: c.authorName,
    committer_email: c.authorEmail,
    committed_date: c.date,
    created_at: c.date,
    parent_ids: c.parents,
    web_url: `https://gitlab.example.com/mike/diaspora/-/commit/${c.sha}`,
  };
}

/** `GET /projects/:id/repository/compare` over `commits`, oldest first as GitLab answers. */
export function gitlabCompare(commits: readonly SyntheticCommit[]): Record<string, unknown> {
  const template = fixture('gitlab/compare-95790bf-d5a3ff1.json') as Record<string, unknown>;
  const entities = commits.map(gitlabCommit);
  return { ...template, commit: entities.at(-1) ?? null, commits: entities };
}

/** One diff page adding `c.file` with two lines. */
export function gitlabDiff(c: SyntheticCommit): unknown[] {
  return [
    {
      diff: '@@ -0,0 +1,2 @@\n+export const a = 1;\n+export const b = 2;\n',
      new_path: c.file,
      old_path: c.file,
      a_mode: '0',
      b_mode: '100644',
      new_file: true,
      renamed_file: false,
      deleted_file: false,
      generated_file: false,
    },
  ];
}

/**
 * Recorded-server routes for a GitLab project: the compare of `from`..`after`, and each commit's
 * detail and diff page as enrichment asks for them.
 */
export function gitlabRoutes(projectId: number, from: string, h: SyntheticHistory): Record<string, RecordedResponse> {
  const routes: Record<string, RecordedResponse> = {
    [`/projects/${projectId}/repository/compare?from=${from}&to=${h.after}`]: { body: gitlabCompare(h.commits) },
  };
  for (const c of h.commits) {
    const base = `/projects/${projectId}/repository/commits/${c.sha}`;
    routes[base] = { body: gitlabCommit(c) };
    routes[`${base}/diff?per_page=100&page=1`] = { body: gitlabDiff(c), headers: { 'x-next-page': '' } };
  }
  return routes;
}

// --- GitHub ------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

/** The docs' branch push, listing the newest `listed` commits of `h`, for repository `fullName`. */
export function githubPush(
  h: SyntheticHistory,
  listed: number,
  fullName = 'octocat/Hello-World',
): Record<string, unknown> {
  const push = structuredClone(
    examples.find((d) => d.name === 'push')!.examples.find((e) => (e['commits'] as unknown[]).length > 0)!,
  );
  const template = (push['commits'] as Array<Record<string, unknown>>)[0]!;
  push['before'] = h.before;
  push['after'] = h.after;
  push['created'] = false;
  (push['repository'] as Record<string, unknown>)['full_name'] = fullName;
  push['commits'] = h.commits.slice(-listed).map((c) => ({
    ...template,
    id: c.sha,
    tree_id: c.sha,
    message: c.message,
    timestamp: c.date,
    author: { name: c.authorName, email: c.authorEmail, username: null },
    committer: { name: c.authorName, email: c.authorEmail, username: null },
    added: [c.file],
    removed: [],
    modified: [],
  }));
  return push;
}

/** A compare `commits` entry (the single-commit shape without files) for a synthetic commit. */
export function githubCompareCommit(c: SyntheticCommit): Record<string, unknown> {
  const page = fixture('github/compare-7638417-6dcb09b.json') as { commits: Array<Record<string, unknown>> };
  const template = structuredClone(page.commits[0]!) as Record<string, unknown> & { commit: Record<string, unknown> };
  return {
    ...template,
    sha: c.sha,
    commit: {
      ...template.commit,
      author: { name: c.authorName, email: c.authorEmail, date: c.date },
      committer: { name: c.authorName, email: c.authorEmail, date: c.date },
      message: c.message,
    },
    parents: c.parents.map((sha) => ({ sha, url: `https://api.github.com/repos/octocat/Hello-World/commits/${sha}` })),
  };
}

/**
 * Recorded-server routes for `GET /repos/{repo}/compare/{base}...{head}` paged `perPage` at a
 * time with Link headers, as GitHub pages a comparison when asked to.
 */
export function githubCompareRoutes(
  repo: string,
  h: SyntheticHistory,
  perPage: number,
): Record<string, RecordedResponse> {
  const template = fixture('github/compare-7638417-6dcb09b.json') as Record<string, unknown>;
  const path = `/repos/${repo}/compare/${h.before}...${h.after}`;
  const pages = Math.max(1, Math.ceil(h.commits.length / perPage));
  const routes: Record<string, RecordedResponse> = {};
  for (let p = 1; p <= pages; p++) {
    const url = p === 1 ? `${path}?per_page=${perPage}` : `${path}?per_page=${perPage}&page=${p}`;
    const links = [
      ...(p < pages
        ? [
            `<{base}${path}?per_page=${perPage}&page=${p + 1}>; rel="next"`,
            `<{base}${path}?per_page=${perPage}&page=${pages}>; rel="last"`,
          ]
        : []),
    ];
    routes[url] = {
      body: {
        ...template,
        ahead_by: h.commits.length,
        total_commits: h.commits.length,
        commits: h.commits.slice((p - 1) * perPage, p * perPage).map(githubCompareCommit),
        files: p === 1 ? template['files'] : [],
      },
      ...(links.length > 0 ? { headers: { link: links.join(', ') } } : {}),
    };
  }
  return routes;
}
