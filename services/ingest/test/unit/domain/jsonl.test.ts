import { describe, expect, it } from 'vitest';
import { parseHistoryLine } from '../../../src/domain/jsonl.ts';
import type { RepoRef } from '../../../src/domain/events.ts';

const repo: RepoRef = { provider: 'github', id: 'github:expressjs/express', name: 'expressjs/express' };
// The first line of ../shared/data/express-commits.jsonl.gz, shortened to two files.
const line = JSON.stringify({
  sha: '9998490f93d3ad3d56c00d23c0aa13fac41c3f6b',
  parents: [],
  author_id: 'd7c7dcd6b212ad8e',
  committer_id: 'd7c7dcd6b212ad8e',
  author_time: 1246042578,
  commit_time: 1246042578,
  message: 'Initial commit',
  files: [
    { path: 'History.rdoc', old_path: null, added: 4, deleted: 0, binary: false },
    { path: 'lib/new.js', old_path: 'lib/old.js', added: 1, deleted: 2, binary: false },
  ],
});

describe('parseHistoryLine', () => {
  it('turns an export line into a backfill commit event', () => {
    const r = parseHistoryLine(line, 1, repo);
    if (!r.ok) throw new Error(r.reason);
    expect(r.event).toEqual({
      event_id: 'github:expressjs/express:9998490f93d3ad3d56c00d23c0aa13fac41c3f6b',
      event_time: 1246042578000,
      repo_id: 'github:expressjs/express',
      repo_name: 'expressjs/express',
      provider: 'github',
      sha: '9998490f93d3ad3d56c00d23c0aa13fac41c3f6b',
      parents: [],
      author_id: 'd7c7dcd6b212ad8e',
      committer_id: 'd7c7dcd6b212ad8e',
      author_time: 1246042578000,
      commit_time: 1246042578000,
      message: 'Initial commit',
      files: [
        {
          path: 'History.rdoc',
          old_path: null,
          status: 'unknown',
          lines_added: 4,
          lines_deleted: 0,
          binary: false,
          hunks: null,
        },
        {
          path: 'lib/new.js',
          old_path: 'lib/old.js',
          status: 'renamed',
          lines_added: 1,
          lines_deleted: 2,
          binary: false,
          hunks: null,
        },
      ],
      branch: null,
      source: 'backfill',
      line_counts_known: true,
    });
  });

  it('names the line and the field that is wrong', () => {
    expect(parseHistoryLine('{"sha":', 7, repo)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^line 7: not JSON/),
    });
    const bad = JSON.parse(line) as Record<string, unknown>;
    bad['author_time'] = 'soon';
    expect(parseHistoryLine(JSON.stringify(bad), 9, repo)).toEqual({
      ok: false,
      reason: 'line 9: author_time: expected number, received string',
    });
  });
});
