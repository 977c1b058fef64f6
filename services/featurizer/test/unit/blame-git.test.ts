import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@omen/service/random';
import type { CommitInput } from '../../src/domain/commit.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { blameAt, processCommits } from '../../src/domain/processor.ts';
import { parseUnifiedDiff } from '../helpers/unified-diff.ts';

// The forward blame built from `git diff -U0` hunks must equal `git blame` of the same history.
const REPO = 'git:local/random';
const dir = mkdtempSync(join(tmpdir(), 'omen-blame-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]): string =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: dir,
    },
    maxBuffer: 16 << 20,
  });

describe('forward blame against git blame', () => {
  it('attributes every line of every file like git blame after 60 random commits with a rename and a deletion', async () => {
    git('init', '-q', '-b', 'main');
    const rand = seededRandom(42);
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
      const diff =
        parents.length === 0
          ? git('show', '-U0', '-M', '--format=', 'HEAD')
          : git('diff', '-U0', '-M', 'HEAD~1', 'HEAD');
      const commit: CommitInput = {
        repo_id: REPO,
        sha,
        parents,
        author_id: 'a',
        commit_time: c * 1000,
        message: `c${c}`,
        files: parseUnifiedDiff(diff),
      };
      await processCommits(store, REPO, [commit]);
    }
    const head = git('rev-parse', 'HEAD').trim();
    expect(await blameAt(store, REPO, head, 'src/b.js')).toBeNull();
    expect(await blameAt(store, REPO, head, 'src/c.js')).toBeNull();
    let compared = 0;
    for (const path of [...files.keys()].filter((p) => existsSync(join(dir, p)))) {
      const rec = (await blameAt(store, REPO, head, path))!;
      const porcelain = git('blame', '--line-porcelain', 'HEAD', '--', path);
      const gitOrigins = porcelain
        .split('\n')
        .filter((l) => /^[0-9a-f]{40} \d+ \d+/.test(l))
        .map((l) => l.slice(0, 40));
      expect(
        rec.origin.map((i) => rec.shas[i]),
        path,
      ).toEqual(gitOrigins);
      expect(rec.text, path).toEqual(files.get(path));
      compared += gitOrigins.length;
    }
    expect(compared).toBeGreaterThan(30);
  });
});

describe('blame across branches and merges against git blame', () => {
  it('attributes every line of every file at every branch tip like git blame, after random branches, merges and conflicts', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'omen-blame-dag-'));
    try {
      let clock = 1_700_000_000;
      const run = (...args: string[]): string =>
        execFileSync('git', args, {
          cwd: repo,
          encoding: 'utf8',
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 't',
            GIT_AUTHOR_EMAIL: 't@x',
            GIT_COMMITTER_NAME: 't',
            GIT_COMMITTER_EMAIL: 't@x',
            GIT_CONFIG_NOSYSTEM: '1',
            HOME: repo,
            GIT_AUTHOR_DATE: `${clock} +0000`,
            GIT_COMMITTER_DATE: `${clock} +0000`,
          },
          maxBuffer: 16 << 20,
        });
      run('init', '-q', '-b', 'main');
      const rand = seededRandom(7);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const vocab = ['x += 1;', 'return x;', '}', 'if (x) {', 'y = f(x);', ''];
      const paths = ['a.js', 'b.js', 'c.js'];
      const edit = (tag: string): void => {
        const path = pick(paths);
        const file = join(repo, path);
        const lines = existsSync(file)
          ? execFileSync('cat', [file], { encoding: 'utf8' }).split('\n').slice(0, -1)
          : [];
        for (let e = 0, n = 1 + Math.floor(rand() * 3); e < n; e++) {
          const at = Math.floor(rand() * (lines.length + 1));
          const text = rand() < 0.5 ? pick(vocab) : `${tag}_${e}();`;
          if (rand() < 0.5 || lines.length === 0)
            lines.splice(at, 0, text, ...(rand() < 0.4 ? [pick(vocab), `${tag}_${e}b();`] : []));
          else if (rand() < 0.5) lines.splice(Math.min(at, lines.length - 1), 1 + Math.floor(rand() * 2));
          else lines.splice(Math.min(at, lines.length - 1), 1, text);
        }
        writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
        run('add', path);
      };
      for (const p of paths) writeFileSync(join(repo, p), 'start();\n');
      run('add', '.');
      run('commit', '-q', '-m', 'root');
      const branches = ['main', 'b1', 'b2', 'b3'];
      for (const b of branches.slice(1)) run('branch', b);
      for (let step = 1; step <= 120; step++) {
        clock += 60;
        const b = pick(branches);
        run('checkout', '-q', b);
        if (rand() < 0.2) {
          const other = pick(branches.filter((x) => x !== b));
          // Conflicts resolved for our side: a merge whose result is neither parent's file.
          try {
            run(
              'merge',
              '-q',
              '--no-ff',
              '-X',
              rand() < 0.5 ? 'ours' : 'theirs',
              '-m',
              `merge ${other} into ${b}`,
              other,
            );
          } catch {
            run('merge', '--abort');
          }
        } else {
          edit(`s${step}`);
          run('commit', '-q', '--allow-empty', '-m', `s${step} on ${b}`);
        }
      }
      const log = run('log', '--all', '--reverse', '--date-order', '--format=%H %P');
      const store = new InMemoryHistoryStore();
      let merges = 0;
      for (const line of log.trim().split('\n')) {
        const [sha, ...parents] = line.split(' ').filter(Boolean) as [string, ...string[]];
        if (parents.length > 1) merges += 1;
        const diff =
          parents.length === 0
            ? run('show', '-U0', '-M', '--format=', sha)
            : run('diff', '-U0', '-M', parents[0]!, sha);
        await processCommits(store, REPO, [
          { repo_id: REPO, sha, parents, author_id: 'a', commit_time: 0, message: 'c', files: parseUnifiedDiff(diff) },
        ]);
      }
      expect(merges).toBeGreaterThan(10);
      let compared = 0;
      for (const b of branches) {
        const tip = run('rev-parse', b).trim();
        for (const path of paths) {
          const rec = (await blameAt(store, REPO, tip, path))!;
          const gitOrigins = run('blame', '--line-porcelain', tip, '--', path)
            .split('\n')
            .filter((l) => /^[0-9a-f]{40} \d+ \d+/.test(l))
            .map((l) => l.slice(0, 40));
          expect(
            rec.origin.map((i) => rec.shas[i]),
            `${b}:${path}`,
          ).toEqual(gitOrigins);
          compared += gitOrigins.length;
        }
      }
      expect(compared).toBeGreaterThan(100);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
