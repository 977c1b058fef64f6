import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { defaultBugLabels, type NormalizeOptions } from '../../../src/domain/normalize.ts';
import { pseudonym } from '../../../src/domain/ids.ts';
import { fixture } from '../../fixtures/load.ts';

const opts: NormalizeOptions = { pseudonymKey: 'k', bugLabels: new Set(defaultBugLabels) };
const load = (name: string): Record<string, unknown> =>
  structuredClone(fixture(`gitlab/${name}`)) as Record<string, unknown>;

describe("GitLab webhooks (payloads from GitLab's webhook docs)", () => {
  it('turns a Push Hook into commit drafts keyed by project path', () => {
    const r = normalizeWebhook('gitlab', 'Push Hook', load('push-hook.json'), opts);
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    expect(r.repo).toEqual({
      provider: 'gitlab',
      id: 'gitlab:mike/diaspora',
      name: 'mike/diaspora',
      gitlabProjectId: 15,
    });
    expect(r.commits.map((c) => c.event.sha)).toEqual([
      'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
      'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    ]);
    expect(r.commits[0]!.event).toMatchObject({
      parents: ['95790bf891e76fee5e1747ab589903a6a1f80f22'],
      author_id: pseudonym('k', 'jordi@softcatala.org'),
      event_time: Date.parse('2011-12-12T14:27:31+02:00'),
      branch: 'master',
      message:
        'Update Catalan translation to e38cb41.\n\nSee https://gitlab.com/gitlab-org/gitlab for more information',
    });
    expect(r.commits[1]!.event.parents).toEqual(['b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327']);
    expect(r.commits[0]!.event.files.map((f) => [f.status, f.path])).toEqual([
      ['added', 'CHANGELOG'],
      ['modified', 'app/controller/application.rb'],
    ]);
    expect(r.notes).toEqual([]);
  });

  it('notes a truncated push and does not guess the first parent then', () => {
    const p = load('push-hook.json');
    p['total_commits_count'] = 40;
    const r = normalizeWebhook('gitlab', 'Push Hook', p, opts);
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    expect(r.notes[0]).toContain('40 commits but the hook lists only the newest 2');
    expect(r.commits[0]!.event.parents).toEqual([]);
  });

  it('maps a Merge Request Hook to the pull request event with GitHub action names', () => {
    const r = normalizeWebhook('gitlab', 'Merge Request Hook', load('merge-request-hook.json'), opts);
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    expect(r.pullRequests[0]).toMatchObject({
      repo_id: 'gitlab:gitlabhq/gitlab-test',
      number: 1,
      action: 'opened',
      state: 'open',
      title: 'MS-Viewport',
      body: null,
      author_id: pseudonym('k', 'gitlab-user:51'),
      base_ref: 'master',
      base_sha: null,
      head_ref: 'ms-viewport',
      head_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      merged: false,
      labels: ['API'],
      created_at: Date.parse('2013-12-03T17:23:34Z'),
      closed_at: null,
    });
  });

  it('tells new commits (synchronize) from edits in "update", and maps merge', () => {
    const p = load('merge-request-hook.json');
    const attrs = p['object_attributes'] as Record<string, unknown>;
    attrs['action'] = 'update';
    attrs['oldrev'] = 'e'.repeat(40);
    const sync = normalizeWebhook('gitlab', 'Merge Request Hook', p, opts);
    expect(sync.outcome === 'accepted' && sync.pullRequests[0]!.action).toBe('synchronize');
    delete attrs['oldrev'];
    const edit = normalizeWebhook('gitlab', 'Merge Request Hook', p, opts);
    expect(edit.outcome === 'accepted' && edit.pullRequests[0]!.action).toBe('edited');
    attrs['action'] = 'merge';
    attrs['state'] = 'merged';
    attrs['updated_at'] = '2017-09-15 16:52:00 UTC';
    attrs['merge_commit_sha'] = 'f'.repeat(40);
    const merged = normalizeWebhook('gitlab', 'Merge Request Hook', p, opts);
    expect(merged.outcome === 'accepted' && merged.pullRequests[0]).toMatchObject({
      action: 'merged',
      state: 'merged',
      merged: true,
      merge_commit_sha: 'f'.repeat(40),
      merged_at: Date.UTC(2017, 8, 15, 16, 52, 0),
    });
  });

  it('maps an Issue Hook and its labels', () => {
    const p = load('issue-hook.json');
    const r = normalizeWebhook('gitlab', 'Issue Hook', p, opts);
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    expect(r.issues[0]).toMatchObject({ number: 23, action: 'opened', state: 'open', labels: ['API'], is_bug: false });
    p['labels'] = [{ title: 'Bug' }];
    const bug = normalizeWebhook('gitlab', 'Issue Hook', p, opts);
    expect(bug.outcome === 'accepted' && bug.issues[0]!.is_bug).toBe(true);
  });

  it('rejects with the path of the problem, ignores tag pushes and unknown hooks', () => {
    const p = load('issue-hook.json');
    (p['project'] as Record<string, unknown>)['id'] = 'fifteen';
    const r = normalizeWebhook('gitlab', 'Issue Hook', p, opts);
    expect(r).toEqual({
      outcome: 'rejected',
      reason: expect.stringContaining('project.id: expected number, received string'),
    });
    expect(normalizeWebhook('gitlab', 'Tag Push Hook', {}, opts).outcome).toBe('ignored');
    expect(normalizeWebhook('gitlab', 'Confidential Issue Hook', {}, opts).outcome).toBe('ignored');
  });
});
