// Regression: an empty hunk list in a gRPC commit was always read as "line counts only" (null),
// so an empty file added or a pure rename left the featurizer without the file's blame for the
// rest of the history: express through ingest gave 952 SZZ bug-inducing commits where the same
// hunks in process give 1,053.
import { describe, expect, it } from 'vitest';
import { commitFromProto } from '../../../src/domain/proto-commit.ts';

const sha = 'a'.repeat(40);
const hunk = {
  old_start: 0,
  old_lines: 0,
  new_start: 1,
  new_lines: 1,
  deleted_lines: [],
  added_lines: [{ number: 1, content: 'x' }],
};

function withFiles(files: unknown[]) {
  const r = commitFromProto(
    {
      repo_id: 'git:acme/app',
      repo_name: 'acme/app',
      sha,
      parents: [],
      author: 'a@example.com',
      committer: 'a@example.com',
      commit_time: { seconds: 1_600_000_000, nanos: 0 },
      author_time: { seconds: 1_600_000_000, nanos: 0 },
      message: 'm',
      files,
    },
    'k'.repeat(32),
    'backfill',
  );
  if (!r.ok) throw new Error(`${r.field}: ${r.reason}`);
  return r.event.files.map((f) => f.hunks);
}

describe('hunks of a gRPC commit', () => {
  it('an empty list with no lines changed is a change without hunks ([]): an empty file, a pure rename', () => {
    expect(
      withFiles([
        { path: 'empty.js', status: 'FILE_STATUS_ADDED', lines_added: 0, lines_deleted: 0, binary: false, hunks: [] },
        {
          path: 'b.js',
          old_path: 'a.js',
          status: 'FILE_STATUS_RENAMED',
          lines_added: 0,
          lines_deleted: 0,
          binary: false,
          hunks: [],
        },
      ]),
    ).toEqual([[], []]);
  });

  it('an empty list with lines changed is line counts only (null); hunks are kept; binary files have none', () => {
    expect(
      withFiles([
        { path: 'a.js', status: 'FILE_STATUS_MODIFIED', lines_added: 3, lines_deleted: 1, binary: false, hunks: [] },
        { path: 'c.js', status: 'FILE_STATUS_ADDED', lines_added: 1, lines_deleted: 0, binary: false, hunks: [hunk] },
        { path: 'logo.png', status: 'FILE_STATUS_ADDED', lines_added: 0, lines_deleted: 0, binary: true, hunks: [] },
      ]),
    ).toEqual([null, [hunk], null]);
  });
});

// Regression: a hostile PublishCommit (100,000 bad entries, inside the 4 MiB gRPC limit) was
// validated with a zod schema that reports every issue, which kept ingest's event loop busy for
// seconds; the first problem now ends the walk.
describe('refusals of a gRPC commit', () => {
  const base = {
    repo_id: 'git:acme/app',
    sha,
    author: 'a@example.com',
    commit_time: { seconds: 1_600_000_000, nanos: 0 },
    author_time: { seconds: 1_600_000_000, nanos: 0 },
  };
  const refusal = (commit: unknown) => {
    const r = commitFromProto(commit, 'k'.repeat(32), 'producer');
    return r.ok ? undefined : { field: r.field, reason: r.reason };
  };

  it('names the first bad entry of a huge list, and only it', () => {
    expect(refusal({ ...base, files: new Array(100_000).fill({}) })).toEqual({
      field: 'commit.files.0.path',
      reason: 'commit.files.0.path: required',
    });
    expect(
      refusal({
        ...base,
        files: [
          {
            path: 'a',
            hunks: [
              {
                old_start: 0,
                old_lines: 0,
                new_start: 1,
                new_lines: 1,
                added_lines: new Array(100_000).fill({ number: -1, content: '' }),
              },
            ],
          },
        ],
      }),
    ).toEqual({
      field: 'commit.files.0.hunks.0.added_lines.0.number',
      reason: 'commit.files.0.hunks.0.added_lines.0.number: too small: expected number to be >=0',
    });
  });

  it('refuses a parent list over its limit before reading an entry', () => {
    expect(refusal({ ...base, parents: new Array(100_000).fill('not a sha') })).toEqual({
      field: 'commit.parents',
      reason: 'commit.parents: 100000 parents; at most 1024',
    });
    expect(refusal({ ...base, parents: ['x'] })?.reason).toBe(
      'commit.parents.0: expected a full commit sha (40 or 64 hex digits)',
    );
  });

  it('names each missing or wrong field as before', () => {
    expect(refusal({ ...base, sha: 'abc' })?.reason).toBe(
      'commit.sha: expected a full commit sha (40 or 64 hex digits)',
    );
    expect(refusal({ ...base, author: '' })?.reason).toBe(
      'commit.author: required (an e-mail, login or pseudonymous id)',
    );
    expect(refusal({ ...base, commit_time: undefined })?.reason).toBe('commit.commit_time: required');
    expect(refusal({ ...base, commit_time: { seconds: '-5', nanos: 0 } })?.reason).toMatch(
      /^commit\.commit_time: expected seconds between 1970 and 9999/,
    );
    expect(refusal({ ...base, files: [{ path: 'a', status: 'FILE_STATUS_BOGUS' }] })?.reason).toBe(
      'commit.files.0.status: unknown value FILE_STATUS_BOGUS',
    );
    expect(refusal({ ...base, provider: 'SCM_PROVIDER_GITHUB' })?.reason).toMatch(
      /^commit\.provider: SCM_PROVIDER_GITHUB does not match repo_id/,
    );
    expect(refusal({ ...base, files: [{ path: 'a', lines_added: 2 ** 31 }] })?.field).toBe(
      'commit.files.0.lines_added',
    );
  });
});
