// Code metrics on worker threads must be exactly those measured on the main thread, with each
// file's versions measured in stream order on the worker that holds its previous tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeWorkerPool } from '../../src/adapters/code-workers.ts';
import { loadLanguages } from '../../src/adapters/tree-sitter.ts';
import { createCodeAnalyzer } from '../../src/domain/code/analyzer.ts';
import type { CodeFileInput } from '../../src/domain/code/types.ts';
import { cloneExpress, type ExpressClone } from '../helpers/express-git.ts';

let clone: ExpressClone;
beforeAll(() => {
  clone = cloneExpress();
});
afterAll(() => clone?.remove());

/** express's last `count` commits that touched JavaScript, oldest first, as the analyzer sees them. */
function recentChanges(count: number): CodeFileInput[][] {
  const shas = clone.git('log', '--format=%H', '--no-merges', '-n', String(count), '--', '*.js').trim().split('\n');
  const blob = (rev: string, path: string): string => clone.git('cat-file', 'blob', `${rev}:${path}`);
  return shas.reverse().map((sha) =>
    clone
      .git('diff-tree', '--no-commit-id', '--name-status', '--no-renames', '-r', `${sha}^`, sha)
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [status, path] = line.split('\t') as [string, string];
        return {
          path,
          before: status === 'A' ? null : blob(`${sha}^`, path),
          after: status === 'D' ? null : blob(sha, path),
          added: [],
        };
      }),
  );
}

describe('CodeWorkerPool', () => {
  it("analyzes express's commits as the main-thread analyzer does, parsing edits incrementally", async () => {
    const commits = recentChanges(80);
    const parses = { full: 0, incremental: 0 };
    const pool = await CodeWorkerPool.start({
      workers: 2,
      treeCacheChars: 2_000_000,
      onParse: (mode, n) => (parses[mode] += n),
    });
    try {
      const local = createCodeAnalyzer(await loadLanguages());
      // All commits in flight at once, as a batch's walk hands them over.
      const remote = await Promise.all(commits.map((files) => pool.analyze(files)));
      expect(remote).toEqual(commits.map((files) => local(files)));
      expect(remote.filter((r) => r !== null).length).toBeGreaterThan(60);
      expect(parses.incremental).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
    await expect(pool.analyze(commits[0]!)).rejects.toThrow('code worker pool closed');
  });

  it('refuses a pool without workers', async () => {
    await expect(CodeWorkerPool.start({ workers: 0, treeCacheChars: 0 })).rejects.toThrow('at least one worker');
  });
});
