// Redis memory of the featurizer's per-repository state, per namespace, measured with
// MEMORY USAGE (SAMPLES 0: every field counted) after replaying real histories:
//   express   ../shared/data/express-commits.jsonl.gz, 6,158 commits, numstat only;
//   omen      this repository's own first-parent git history with -U0 hunks, so blame, SZZ
//             candidates and code metrics (tree-sitter) are in the state too.
// Each is replayed twice: with an unbounded window (every commit's outputs kept, as before
// retention existed) and with a window of W commits. The layout before this change (outputs
// inline in `commit`) is rebuilt from the unbounded run's records and measured the same way.
// JSON on the last line; also written to bench/results/state-memory.json. Needs Redis
// (./scripts/omen stack up).

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { stackEnv } from '@omen/testing';
import { RedisHistoryStore } from '../src/adapters/redis-history-store.ts';
import { loadLanguages } from '../src/adapters/tree-sitter.ts';
import { createCodeAnalyzer } from '../src/domain/code/analyzer.ts';
import type { CommitInput } from '../src/domain/commit.ts';
import { namespaces } from '../src/domain/history.ts';
import type { CodeAnalyzer } from '../src/domain/processor.ts';
import { processCommits } from '../src/domain/processor.ts';
import { EXPRESS_REPO, readExpressCommits } from '../test/helpers/express.ts';
import { parseUnifiedDiff } from '../test/helpers/unified-diff.ts';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const suffix = Math.random().toString(16).slice(2, 10);
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const parts = ['meta', ...namespaces, 'window', 'pending_at'] as const;

/** This repository's first-parent history as scm.commits.v1 with hunks (what a git-mirror producer sends). */
function gitHistory(repoId: string): CommitInput[] {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 512 << 20 });
  const lines = git('log', '--first-parent', '--reverse', '--format=%H%x00%P%x00%ae%x00%ct%x00%s').trim().split('\n');
  return lines.map((line) => {
    const [sha, parents, author, time, subject] = line.split('\0') as [string, string, string, string, string];
    const first = parents.split(' ').filter(Boolean)[0];
    const diff = first ? git('diff', '-U0', '-M', first, sha) : git('show', '-U0', '-M', '--format=', sha);
    // First-parent diffs: a merge is featurized as the change it brought to the line.
    return {
      repo_id: repoId,
      sha,
      parents: first ? [first] : [],
      author_id: author,
      commit_time: Number(time) * 1000,
      message: subject,
      files: parseUnifiedDiff(diff),
    };
  });
}

async function usage(redis: Redis, store: RedisHistoryStore, repoId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of parts)
    out[p] = Number((await redis.call('MEMORY', 'USAGE', store.key(repoId, p), 'SAMPLES', '0')) ?? 0);
  out['total'] = Object.values(out).reduce((s, n) => s + n, 0);
  return out;
}

/** The `commit` hash as the previous layout stored it: each whole record with its outputs inline. */
async function legacyCommitBytes(redis: Redis, store: RedisHistoryStore, repoId: string): Promise<number> {
  const shas = await redis.hkeys(store.key(repoId, 'commit'));
  const key = `${store.key(repoId, 'commit')}:legacy`;
  for (let i = 0; i < shas.length; i += 1000) {
    const chunk = shas.slice(i, i + 1000);
    const { records } = await store.load(repoId, { commit: chunk, outputs: chunk });
    const pairs = chunk.flatMap((sha) => {
      const { fixByMessage: _, ...rest } = records.commit.get(sha)!;
      return [sha, JSON.stringify({ ...rest, outputs: records.outputs.get(sha) })];
    });
    await redis.hset(key, ...pairs);
  }
  const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  await redis.del(key);
  return bytes;
}

async function measure(
  redis: Redis,
  name: string,
  commits: CommitInput[],
  window: number,
  batch: number,
  analyzer: CodeAnalyzer | undefined,
): Promise<Record<string, unknown>> {
  const repoId = commits[0]!.repo_id;
  const result: Record<string, unknown> = {
    commits: commits.length,
    withHunks: commits.some((c) => c.files.some((f) => f.hunks !== null)),
    window,
    batch,
  };
  const perCommit = (bytes: number): number => Math.round(bytes / commits.length);
  for (const [label, commitOutputs] of [
    ['unbounded', 100_000_000],
    ['windowed', window],
  ] as const) {
    const store = new RedisHistoryStore(redis, {
      prefix: `omen-bench-state-${suffix}-${name}-${label}`,
      retention: { commitOutputs },
    });
    const started = performance.now();
    for (let i = 0; i < commits.length; i += batch)
      await processCommits(store, repoId, commits.slice(i, i + batch), { ...(analyzer ? { analyzer } : {}) });
    const bytes = await usage(redis, store, repoId);
    result[label] = { bytes, seconds: Math.round(performance.now() - started) / 1000 };
    if (label === 'unbounded') {
      const legacy = await legacyCommitBytes(redis, store, repoId);
      result['bytesPerCommit'] = {
        commitCompact: perCommit(bytes['commit']!),
        outputs: perCommit(bytes['outputs']!),
        legacyCommitWithOutputs: perCommit(legacy),
      };
      result['legacyStateBytes'] = bytes['total']! - bytes['commit']! - bytes['outputs']! - bytes['window']! + legacy;
    }
    await store.dropRepository(repoId);
    log(`${name} ${label}: ${JSON.stringify(bytes)}`);
  }
  return result;
}

const redis = new Redis(stackEnv('REDIS_URL').REDIS_URL);
try {
  const express = await measure(redis, 'express', readExpressCommits(), 1000, 500, undefined);
  const omenHistory = gitHistory('git:local/omen');
  log(`omen history: ${omenHistory.length} commits`);
  const omen = await measure(redis, 'omen', omenHistory, 20, 10, createCodeAnalyzer(await loadLanguages()));
  const result = {
    bench: 'featurizer-state-memory',
    at: new Date().toISOString(),
    redis: (await redis.info('server')).match(/redis_version:(\S+)/)?.[1],
    express,
    omen,
    expressRepo: EXPRESS_REPO,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/state-memory.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  redis.disconnect();
}
