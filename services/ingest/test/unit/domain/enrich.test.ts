import { describe, expect, it } from 'vitest';
import { applyDetail, detailFromGithub, detailFromGitlab, DetailParseError } from '../../../src/domain/enrich.ts';
import { normalizeWebhook } from '../../../src/domain/webhook.ts';
import { defaultBugLabels } from '../../../src/domain/normalize.ts';
import { pseudonym } from '../../../src/domain/ids.ts';
import { fixture } from '../../fixtures/load.ts';

describe('detailFromGithub (recorded GET /repos/{o}/{r}/commits/{sha})', () => {
  it('reads parents, both dates, identities and files with hunks from every page', () => {
    const d = detailFromGithub([fixture('github/commit-6dcb09b.json'), fixture('github/commit-6dcb09b-page2.json')]);
    expect(d).toMatchObject({
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      parents: ['7638417db6d59f3c431d3e1f261cc637155684cd'],
      authorIdentity: 'support@github.com',
      committerIdentity: 'octocat@github.com',
      authorTime: Date.parse('2011-04-14T16:00:49Z'),
      commitTime: Date.parse('2011-04-15T09:12:03Z'),
      message: 'Fix router: skip disabled routes\n\nFixes #12',
    });
    expect(
      d.files.map((f) => [
        f.path,
        f.old_path,
        f.status,
        f.lines_added,
        f.lines_deleted,
        f.binary,
        f.hunks?.length ?? null,
      ]),
    ).toEqual([
      ['lib/router.js', null, 'modified', 3, 2, false, 2],
      ['docs/routing.md', 'docs/router.md', 'renamed', 1, 0, false, 1],
      ['assets/logo.png', null, 'added', 0, 0, true, null],
      ['test/router.test.js', null, 'added', 2, 0, false, 1],
    ]);
    // The hunk counts agree with GitHub's own additions/deletions.
    const router = d.files[0]!;
    expect(router.hunks!.reduce((n, h) => n + h.added_lines.length, 0)).toBe(router.lines_added);
    expect(router.hunks!.reduce((n, h) => n + h.deleted_lines.length, 0)).toBe(router.lines_deleted);
  });

  it('says which field of which page is wrong', () => {
    const bad = structuredClone(fixture('github/commit-6dcb09b.json')) as Record<string, unknown>;
    delete (bad['commit'] as Record<string, unknown>)['message'];
    expect(() => detailFromGithub([bad])).toThrow(DetailParseError);
    expect(() => detailFromGithub([bad])).toThrow(/page 1\) is invalid: commit\.message/);
  });
});

describe('detailFromGitlab (recorded commit + diff pages)', () => {
  it('reads the commit and counts lines from the diffs', () => {
    const d = detailFromGitlab(fixture('gitlab/commit-d5a3ff1.json'), [
      fixture('gitlab/commit-d5a3ff1-diff-page1.json'),
      fixture('gitlab/commit-d5a3ff1-diff-page2.json'),
    ]);
    expect(d).toMatchObject({
      sha: 'd5a3ff139356ce33e37e73add446f16869741b50',
      parents: ['ae73cb07c9eeaf35924a10f713b364d32b2dd34f'],
      authorIdentity: 'jordi@softcatala.org',
      committerIdentity: 'mike@example.com',
      authorTime: Date.parse('2011-12-12T14:27:31+02:00'),
      commitTime: Date.parse('2011-12-12T16:01:02+02:00'),
      message: 'Fix parser for empty input\n\nCloses #7',
    });
    expect(d.files.map((f) => [f.path, f.old_path, f.status, f.lines_added, f.lines_deleted, f.binary])).toEqual([
      ['lib/parser.rb', null, 'modified', 2, 1, false],
      ['spec/parser_empty_spec.rb', null, 'added', 1, 0, false],
      ['doc/parser.md', 'doc/parsing.md', 'renamed', 0, 0, false],
      ['img/logo.png', null, 'deleted', 0, 0, true],
    ]);
    expect(d.files[0]!.hunks).toEqual([
      {
        old_start: 72,
        old_lines: 1,
        new_start: 72,
        new_lines: 2,
        deleted_lines: [{ number: 72, content: '  raise ParseError if tokens.nil?' }],
        added_lines: [
          { number: 72, content: '  return [] if tokens.nil?' },
          { number: 73, content: '  return [] if tokens.empty?' },
        ],
      },
    ]);
  });
});

describe('applyDetail', () => {
  it('fills a push draft, keeping its id and branch', () => {
    const r = normalizeWebhook('gitlab', 'Push Hook', fixture('gitlab/push-hook.json'), {
      pseudonymKey: 'k',
      bugLabels: new Set(defaultBugLabels),
    });
    if (r.outcome !== 'accepted') throw new Error(r.reason);
    const draft = r.commits[0]!.event;
    const detail = detailFromGitlab(fixture('gitlab/commit-d5a3ff1.json'), [
      fixture('gitlab/commit-d5a3ff1-diff-page1.json'),
    ]);
    expect(draft.line_counts_known).toBe(false);
    const e = applyDetail(draft, detail, 'k');
    expect(e.line_counts_known).toBe(true);
    expect(e.event_id).toBe(draft.event_id);
    expect(e.branch).toBe('master');
    expect(e.committer_id).toBe(pseudonym('k', 'mike@example.com'));
    expect(e.event_time).toBe(detail.commitTime);
    expect(e.files).toHaveLength(2);
  });
});
