import { beforeAll, describe, expect, it } from 'vitest';
import { loadLanguages } from '../../src/adapters/tree-sitter.ts';
import { createCodeAnalyzer } from '../../src/domain/code/analyzer.ts';
import type { CommitInput, Hunk } from '../../src/domain/commit.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import type { CodeAnalyzer } from '../../src/domain/code/types.ts';
import { hunk } from '../helpers/hunks.ts';

const REPO = 'github:acme/code';
let analyzer: CodeAnalyzer;
beforeAll(async () => {
  analyzer = createCodeAnalyzer(await loadLanguages(['javascript']));
});

const commit = (n: number, hunks: Hunk[] | null, counts?: [number, number]): CommitInput => ({
  repo_id: REPO,
  sha: n.toString(16).padStart(40, 'd'),
  parents: n > 1 ? [(n - 1).toString(16).padStart(40, 'd')] : [],
  author_id: 'a',
  commit_time: n * 1000,
  message: `change ${n}`,
  files: [
    {
      path: 'src/f.js',
      old_path: null,
      status: n === 1 ? 'added' : 'modified',
      lines_added: counts?.[0] ?? (hunks ?? []).reduce((s, h) => s + h.new_lines, 0),
      lines_deleted: counts?.[1] ?? (hunks ?? []).reduce((s, h) => s + h.old_lines, 0),
      binary: false,
      hunks,
    },
  ],
});

describe('code metrics through the commit processor', () => {
  it('measures the file after each change against the text the blame state holds', async () => {
    const store = new InMemoryHistoryStore();
    const [c1, c2, c3] = await processCommits(
      store,
      REPO,
      [
        commit(1, [hunk(0, [], 1, ['function f(x) {', '  return x;', '}'])]),
        commit(2, [hunk(2, ['  return x;'], 2, ['  if (x && y) { return 1; }', '  return x;'])]),
        commit(3, null, [1, 0]),
      ],
      { analyzer },
    );
    expect(c1!.outputs!.code).toMatchObject({
      files_parsed: 1,
      functions: 1,
      functions_delta: 1,
      complexity_delta: 2,
      sloc: 3,
    });
    expect(c2!.outputs!.code).toMatchObject({
      files_parsed: 1,
      complexity_max: 3,
      complexity_delta: 2,
      sloc: 4,
      sloc_delta: 1,
    });
    expect(c2!.outputs!.fileMetrics).toEqual([
      {
        path: 'src/f.js',
        values: {
          functions: 1,
          complexity_max: 3,
          complexity_sum: 4,
          complexity_delta: 2,
          max_nesting: 1,
          sloc: 4,
          comment_lines: 0,
          comment_ratio: 0,
          security_hits: 0,
        },
      },
    ]);
    // Numstat only: no text, no added lines, no code metrics (absent, not zero).
    expect(c3!.outputs!.code).toBeNull();
    expect(c3!.outputs!.fileMetrics).toBeNull();
    const [again] = await processCommits(
      store,
      REPO,
      [commit(2, [hunk(2, ['  return x;'], 2, ['  if (x && y) { return 1; }', '  return x;'])])],
      { analyzer },
    );
    expect(again!.replayed).toBe(true);
    expect(again!.outputs).toEqual(c2!.outputs);
  });
});
