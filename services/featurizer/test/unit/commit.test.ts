import { describe, expect, it } from 'vitest';
import { isMerge, validateCommit } from '../../src/domain/commit.ts';
import type { CommitInput } from '../../src/domain/commit.ts';

const good: CommitInput = {
  repo_id: 'github:acme/x',
  sha: 'a'.repeat(40),
  parents: ['b'.repeat(40)],
  author_id: 'u1',
  commit_time: 1_700_000_000_000,
  message: 'Add x',
  files: [
    { path: 'src/x.js', old_path: null, status: 'added', lines_added: 1, lines_deleted: 0, binary: false, hunks: null },
  ],
};

describe('validateCommit', () => {
  it('accepts a well-formed commit, SHA-1 or SHA-256', () => {
    expect(validateCommit(good)).toEqual([]);
    expect(validateCommit({ ...good, sha: 'c'.repeat(64) })).toEqual([]);
  });

  it('refuses a push whose line counts are unknown instead of reading its zeros as real', () => {
    expect(validateCommit({ ...good, line_counts_known: true })).toEqual([]);
    const problems = validateCommit({ ...good, line_counts_known: false });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line_counts_known is false/);
  });

  it('names every problem with its field', () => {
    const problems = validateCommit({
      ...good,
      repo_id: ' ',
      sha: 'XYZ',
      author_id: '',
      commit_time: -1,
      files: [
        {
          path: '/abs',
          old_path: '',
          status: 'renamed',
          lines_added: -1,
          lines_deleted: 0.5,
          binary: false,
          hunks: null,
        },
        {
          path: 'img.png',
          old_path: null,
          status: 'copied',
          lines_added: 3,
          lines_deleted: 0,
          binary: true,
          hunks: null,
        },
        {
          path: 'a.js',
          old_path: null,
          status: 'modified',
          lines_added: 2,
          lines_deleted: 0,
          binary: false,
          hunks: [
            {
              old_start: 0,
              old_lines: 0,
              new_start: 1,
              new_lines: 1,
              deleted_lines: [],
              added_lines: [{ number: 1, content: 'x' }],
            },
          ],
        },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^repo_id must start with github:, gitlab: or git: /),
      'sha must be 40 or 64 lower-case hex characters, got "XYZ"',
      'author_id is empty',
      'commit_time must be epoch milliseconds >= 0, got -1',
      'files[0].path must be a relative file path, got "/abs"',
      'files[0].old_path must be null or a relative file path, got ""',
      'files[0].lines_added must be an integer >= 0, got -1',
      'files[0].lines_deleted must be an integer >= 0, got 0.5',
      'files[1] is copied but old_path is null',
      'files[1] is binary but has line counts',
      'files[2].hunks list 1 added and 0 deleted lines, but lines_added is 2 and lines_deleted 0',
    ]);
  });

  it('tells merges apart', () => {
    expect(isMerge(good)).toBe(false);
    expect(isMerge({ parents: ['a', 'b'] })).toBe(true);
  });
});
