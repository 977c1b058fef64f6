import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { defaultBugLabels, extractReferences, type NormalizeOptions } from '../../../src/domain/normalize.ts';

const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const example = (name: string, action?: string): Record<string, unknown> => {
  const all = definitions.find((d) => d.name === name)!.examples;
  const found = action
    ? all.find((e) => e['action'] === action)
    : all.find((e) => (e['commits'] as unknown[] | undefined)?.length);
  return structuredClone(found!);
};
const opts: NormalizeOptions = { pseudonymKey: 'k', bugLabels: new Set(defaultBugLabels) };

describe('GitHub payload validation', () => {
  it('names the missing field', () => {
    const p = example('pull_request', 'opened');
    delete (p['pull_request'] as Record<string, unknown>)['head'];
    expect(normalizeWebhook('github', 'pull_request', p, opts)).toEqual({
      outcome: 'rejected',
      reason: expect.stringMatching(
        /^pull_request payload is invalid: pull_request\.head: expected object, received undefined/,
      ),
    });
  });

  it('names a bad sha and a bad timestamp', () => {
    const p = example('push');
    (p['commits'] as Array<Record<string, unknown>>)[0]!['id'] = 'not-a-sha';
    (p['commits'] as Array<Record<string, unknown>>)[0]!['timestamp'] = 'yesterday';
    const r = normalizeWebhook('github', 'push', p, opts);
    expect(r.outcome).toBe('rejected');
    expect(r.outcome === 'rejected' && r.reason).toContain('commits.0.id: expected a full commit sha');
    expect(r.outcome === 'rejected' && r.reason).toContain(
      'commits.0.timestamp: expected an ISO 8601 timestamp, got "yesterday"',
    );
  });

  it('rejects a payload that is not an object, ignores events it does not use', () => {
    expect(normalizeWebhook('github', 'push', [1, 2], opts)).toEqual({
      outcome: 'rejected',
      reason: 'payload must be a JSON object',
    });
    expect(normalizeWebhook('github', 'star', { action: 'created' }, opts)).toEqual({
      outcome: 'ignored',
      reason: 'event "star" is not used by omen',
    });
    expect(normalizeWebhook('github', 'ping', { zen: 'x' }, opts).outcome).toBe('ignored');
  });
});

describe('GitHub normalisation', () => {
  it('chains parents within a push and starts from `before`', () => {
    const p = example('push');
    const first = (p['commits'] as Array<Record<string, unknown>>)[0]!;
    const second = { ...first, id: 'a'.repeat(40) };
    p['commits'] = [first, second];
    p['before'] = 'b'.repeat(40);
    const r = normalizeWebhook('github', 'push', p, opts);
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    expect(r.commits.map((c) => c.event.parents)).toEqual([['b'.repeat(40)], [first['id']]]);
    // A push lists paths, not line counts: the zeros are marked unknown until enrichment.
    expect(r.commits.map((c) => c.event.line_counts_known)).toEqual([false, false]);
  });

  it('calls a merged pull request "merged" with its merge sha', () => {
    const p = example('pull_request', 'closed');
    const pr = p['pull_request'] as Record<string, unknown>;
    pr['merged'] = true;
    pr['merged_at'] = '2019-05-15T15:21:18Z';
    pr['merge_commit_sha'] = 'c'.repeat(40);
    const r = normalizeWebhook('github', 'pull_request', p, opts);
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    expect(r.pullRequests[0]).toMatchObject({
      action: 'merged',
      state: 'merged',
      merged: true,
      merge_commit_sha: 'c'.repeat(40),
      merged_at: Date.parse('2019-05-15T15:21:18Z'),
      base_ref: 'master',
      number: 2,
    });
    expect(r.pullRequests[0]!.event_id).toBe(
      `github:codertocat/hello-world:pr:2:merged:${Date.parse('2019-05-15T15:21:18Z')}`,
    );
  });

  it("finds full shas and links to this repository's pull requests in issue text", () => {
    const text =
      'Broken since 6113728f27ae82c7b1a177c8d03f9e96e0adf246, see https://github.com/Codertocat/Hello-World/pull/9 and #4 and https://github.com/other/repo/pull/5';
    expect(extractReferences(text, 'github', 'Codertocat/Hello-World')).toEqual({
      shas: ['6113728f27ae82c7b1a177c8d03f9e96e0adf246'],
      pullRequests: [9],
    });
    expect(extractReferences('fixed by !12 and (!13)', 'gitlab', 'g/p').pullRequests).toEqual([12, 13]);
  });

  it('uses GitHub issue types and the configured labels for is_bug', () => {
    const p = example('issues', 'opened');
    const issue = p['issue'] as Record<string, unknown>;
    issue['labels'] = [{ name: 'enhancement' }];
    const plain = normalizeWebhook('github', 'issues', p, opts);
    expect(plain.outcome === 'accepted' && plain.issues[0]!.is_bug).toBe(false);
    issue['type'] = { name: 'Bug' };
    const typed = normalizeWebhook('github', 'issues', p, opts);
    expect(typed.outcome === 'accepted' && typed.issues[0]!.is_bug).toBe(true);
    issue['type'] = null;
    const custom = normalizeWebhook('github', 'issues', p, { ...opts, bugLabels: new Set(['enhancement']) });
    expect(custom.outcome === 'accepted' && custom.issues[0]!.is_bug).toBe(true);
  });
});
