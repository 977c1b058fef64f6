import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommitInput } from '../../src/domain/commit.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { parseUnifiedDiff } from '../support/unified-diff.ts';

// The forward blame built from `git diff -U0` hunks must equal `git blame` of the same history.
const REPO = 'git:local/random';
const dir = mkdtempSync(join(tmpdir(), 'omen-blame-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]): string =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', GIT_CONFIG_NOSYSTEM: '1', HOME: dir },
    maxBuffer: 16 << 20,
  });

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('forward blame against git blame', () => {
  it('attributes every line of every file like git blame after 60 random commits with a rename and a deletion', async () => {
    git('init', '-q', '-b', 'main');
    const rand = mulberry32(42);
    const files = new Map<string, string[]>();
    const store = new InMemoryHistoryStore();
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    // A small vocabulary makes equal lines common, the case where diff alignment matters.
    const vocab = ['x += 1;', 'return x;', '}', 'if (x) {', 'y = f(x);', 'log(y);'];
    for (let c = 1; c <= 60; c++) {
      if (c === 30) {
        mkdirSync(join(dir, 'lib'), { recursive: true });
        git('mv', 'src/b.js', 'lib/b2.js');
        files.set('lib/b2.js', files.get('src/b.js')!);
        files.delete('src/b.js');
      } else if (c === 45) {
        git('rm', '-q', 'src/c.js');
        files.delete('src/c.js');
      } else {
        const targets = c <= 3 ? [['src/a.js', 'src/b.js', 'src/c.js'][c - 1]!] : [pick([...files.keys()])];
        for (const path of targets) {
          const lines = files.get(path) ?? [];
          const edits = 1 + Math.floor(rand() * 4);
          for (let e = 0; e < edits; e++) {
            const at = Math.floor(rand() * (lines.length + 1));
            const op = rand();
            const text = rand() < 0.5 ? pick(vocab) : `v${c}_${e}();`;
            if (op < 0.45 || lines.length === 0) lines.splice(at, 0, text, ...(rand() < 0.3 ? [pick(vocab)] : []));
            else if (op < 0.7) lines.splice(Math.min(at, lines.length - 1), 1 + Math.floor(rand() * 2));
            else lines.splice(Math.min(at, lines.length - 1), 1, text);
          }
          files.set(path, lines);
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), lines.map((l) => `${l}\n`).join(''));
          git('add', path);
        }
      }
      git('commit', '-q', '--allow-empty', '-m', `c${c}`);
      const sha = git('rev-parse', 'HEAD').trim();
      const parents = git('log', '-1', '--format=%P').trim().split(' ').filter(Boolean);
      const diff = parents.length === 0 ? git('show', '-U0', '-M', '--format=', 'HEAD') : git('diff', '-U0', '-M', 'HEAD~1', 'HEAD');
      const commit: CommitInput = { repo_id: REPO, sha, parents, author_id: 'a', commit_time: c * 1000, message: `c${c}`, files: parseUnifiedDiff(diff) };
      await processCommits(store, REPO, [commit]);
    }
    expect(store.keys(REPO, 'lines')).toEqual([...files.keys()].filter((p) => existsSync(join(dir, p))).sort());
    let compared = 0;
    for (const path of store.keys(REPO, 'lines')) {
      const rec = store.peek(REPO, 'lines', path)!;
      const porcelain = git('blame', '--line-porcelain', 'HEAD', '--', path);
      const gitOrigins = porcelain
        .split('\n')
        .filter((l) => /^[0-9a-f]{40} \d+ \d+/.test(l))
        .map((l) => l.slice(0, 40));
      expect(rec.origin.map((i) => rec.shas[i]), path).toEqual(gitOrigins);
      expect(rec.text, path).toEqual(files.get(path));
      compared += gitOrigins.length;
    }
    expect(compared).toBeGreaterThan(30);
  });
});
