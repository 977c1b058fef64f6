import { describe, expect, it } from 'vitest';
import { defaultBugLabels, type Normalized, type NormalizeOptions } from '../../../src/domain/normalize.ts';
import { pseudonym } from '../../../src/domain/ids.ts';
import {
  comparisonBase,
  completePush,
  githubPushCommitCap,
  parentsFirst,
  rangeFromGithubCompare,
  rangeFromGitlabCompare,
} from '../../../src/domain/push.ts';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { fixture } from '../../fixtures/load.ts';
import { githubPush, gitlabCompare, gitlabPushHook, linearHistory } from '../../helpers/push-history.ts';

const opts: NormalizeOptions = { pseudonymKey: 'k', bugLabels: new Set(defaultBugLabels) };

function accepted(r: Normalized): Extract<Normalized, { outcome: 'accepted' }> {
  if (r.outcome !== 'accepted') throw new Error(r.reason);
  return r;
}

describe('push ranges from the webhooks', () => {
  it("GitLab: the hook's total, the listed count and the default branch", () => {
    const h = linearHistory('gl-range', 25);
    const r = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h), opts));
    expect(r.commits).toHaveLength(20);
    expect(r.push).toEqual({
      before: h.before,
      after: h.after,
      branch: 'master',
      listed: 20,
      total: 25,
      truncated: true,
      defaultBranch: 'master',
    });
  });

  it('GitLab: a complete hook is not truncated', () => {
    const r = accepted(normalizeWebhook('gitlab', 'Push Hook', fixture('gitlab/push-hook.json'), opts));
    expect(r.push).toMatchObject({ listed: 2, total: 2, truncated: false });
  });

  it('GitHub: only a list at the 2048 cap counts as truncated; the webhook has no size field', () => {
    const small = accepted(normalizeWebhook('github', 'push', githubPush(linearHistory('gh-small', 30), 30), opts));
    expect(small.push).toMatchObject({ listed: 30, truncated: false });
    expect(small.push?.total).toBeUndefined();
    const capped = accepted(
      normalizeWebhook(
        'github',
        'push',
        githubPush(linearHistory('gh-cap', githubPushCommitCap), githubPushCommitCap),
        opts,
      ),
    );
    expect(capped.push).toMatchObject({ listed: 2048, truncated: true });
    expect(capped.notes[0]).toContain("GitHub's cap");
  });
});

describe('comparisonBase', () => {
  const range = {
    before: 'a'.repeat(40),
    after: 'b'.repeat(40),
    branch: 'feature',
    listed: 20,
    total: 30,
    truncated: true,
    defaultBranch: 'main',
  };
  it('compares from before, or a new GitLab branch from the default branch', () => {
    expect(comparisonBase('gitlab', range)).toEqual({ base: 'a'.repeat(40) });
    expect(comparisonBase('gitlab', { ...range, before: '0'.repeat(40) })).toEqual({ base: 'main' });
  });
  it('has no base for a new default branch or a new GitHub branch', () => {
    expect(comparisonBase('gitlab', { ...range, before: '0'.repeat(40), branch: 'main' })).toEqual({
      none: 'new_branch',
    });
    expect(comparisonBase('github', { ...range, before: '0'.repeat(40) })).toEqual({ none: 'new_branch' });
  });
});

describe('completePush', () => {
  it('gives a truncated GitLab push the same events, ids and order as a hook listing every commit', () => {
    const h = linearHistory('gl-same', 25);
    const full = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h, 25), opts));
    const cut = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h, 20), opts));
    const done = completePush(cut.repo, cut.push!, cut.commits, rangeFromGitlabCompare(gitlabCompare(h.commits)), 'k');
    expect(done).toMatchObject({ fetched: 5, missing: 0 });
    expect(done.commits.map((c) => c.event.event_id)).toEqual(full.commits.map((c) => c.event.event_id));
    expect(done.commits.map((c) => c.event.parents)).toEqual(h.commits.map((c) => c.parents));
    // The listed commits keep their webhook paths; the fetched ones wait for enrichment.
    expect(done.commits[24]!.event.files.map((f) => f.path)).toEqual([h.commits[24]!.file]);
    expect(done.commits[0]).toMatchObject({
      needsEnrichment: true,
      event: { files: [], line_counts_known: false, branch: 'master', source: 'webhook' },
    });
    expect(done.commits[0]!.event.author_id).toBe(pseudonym('k', h.commits[0]!.authorEmail));
    expect(done.commits[0]!.event.message).toBe(h.commits[0]!.message);
  });

  it('reports what the API still left out, and keeps a listed commit the API did not return', () => {
    const h = linearHistory('gl-short', 25);
    const cut = accepted(normalizeWebhook('gitlab', 'Push Hook', gitlabPushHook(h, 20), opts));
    // The API lists 22 of 25: the oldest three and the newest listed one are absent.
    const api = rangeFromGitlabCompare(gitlabCompare(h.commits.slice(3, 24)));
    const done = completePush(cut.repo, cut.push!, cut.commits, api, 'k');
    expect(done.fetched).toBe(2);
    expect(done.commits).toHaveLength(22);
    expect(done.missing).toBe(3);
    expect(done.commits.at(-1)!.event.sha).toBe(h.after);
  });

  it('reads GitHub compare pages, recorded', () => {
    const range = rangeFromGithubCompare([fixture('github/compare-7638417-6dcb09b.json')]);
    expect(range.total).toBe(2);
    expect(range.commits.map((c) => [c.sha, c.parents])).toEqual([
      ['a1f2c3d4e5f60718293a4b5c6d7e8f9012345678', ['7638417db6d59f3c431d3e1f261cc637155684cd']],
      ['6dcb09b5b57875f334f61aebed695e2e4193db5e', ['a1f2c3d4e5f60718293a4b5c6d7e8f9012345678']],
    ]);
    expect(range.commits[1]).toMatchObject({
      authorIdentity: 'support@github.com',
      committerIdentity: 'octocat@github.com',
      commitTime: Date.parse('2011-04-15T09:12:03Z'),
    });
  });

  it('names the bad field of an unreadable compare answer', () => {
    expect(() => rangeFromGithubCompare([{ commits: [] }])).toThrow(/page 1\) is invalid: total_commits/);
    expect(() => rangeFromGitlabCompare({ commits: [{ id: 'nope' }] })).toThrow(
      /commit 0\): GitLab commit response is invalid: id/,
    );
  });
});

describe('parentsFirst', () => {
  it('puts parents before children, otherwise keeping the order, and survives a cycle', () => {
    const d = (sha: string, parents: string[]) =>
      ({ needsEnrichment: false, event: { sha, parents } }) as unknown as Parameters<typeof parentsFirst>[0][number];
    const order = (list: ReturnType<typeof d>[]) => parentsFirst(list).map((x) => x.event.sha);
    // A merge M of A and B listed newest first.
    expect(order([d('M', ['A', 'B']), d('B', ['X']), d('A', ['X'])])).toEqual(['A', 'B', 'M']);
    expect(order([d('1', []), d('2', ['1']), d('3', ['2'])])).toEqual(['1', '2', '3']);
    expect(order([d('p', ['q']), d('q', ['p'])])).toHaveLength(2);
    const deep = Array.from({ length: 20_000 }, (_, i) => d(String(i), i === 0 ? [] : [String(i - 1)])).reverse();
    expect(order(deep)[19_999]).toBe('19999');
  });
});
