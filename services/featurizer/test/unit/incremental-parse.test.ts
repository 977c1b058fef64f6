// The analyzer parses a file's new text from the tree of its old text (tree-sitter's incremental
// parse). The metrics must be exactly those of a parse from scratch: checked on express's real
// file histories, and on edits at the places where an edit's bounds are easy to get wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLanguages } from '../../src/adapters/tree-sitter.ts';
import { createCodeAnalyzer, measureText, textEdit } from '../../src/domain/code/analyzer.ts';
import type { LoadedLanguages } from '../../src/domain/code/analyzer.ts';
import type { CodeAnalysis, CodeFileInput } from '../../src/domain/code/types.ts';
import { cloneExpress, type ExpressClone } from '../helpers/express-git.ts';

let languages: LoadedLanguages;
let clone: ExpressClone;
beforeAll(async () => {
  languages = await loadLanguages();
  clone = cloneExpress();
});
afterAll(() => clone?.remove());

/** Consecutive texts of `path` along its history, oldest first. */
function versions(path: string, limit: number): string[] {
  // Deletions left out: a file re-added later is then an edit of its last text before.
  const shas = clone
    .git('log', '--format=%H', '--diff-filter=ACMRT', '-n', String(limit), '--', path)
    .trim()
    .split('\n');
  return shas.reverse().map((sha) => clone.git('show', `${sha}:${path}`));
}

function changes(path: string, texts: readonly string[]): CodeFileInput[] {
  const out: CodeFileInput[] = [];
  for (let i = 0; i < texts.length; i++) {
    const before = i === 0 ? null : texts[i - 1]!;
    if (before === texts[i]) continue;
    out.push({ path, before, after: texts[i]!, added: [] });
  }
  return out;
}

describe('incremental parsing', () => {
  it("gives the metrics of a full parse on express's file histories, and is used for most edits", () => {
    const files = clone
      .git('ls-files', 'lib', 'test')
      .split('\n')
      .filter((f) => f.endsWith('.js'))
      .slice(0, 30);
    const modes = { full: 0, incremental: 0 };
    const incremental = createCodeAnalyzer(languages, { onParse: (mode) => (modes[mode] += 1) });
    const scratch = createCodeAnalyzer(languages, { treeCacheChars: 0 });
    let compared = 0;
    for (const path of files) {
      for (const change of changes(path, versions(path, 20))) {
        const a = incremental([change]);
        const b = scratch([change]);
        expect(a, `${path}`).toEqual(b);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(150);
    // Every edit of a file whose old version was just parsed can start from its tree.
    expect(modes.incremental).toBeGreaterThan(modes.full);
  });

  it.each([
    ['an edit at the very start', 'a();\nb();\n', 'x();\na();\nb();\n'],
    ['an edit at the very end, without a final newline', 'a();\nif (b) { c(); }', 'a();\nif (b) { c(); d(); }'],
    ['a deletion of everything', 'function f() { if (a) {} }\n', ''],
    ['text from nothing', '', 'function f() { while (a) {} }\n'],
    ['an edit next to a surrogate pair', 'const s = "😀";\nif (a) {}\n', 'const s = "😁";\nif (a) { if (b) {} }\n'],
    ['a change spread over the file', 'if (a) {}\nx();\nif (b) {}\n', 'if (a && c) {}\nx();\nfor (;;) {}\nif (b) {}\n'],
  ])('equals a full parse for %s', (_, before, after) => {
    const analyze = createCodeAnalyzer(languages);
    const input = (b: string | null, a: string): CodeFileInput[] => [{ path: 'x.js', before: b, after: a, added: [] }];
    analyze(input(null, before)); // keeps the old text's tree
    const fromTree = analyze(input(before, after));
    const fresh = createCodeAnalyzer(languages, { treeCacheChars: 0 })(input(before, after));
    expect(fromTree).toEqual(fresh);
    if (after !== '')
      expect((fromTree as CodeAnalysis).files[0]!.values['sloc']).toBe(measureText(languages, 'x.js', after)!.sloc);
  });

  it('describes the edit between the common prefix and suffix, in rows and columns of each text', () => {
    expect(textEdit('ab\ncd\nef', 'ab\ncXd\nef')).toEqual({
      startIndex: 4,
      oldEndIndex: 4,
      newEndIndex: 5,
      startPosition: { row: 1, column: 1 },
      oldEndPosition: { row: 1, column: 1 },
      newEndPosition: { row: 1, column: 2 },
    });
    // "😀" and "😁" share their high surrogate: the edit starts before it, not between the halves.
    expect(textEdit('"😀"', '"😁"')).toMatchObject({ startIndex: 1, oldEndIndex: 3, newEndIndex: 3 });
  });
});
