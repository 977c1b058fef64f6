// The express history with hunks, from ../shared/data/express.bundle: cloned to a temporary
// directory and read the way ingest's git source reads a clone (`git log --reverse --date-order`,
// diffs with git's default three lines of context, as ingest reads them, against the first
// parent, renames detected), into the domain's commit shape.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { CommitInput } from '../../src/domain/commit.ts';
import { EXPRESS_REPO, dataDir } from './express.ts';
import { parseUnifiedDiff } from './unified-diff.ts';

const GIT_CONFIG = [
  '-c',
  'core.quotePath=false',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'color.ui=never',
  '-c',
  'log.showSignature=false',
];

export interface ExpressClone {
  dir: string;
  git: (...args: string[]) => string;
  gitAsync: (...args: string[]) => Promise<string>;
  remove: () => void;
}

export function cloneExpress(): ExpressClone {
  const bundle = resolve(dataDir(), 'express.bundle');
  if (!existsSync(bundle))
    throw new Error(`express.bundle not found at ${bundle}; set OMEN_DATA_DIR to the directory holding it`);
  const dir = mkdtempSync(join(tmpdir(), 'omen-express-'));
  execFileSync('git', ['clone', '-q', bundle, dir], { env: gitEnv(), stdio: 'ignore' });
  return openClone(dir);
}

function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };
}

/** A clone some test already made, read with the same git settings; `remove` deletes it. */
export function openClone(dir: string): ExpressClone {
  const env = gitEnv();
  const run = promisify(execFile);
  return {
    dir,
    git: (...args) =>
      execFileSync('git', ['-C', dir, ...GIT_CONFIG, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 30 }),
    gitAsync: async (...args) =>
      (await run('git', ['-C', dir, ...GIT_CONFIG, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 })).stdout,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Every commit of the clone, parents first, with zero-context hunks in the schema's form.
 * `context` 0 aligns changes as `git blame` does (the line-by-line comparison with git); 3 is what
 * ingest reads (its line counts depend on it), so a stream run's labels compare with these.
 */
export function readCommitsWithHunks(
  clone: ExpressClone,
  repoId = EXPRESS_REPO,
  options: { context?: 0 | 3 } = {},
): CommitInput[] {
  const context = options.context ?? 0;
  const out = clone.git(
    'log',
    '--reverse',
    '--date-order',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '-M',
    '--diff-algorithm=myers',
    '--indent-heuristic',
    '--diff-merges=first-parent',
    '-p',
    `-U${context}`,
    '--format=%x00%H%x00%P%x00%at%x00%ct%x00%aE%x00%B%x00',
    'HEAD',
    '--',
  );
  const tokens = out.split('\0');
  const commits: CommitInput[] = [];
  for (let i = 1; i + 6 < tokens.length; i += 7) {
    const [sha, parents, , ct, author, message, patch] = tokens.slice(i, i + 7) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    commits.push({
      repo_id: repoId,
      sha,
      parents: parents.split(' ').filter((p) => p !== ''),
      author_id: author,
      commit_time: Number(ct) * 1000,
      message: message.trim(),
      files: parseUnifiedDiff(patch),
    });
  }
  return commits;
}
