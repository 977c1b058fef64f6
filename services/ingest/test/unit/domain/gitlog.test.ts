import { describe, expect, it } from 'vitest';
import { GitLogParser, parseChanges, unquote } from '../../../src/domain/gitlog.ts';

// Recorded from `git log` with gitConfigArgs + gitLogDiffArgs on a scratch repository: a text
// file and a binary file added, then a rename of the binary and an edit, then a deletion.
const sha1 = 'b5001f719e17832e303bae4923a1b9bb576aba76';
const sha2 = 'e95d9cd65402d00cb1e4aa0c6cdeb5b467266dc3';
const recorded = [
  `\0${sha1}\0\0a@x.org\0a@x.org\x001795401314\x001795401314\0first\n\nbody line\n\0`,
  '\n\n-\t-\tb.bin\n3\t0\tf.txt\n\n',
  'diff --git a/b.bin b/b.bin\nnew file mode 100644\nindex 0000000..88768ef\nBinary files /dev/null and b/b.bin differ\n',
  'diff --git a/f.txt b/f.txt\nnew file mode 100644\nindex 0000000..de98044\n--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n',
  `\0${sha2}\0${sha1}\0b@x.org\0c@x.org\x001795401320\x001795401330\0second\n\0`,
  '\n\n-\t-\tb.bin => c.bin\n2\t1\tf.txt\n\n',
  'diff --git a/b.bin b/c.bin\nsimilarity index 100%\nrename from b.bin\nrename to c.bin\n',
  'diff --git a/f.txt b/f.txt\nindex de98044..a7bc997 100644\n--- a/f.txt\n+++ b/f.txt\n@@ -2 +2 @@ a\n-b\n+B\n@@ -3,0 +4 @@ c\n+d\n',
].join('');

describe('GitLogParser', () => {
  it('parses commits whatever the chunk boundaries', () => {
    for (const size of [1, 7, 64, recorded.length]) {
      const p = new GitLogParser();
      const out = [];
      for (let i = 0; i < recorded.length; i += size) out.push(...p.push(recorded.slice(i, i + size)));
      out.push(...p.end());
      expect(
        out.map((c) => c.sha),
        `chunk ${size}`,
      ).toEqual([sha1, sha2]);
    }
  });

  it('reads headers, numstat counts, statuses, renames and hunks', () => {
    const p = new GitLogParser();
    const [first, second] = [...p.push(recorded), ...p.end()];
    expect(first).toMatchObject({
      parents: [],
      authorIdentity: 'a@x.org',
      message: 'first\n\nbody line',
      authorTime: 1795401314000,
    });
    expect(first!.files.map((f) => [f.path, f.status, f.binary, f.lines_added, f.lines_deleted])).toEqual([
      ['b.bin', 'added', true, 0, 0],
      ['f.txt', 'added', false, 3, 0],
    ]);
    expect(second).toMatchObject({
      parents: [sha1],
      authorIdentity: 'b@x.org',
      committerIdentity: 'c@x.org',
      authorTime: 1795401320000,
      commitTime: 1795401330000,
    });
    expect(second!.files[0]).toMatchObject({
      path: 'c.bin',
      old_path: 'b.bin',
      status: 'renamed',
      binary: true,
      hunks: null,
    });
    expect(second!.files[1]).toMatchObject({ path: 'f.txt', status: 'modified', lines_added: 2, lines_deleted: 1 });
    expect(second!.files[1]!.hunks).toEqual([
      {
        old_start: 2,
        old_lines: 1,
        new_start: 2,
        new_lines: 1,
        deleted_lines: [{ number: 2, content: 'b' }],
        added_lines: [{ number: 2, content: 'B' }],
      },
      {
        old_start: 0,
        old_lines: 0,
        new_start: 4,
        new_lines: 1,
        deleted_lines: [],
        added_lines: [{ number: 4, content: 'd' }],
      },
    ]);
  });

  it('refuses output that is not git log in our format', () => {
    const p = new GitLogParser();
    expect(() => p.push('\0not-a-sha\0\0\0\0\0\0\0\0')).toThrow(/expected a commit sha/);
    const q = new GitLogParser();
    q.push(`\0${sha1}\0\0a`);
    expect(() => q.end()).toThrow(/ended inside a commit header/);
  });
});

describe('parseChanges', () => {
  it('handles quoted names, names with spaces and deletions', () => {
    const body = [
      '',
      '1\t0\tdir one/sp ace.txt',
      '1\t0\t"tab\\t\\"q\\".txt"',
      '0\t1\tgone.txt',
      '',
      'diff --git a/dir one/sp ace.txt b/dir one/sp ace.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/dir one/sp ace.txt\t',
      '@@ -0,0 +1 @@',
      '+q',
      'diff --git "a/tab\\t\\"q\\".txt" "b/tab\\t\\"q\\".txt"',
      'new file mode 100644',
      '--- /dev/null',
      '+++ "b/tab\\t\\"q\\".txt"',
      '@@ -0,0 +1 @@',
      '+z',
      'diff --git a/gone.txt b/gone.txt',
      'deleted file mode 100644',
      '--- a/gone.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-y',
    ].join('\n');
    expect(parseChanges(body).map((f) => [f.path, f.status, f.lines_added, f.lines_deleted])).toEqual([
      ['dir one/sp ace.txt', 'added', 1, 0],
      ['tab\t"q".txt', 'added', 1, 0],
      ['gone.txt', 'deleted', 0, 1],
    ]);
  });

  it('decodes octal UTF-8 escapes', () => {
    expect(unquote('"\\303\\274n\\303\\257.txt"')).toBe('ünï.txt');
  });
});
