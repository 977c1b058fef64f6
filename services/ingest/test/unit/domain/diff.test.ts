import { describe, expect, it } from 'vitest';
import { capHunks, countLines, parseHunks } from '../../../src/domain/diff.ts';
import type { FileChange } from '../../../src/domain/events.ts';

describe('parseHunks', () => {
  it('splits a hunk with context into zero-context hunks with line numbers', () => {
    const patch = [
      '@@ -10,6 +10,8 @@ function router(app) {',
      '   const routes = [];',
      '   for (const r of app.routes) {',
      '-    routes.push(r);',
      '+    if (r.enabled) {',
      '+      routes.push(r);',
      '+    }',
      '   }',
      '   return routes;',
      ' }',
      '@@ -40,3 +41,2 @@ function unused() {',
      '   // keep',
      '-  return 1;',
      ' }',
    ].join('\n');
    const hunks = parseHunks(patch);
    expect(hunks).toEqual([
      {
        old_start: 12,
        old_lines: 1,
        new_start: 12,
        new_lines: 3,
        deleted_lines: [{ number: 12, content: '    routes.push(r);' }],
        added_lines: [
          { number: 12, content: '    if (r.enabled) {' },
          { number: 13, content: '      routes.push(r);' },
          { number: 14, content: '    }' },
        ],
      },
      {
        old_start: 41,
        old_lines: 1,
        new_start: 0,
        new_lines: 0,
        deleted_lines: [{ number: 41, content: '  return 1;' }],
        added_lines: [],
      },
    ]);
    expect(countLines(hunks)).toEqual({ added: 3, deleted: 2 });
  });

  it('reads -U0 output, pure insertions, and ignores "no newline" markers and file headers', () => {
    const patch = [
      '--- a/f.txt',
      '+++ b/f.txt',
      '@@ -2 +2 @@ a',
      '-b',
      '\\ No newline at end of file',
      '+B',
      '@@ -3,0 +4 @@ c',
      '+d',
      '',
    ].join('\n');
    expect(parseHunks(patch)).toEqual([
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

  it('returns no hunks for text without a hunk header', () => {
    expect(parseHunks('Binary files a/x and b/x differ\n')).toEqual([]);
    expect(parseHunks('')).toEqual([]);
  });
});

describe('capHunks', () => {
  const file = (path: string, lines: number): FileChange => ({
    path,
    old_path: null,
    status: 'modified',
    lines_added: lines,
    lines_deleted: 0,
    binary: false,
    hunks: [
      {
        old_start: 0,
        old_lines: 0,
        new_start: 1,
        new_lines: lines,
        deleted_lines: [],
        added_lines: Array.from({ length: lines }, (_, i) => ({ number: i + 1, content: 'x'.repeat(92) })),
      },
    ],
  });

  it('drops the hunks of the largest files first and keeps their counts', () => {
    const files = [file('small', 1), file('huge', 100), file('mid', 10)];
    const capped = capHunks(files, 2000);
    expect(capped.map((f) => f.hunks === null)).toEqual([false, true, false]);
    expect(capped[1]!.lines_added).toBe(100);
    expect(capHunks(files, 1_000_000)).toBe(files);
  });
});
