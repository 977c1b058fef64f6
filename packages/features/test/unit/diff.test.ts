import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@omen/errors';
import { changeShapeMetrics, diffCodeFindings, parseUnifiedDiff } from '../../src/change/index.ts';

const GIT_SHOW = [
  'commit 0123456789abcdef0123456789abcdef01234567',
  'Author: someone <someone@example.com>',
  'Date:   Mon Jan 5 10:00:00 2026 +0000',
  '',
  '    Fix crash when the router has no routes',
  '',
  'diff --git a/lib/router.js b/lib/router.js',
  'index 1111111..2222222 100644',
  '--- a/lib/router.js',
  '+++ b/lib/router.js',
  '@@ -10,4 +10,4 @@ function route() {',
  '   const a = 1;',
  '-  const b = 2;',
  '+  const b = 3;',
  '+  -- not a header, an added line that starts with dashes',
  '   return a;',
  '-- old line that starts with dashes',
  '@@ -40,0 +42,1 @@',
  '+const password = "s3cr3t-value-42";',
  'diff --git a/old name.txt b/docs/new name.txt',
  'similarity index 90%',
  'rename from old name.txt',
  'rename to docs/new name.txt',
  'diff --git a/img.png b/img.png',
  'new file mode 100644',
  'Binary files /dev/null and b/img.png differ',
  'diff --git a/gone.js b/gone.js',
  'deleted file mode 100644',
  '--- a/gone.js',
  '+++ /dev/null',
  '@@ -1,2 +0,0 @@',
  '-x();',
  '-y();',
  '',
].join('\n');

describe('parseUnifiedDiff', () => {
  it('reads git show output: message, files, renames, binaries, deletions, counts from the hunk headers', () => {
    const { files, message } = parseUnifiedDiff(GIT_SHOW);
    expect(message).toBe('Fix crash when the router has no routes');
    expect(files.map((f) => [f.path, f.oldPath, f.status, f.binary, f.linesAdded, f.linesDeleted])).toEqual([
      ['lib/router.js', null, 'modified', false, 3, 2],
      ['docs/new name.txt', 'old name.txt', 'renamed', false, 0, 0],
      ['img.png', null, 'added', true, 0, 0],
      ['gone.js', null, 'deleted', false, 0, 2],
    ]);
    // Added lines keep their new-file numbers; a deletion between them splits the runs.
    expect(files[0]!.addedHunks).toEqual([
      [
        { number: 11, content: '  const b = 3;' },
        { number: 12, content: '  -- not a header, an added line that starts with dashes' },
      ],
      [{ number: 42, content: 'const password = "s3cr3t-value-42";' }],
    ]);
  });

  it('gives the change metrics and findings the featurizer would', () => {
    const { files, message } = parseUnifiedDiff(GIT_SHOW);
    expect(changeShapeMetrics(files, message)).toEqual({
      ns: 3,
      nd: 3,
      nf: 4,
      entropy: expect.closeTo(-(5 / 7) * Math.log2(5 / 7) - (2 / 7) * Math.log2(2 / 7), 9),
      la: 3,
      ld: 4,
      fix: 1,
    });
    const findings = diffCodeFindings(files);
    expect(findings.values).toMatchObject({
      files_parsed: 0,
      security_hits: 1,
      sec_hardcoded_secret: 1,
      sec_eval_exec: 0,
    });
    expect(findings.files).toEqual([{ path: 'lib/router.js', values: { security_hits: 1 } }]);
  });

  it('reads plain diff -u output and format-patch subjects', () => {
    const plain = parseUnifiedDiff('--- a.txt\t2026-01-01\n+++ a.txt\t2026-01-02\n@@ -1 +1 @@\n-a\n+b\n');
    expect(plain.files).toEqual([
      {
        path: 'a.txt',
        oldPath: null,
        status: 'modified',
        binary: false,
        linesAdded: 1,
        linesDeleted: 1,
        addedHunks: [[{ number: 1, content: 'b' }]],
      },
    ]);
    const patch = parseUnifiedDiff(
      'From abc Mon Sep 17 00:00:00 2001\nSubject: [PATCH 1/2] Repair the bug\n---\n lib/a.js | 1 +\ndiff --git a/lib/a.js b/lib/a.js\n--- a/lib/a.js\n+++ b/lib/a.js\n@@ -0,0 +1 @@\n+x\n-- \n2.39.2\n',
    );
    expect(patch.message).toBe('Repair the bug');
    expect(patch.files[0]).toMatchObject({ path: 'lib/a.js', linesAdded: 1 });
  });

  it('refuses what is not a diff, hunks that do not add up, paths outside the repository, and sizes past the limits', () => {
    const refused = (text: string, limits?: Parameters<typeof parseUnifiedDiff>[1]) => {
      try {
        parseUnifiedDiff(text, limits);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect((err as InvalidArgumentError).field).toBe('diff');
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('hello')).toMatch(/no changed file/);
    expect(refused('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+b\n')).toMatch(/short of its header/);
    expect(refused('--- a/x\n+++ b/x\n@@ -1 +1 @@\n?a\n')).toMatch(/line 4/);
    expect(refused('--- a/x\n+++ b/../../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n')).toMatch(/not a relative path/);
    expect(refused('--- a/x\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n')).toMatch(/not a relative path/);
    expect(refused(GIT_SHOW, { maxFiles: 2 })).toMatch(/more than 2 files/);
    expect(refused(GIT_SHOW, { maxLines: 10 })).toMatch(/more than the 10 allowed/);
  });

  it('answers any text with a parse or an InvalidArgumentError, bounded (fast-check, seeded)', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        'diff --git a/x b/x',
        '--- a/x',
        '+++ b/x',
        '+++ /dev/null',
        '--- /dev/null',
        '@@ -1 +1 @@',
        '@@ -1,2 +1,0 @@',
        '@@ -0,0 +1,3 @@',
        'new file mode 100644',
        'rename from "a\\tb"',
        'rename to ../x',
        'Binary files a and b differ',
        '\\ No newline at end of file',
        '',
      ),
      fc.string({ maxLength: 20 }).map((s) => `+${s}`),
      fc.string({ maxLength: 20 }).map((s) => `-${s}`),
      fc.string({ maxLength: 20 }).map((s) => ` ${s}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        try {
          const { files } = parseUnifiedDiff(lines.join('\n'), { maxFiles: 20, maxLines: 100 });
          expect(files.length).toBeGreaterThan(0);
          for (const f of files) {
            expect(f.path).not.toMatch(/^\/|(^|\/)\.\.(\/|$)/);
            expect(f.addedHunks.flat().length).toBe(f.linesAdded);
          }
          const m = changeShapeMetrics(files, '');
          expect(Number.isFinite(m.entropy) && m.entropy >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidArgumentError);
          expect((err as Error).message.length).toBeLessThan(400);
        }
      }),
      { numRuns: 2000, seed: 18 },
    );
  });
});
