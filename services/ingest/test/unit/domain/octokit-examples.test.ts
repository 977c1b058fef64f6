import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { defaultBugLabels, type NormalizeOptions } from '../../../src/domain/normalize.ts';
import { isFullSha } from '@omen/ids';

// Every example payload GitHub's own webhook docs ship, for the three event types omen uses.
const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as Array<{ name: string; examples: unknown[] }>;

const opts: NormalizeOptions = { pseudonymKey: 'test-key', bugLabels: new Set(defaultBugLabels) };

function examples(name: string): unknown[] {
  const d = definitions.find((x) => x.name === name);
  if (!d) throw new Error(`@octokit/webhooks-examples has no "${name}"`);
  return d.examples;
}

describe('@octokit/webhooks-examples', () => {
  for (const name of ['push', 'pull_request', 'issues']) {
    it(`normalises or gives a reason for every ${name} example`, () => {
      const all = examples(name);
      expect(all.length).toBeGreaterThan(0);
      for (const [i, payload] of all.entries()) {
        const r = normalizeWebhook('github', name, payload, opts);
        const where = `${name} example ${i}`;
        if (r.outcome !== 'accepted') {
          expect(r.reason, where).toMatch(/\S/);
          continue;
        }
        expect(r.repo.id, where).toMatch(/^github:[^/]+\/[^/]+$/);
        for (const c of r.commits) {
          expect(isFullSha(c.event.sha), where).toBe(true);
          expect(c.event.event_id, where).toBe(`${r.repo.id}:${c.event.sha}`);
          expect(c.event.author_id, where).toMatch(/^[0-9a-f]{16}$/);
        }
        for (const e of [...r.pullRequests, ...r.issues]) {
          expect(e.repo_id, where).toBe(r.repo.id);
          expect(e.event_id.startsWith(`${r.repo.id}:`), where).toBe(true);
          expect(Number.isFinite(e.updated_at), where).toBe(true);
        }
      }
    });
  }

  it('accepts all pull_request and issue examples except issue events about pull requests', () => {
    const prOutcomes = examples('pull_request').map((p) => normalizeWebhook('github', 'pull_request', p, opts).outcome);
    expect(prOutcomes.every((o) => o === 'accepted')).toBe(true);
    const issueResults = examples('issues').map((p) => normalizeWebhook('github', 'issues', p, opts));
    for (const [i, r] of issueResults.entries()) {
      const isPr = (examples('issues')[i] as { issue: { pull_request?: unknown } }).issue.pull_request !== undefined;
      expect(r.outcome).toBe(isPr ? 'ignored' : 'accepted');
    }
  });

  it('turns the branch push into one commit and ignores tag pushes and deletions', () => {
    const pushes = examples('push') as Array<{
      commits: Array<{
        id: string;
        message: string;
        timestamp: string;
        added: string[];
        removed: string[];
        modified: string[];
      }>;
    }>;
    const results = pushes.map((p) => normalizeWebhook('github', 'push', p, opts));
    let accepted = 0;
    for (const [i, r] of results.entries()) {
      if (r.outcome !== 'accepted') continue;
      accepted++;
      const sent = pushes[i]!.commits;
      expect(r.commits).toHaveLength(sent.length);
      const c = r.commits[0]!;
      const s0 = sent[0]!;
      expect(c.needsEnrichment).toBe(true);
      expect(c.event).toMatchObject({
        repo_id: 'github:codertocat/hello-world',
        repo_name: 'Codertocat/Hello-World',
        sha: s0.id,
        branch: 'master',
        message: s0.message.replace(/\n+$/, ''),
        source: 'webhook',
        event_time: Date.parse(s0.timestamp),
      });
      const paths = c.event.files.map((f) => `${f.status}:${f.path}`).sort();
      expect(paths).toEqual(
        [
          ...s0.added.map((p) => `added:${p}`),
          ...s0.removed.map((p) => `deleted:${p}`),
          ...s0.modified.map((p) => `modified:${p}`),
        ].sort(),
      );
      expect(c.event.files.every((f) => f.lines_added === 0 && f.hunks === null)).toBe(true);
    }
    expect(accepted).toBeGreaterThan(0);
    const reasons = results
      .filter((r) => r.outcome === 'ignored')
      .map((r) => (r.outcome === 'ignored' ? r.reason : ''));
    expect(reasons.some((r) => r.includes('deletes refs/tags/simple-tag'))).toBe(true);
    expect(reasons.some((r) => r.includes('not a branch push'))).toBe(true);
  });

  it('marks the bug-labelled issue as a bug and keeps its labels', () => {
    const opened = examples('issues').find((p) => (p as { action: string }).action === 'opened')!;
    const r = normalizeWebhook('github', 'issues', opened, opts);
    expect(r.outcome).toBe('accepted');
    if (r.outcome !== 'accepted') return;
    expect(r.issues[0]).toMatchObject({
      number: 1,
      action: 'opened',
      state: 'open',
      labels: ['bug'],
      is_bug: true,
      closed_at: null,
    });
    expect(r.issues[0]!.event_id).toBe(
      `github:codertocat/hello-world:issue:1:opened:${Date.parse('2019-05-15T15:20:18Z')}`,
    );
  });
});
