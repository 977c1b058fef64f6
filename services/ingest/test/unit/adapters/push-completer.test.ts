import { afterEach, describe, expect, it } from 'vitest';
import { GithubCommitSource } from '../../../src/adapters/github-api.ts';
import { GitlabCommitSource } from '../../../src/adapters/gitlab-api.ts';
import { PushCompleter } from '../../../src/adapters/push-completer.ts';
import { defaultBugLabels, type Normalized, type NormalizeOptions } from '../../../src/domain/normalize.ts';
import { githubPushCommitCap } from '../../../src/domain/push.ts';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { fixture } from '../../fixtures/load.ts';
import {
  githubCompareRoutes,
  githubPush,
  gitlabCompare,
  gitlabPushHook,
  linearHistory,
} from '../../helpers/push-history.ts';
import { startRecordedServer, type RecordedServer } from '../../helpers/recorded-server.ts';

// Push completion against a local HTTP server answering as GitHub's and GitLab's compare
// endpoints do (recorded shapes, synthetic ranges). Retries sleep on a fake clock.
const opts: NormalizeOptions = { pseudonymKey: 'k', bugLabels: new Set(defaultBugLabels) };
let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const noWait = { sleep: () => Promise.resolve(), random: () => 0 };

function accepted(r: Normalized): Extract<Normalized, { outcome: 'accepted' }> {
  if (r.outcome !== 'accepted') throw new Error(r.reason);
  return r;
}

function gitlabCompleter(url: string, maxCommits?: number): PushCompleter {
  return new PushCompleter({
    gitlab: new GitlabCommitSource({ baseUrl: url, token: 'glpat-x', maxAttempts: 3, ...noWait }),
    pseudonymKey: 'k',
    ...(maxCommits === undefined ? {} : { maxCommits }),
  });
}

describe("PushCompleter over GitLab's compare endpoint", () => {
  it('fetches the 5 commits a 25-commit hook left out, in commit order with real parents', async () => {
    const h = linearHistory('gl-25', 25);
    server = await startRecordedServer({
      [`/projects/15/repository/compare?from=${h.before}&to=${h.after}`]: { body: gitlabCompare(h.commits) },
    });
    const n = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h), opts));
    const c = await gitlabCompleter(server.url).complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({ outcome: 'complete', fetched: 5, missing: 0, base: h.before });
    expect(c.commits.map((d) => d.event.sha)).toEqual(h.commits.map((x) => x.sha));
    expect(c.commits.map((d) => d.event.parents)).toEqual(h.commits.map((x) => x.parents));
    expect(c.commits.every((d) => d.event.event_id === `gitlab:mike/diaspora:${d.event.sha}`)).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers['private-token']).toBe('glpat-x');
  });

  it('reads the recorded compare answer', async () => {
    const recorded = fixture('gitlab/compare-95790bf-d5a3ff1.json') as { commits: Array<{ id: string }> };
    const hook = fixture('gitlab/push-hook.json') as Record<string, unknown>;
    hook['after'] = 'd5a3ff139356ce33e37e73add446f16869741b50';
    hook['commits'] = [{ ...(hook['commits'] as object[])[1], id: 'd5a3ff139356ce33e37e73add446f16869741b50' }];
    hook['total_commits_count'] = 2;
    server = await startRecordedServer({
      '/projects/15/repository/compare?from=95790bf891e76fee5e1747ab589903a6a1f80f22&to=d5a3ff139356ce33e37e73add446f16869741b50':
        { body: recorded },
    });
    const n = accepted(normalizeWebhook('gitlab', 'Push Hook', hook, opts));
    const c = await gitlabCompleter(server.url).complete(n.repo, n.push!, n.commits);
    expect(c.outcome).toBe('complete');
    expect(c.commits.map((d) => d.event.sha)).toEqual(recorded.commits.map((x) => x.id));
    expect(c.commits[0]!.event).toMatchObject({
      message: 'Extract lexer',
      parents: ['95790bf891e76fee5e1747ab589903a6a1f80f22'],
      commit_time: Date.parse('2011-12-12T11:02:10+02:00'),
    });
    expect(c.commits[1]!.event.parents).toEqual(['ae73cb07c9eeaf35924a10f713b364d32b2dd34f']);
  });

  it('compares a new branch against the default branch, as GitLab counts it', async () => {
    const h = linearHistory('gl-new', 23);
    const hook = gitlabPushHook(h);
    hook['before'] = '0'.repeat(40);
    hook['ref'] = 'refs/heads/feature';
    server = await startRecordedServer({
      [`/projects/15/repository/compare?from=master&to=${h.after}`]: { body: gitlabCompare(h.commits) },
    });
    const n = accepted(normalizeWebhook('gitlab', 'Push Hook', hook, opts));
    const c = await gitlabCompleter(server.url).complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({ outcome: 'complete', fetched: 3, missing: 0, base: 'master' });
    expect(c.commits[0]!.event.branch).toBe('feature');
  });

  it('publishes the listed commits and counts the rest when the API keeps failing', async () => {
    const h = linearHistory('gl-down', 25);
    server = await startRecordedServer({
      [`/projects/15/repository/compare?from=${h.before}&to=${h.after}`]: {
        status: 502,
        body: { message: '502 Bad Gateway' },
      },
    });
    const n = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h), opts));
    const c = await gitlabCompleter(server.url).complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({
      outcome: 'failed',
      fetched: 0,
      missing: 5,
      base: h.before,
      error: { code: 'UNAVAILABLE' },
    });
    expect(c.commits.map((d) => d.event.sha)).toEqual(h.commits.slice(5).map((x) => x.sha));
    expect(server.requests).toHaveLength(3);
  });

  it('counts without asking when no client is configured, the branch is new to the project, or the push is too large', async () => {
    const h = linearHistory('gl-none', 25);
    server = await startRecordedServer({});
    const n = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h), opts));
    expect(await new PushCompleter({ pseudonymKey: 'k' }).complete(n.repo, n.push!, n.commits)).toMatchObject({
      outcome: 'no_client',
      missing: 5,
      base: h.before,
    });
    expect(await gitlabCompleter(server.url, 24).complete(n.repo, n.push!, n.commits)).toMatchObject({
      outcome: 'too_large',
      missing: 5,
    });
    const first = gitlabPushHook(h);
    first['before'] = '0'.repeat(40);
    const created = accepted(normalizeWebhook('gitlab', 'Push Hook', first, opts));
    const c = await gitlabCompleter(server.url).complete(created.repo, created.push!, created.commits);
    expect(c).toMatchObject({ outcome: 'new_branch', missing: 5 });
    expect(c.commits).toHaveLength(20);
    expect(server.requests).toHaveLength(0);
  });
});

describe("PushCompleter over GitHub's compare endpoint", () => {
  it('follows the compare pages (per_page asked, Link followed) and sends the token', async () => {
    const h = linearHistory('gh-pages', 7);
    server = await startRecordedServer(githubCompareRoutes('octocat/Hello-World', h, 3));
    const range = await new GithubCommitSource({ baseUrl: server.url, token: 'ghp_x', comparePerPage: 3 }).compare(
      'octocat/Hello-World',
      h.before,
      h.after,
    );
    expect(range.total).toBe(7);
    expect(range.commits.map((c) => c.sha)).toEqual(h.commits.map((c) => c.sha));
    expect(server.requests.map((r) => r.url.split('?')[1])).toEqual([
      'per_page=3',
      'per_page=3&page=2',
      'per_page=3&page=3',
    ]);
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer ghp_x');
  });

  it("completes a push listing GitHub's 2048 of 2050 commits over 21 pages of 100", async () => {
    const h = linearHistory('gh-2050', 2050);
    server = await startRecordedServer(githubCompareRoutes('octocat/Hello-World', h, 100));
    const n = accepted(normalizeWebhook('github', 'push', githubPush(h, githubPushCommitCap), opts));
    const completer = new PushCompleter({
      github: new GithubCommitSource({ baseUrl: server.url, token: 't' }),
      pseudonymKey: 'k',
    });
    const c = await completer.complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({ outcome: 'complete', fetched: 2, missing: 0 });
    expect(server.requests).toHaveLength(21);
    expect(c.commits.map((d) => d.event.sha)).toEqual(h.commits.map((x) => x.sha));
    expect(c.commits[2]!.event.parents).toEqual([h.commits[1]!.sha]);
    expect(c.commits.every((d) => d.event.event_id === `github:octocat/hello-world:${d.event.sha}`)).toBe(true);
  });

  it('stops after the first page when the range is larger than it completes, and says how many are missing', async () => {
    const h = linearHistory('gh-huge', 2100);
    server = await startRecordedServer(githubCompareRoutes('octocat/Hello-World', h, 100));
    const n = accepted(normalizeWebhook('github', 'push', githubPush(h, githubPushCommitCap), opts));
    const completer = new PushCompleter({
      github: new GithubCommitSource({ baseUrl: server.url, token: 't' }),
      pseudonymKey: 'k',
      maxCommits: 2050,
    });
    const c = await completer.complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({ outcome: 'too_large', missing: 52 });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a compare that lists fewer commits than it counts as partial', async () => {
    const h = linearHistory('gh-partial', 2060);
    server = await startRecordedServer(githubCompareRoutes('octocat/Hello-World', h, 100));
    // Whichever end GitHub drops, the listing can stop short: here the hook has the oldest 2048
    // and the compare walk stops after ten pages, so nobody lists the newest 12.
    const push = githubPush(h, 2060);
    push['commits'] = (push['commits'] as unknown[]).slice(0, githubPushCommitCap);
    const n = accepted(normalizeWebhook('github', 'push', push, opts));
    const completer = new PushCompleter({
      github: new GithubCommitSource({ baseUrl: server.url, token: 't', maxComparePages: 10 }),
      pseudonymKey: 'k',
    });
    const c = await completer.complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({ outcome: 'partial', fetched: 0, missing: 12 });
    expect(c.commits).toHaveLength(githubPushCommitCap);
    expect(server.requests).toHaveLength(10);
  });

  it('does not guess for a new GitHub branch', async () => {
    const h = linearHistory('gh-new', githubPushCommitCap);
    const push = githubPush(h, githubPushCommitCap);
    push['before'] = '0'.repeat(40);
    push['created'] = true;
    server = await startRecordedServer({});
    const n = accepted(normalizeWebhook('github', 'push', push, opts));
    const c = await new PushCompleter({
      github: new GithubCommitSource({ baseUrl: server.url, token: 't' }),
      pseudonymKey: 'k',
    }).complete(n.repo, n.push!, n.commits);
    expect(c).toMatchObject({ outcome: 'new_branch', missing: 0, fetched: 0 });
    expect(c.commits).toHaveLength(githubPushCommitCap);
    expect(server.requests).toHaveLength(0);
  });
});
