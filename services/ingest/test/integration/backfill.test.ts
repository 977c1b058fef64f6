import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomName, readTopic } from '@omen/testing';
import { runBackfill } from '../../src/backfill/run.ts';
import { gitSource, jsonlSource } from '../../src/backfill/source.ts';
import { canonicalOrder } from '../../src/domain/history-order.ts';
import type { RepoRef } from '../../src/domain/events.ts';
import { repoRefFromName } from '../../src/domain/normalize.ts';
import { decodeCommit, startTestIngest, type TestIngest } from '../helpers/app.ts';
import { ScratchRepo } from '../helpers/git-repo.ts';

// The first 120 commits of the express history, as the export ships (gzip), plus two bad lines.
const express = join(import.meta.dirname, '../../../../../shared/data/express-commits.jsonl.gz');
const ADMIN_TOKEN = 'backfill-republish-token-0123456789';
let t: TestIngest;
let dir: string;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  t = await startTestIngest((fn) => cleanups.push(fn), { adminToken: ADMIN_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'omen-backfill-'));
});
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});

function repo(name: string): RepoRef {
  const r = repoRefFromName(name);
  if ('error' in r) throw new Error(r.error);
  return r;
}

function expressSample(n: number): { file: string; shas: string[] } {
  const lines = execFileSync('sh', ['-c', `zcat "${express}" | head -n ${n}`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const file = join(dir, `${randomName('express')}.jsonl.gz`);
  writeFileSync(
    file,
    gzipSync([...lines.slice(0, 50), '{"sha": "broken"', ...lines.slice(50), '{"sha":"nothex"}'].join('\n')),
  );
  // The order a backfill publishes in: the canonical one, not the file's.
  const commits = lines.map((l) => JSON.parse(l) as { sha: string; parents: string[]; commit_time: number });
  return { file, shas: canonicalOrder(commits.map((c) => ({ ...c, commitTime: c.commit_time }))).map((c) => c.sha) };
}

describe('backfill through ingest', () => {
  it('replays a JSONL export in canonical order; interrupted, it resumes from its checkpoint and publishes nothing twice', async () => {
    const { file, shas } = expressSample(120);
    const r = repo(`git:${randomName('express')}`);
    const warnings: string[] = [];
    const common = {
      source: jsonlSource(file, r),
      repoId: r.id,
      ingest: `127.0.0.1:${t.app.grpcPort}`,
      checkpointDir: dir,
      batchSize: 40,
      warn: (l: string) => warnings.push(l),
    };

    const stop = new AbortController();
    const first = await runBackfill({
      ...common,
      signal: stop.signal,
      progress: { update: () => stop.abort(), finish: () => undefined },
    });
    // The two lines that are not commits are reported first, then the commits in order.
    expect(first).toMatchObject({
      status: 'interrupted',
      position: 40,
      published: 38,
      rejected: 2,
      duplicates: 0,
      resumedFrom: 0,
    });
    expect(JSON.parse(readFileSync(first.checkpointFile, 'utf8'))).toMatchObject({
      position: 40,
      lastSha: shas[37],
      repo: r.id,
    });

    const second = await runBackfill(common);
    expect(second).toMatchObject({
      status: 'complete',
      resumedFrom: 40,
      position: 122,
      total: 122,
      published: 120,
      duplicates: 0,
      rejected: 2,
    });
    expect(warnings.filter((w) => w.startsWith('refused'))).toEqual([
      expect.stringMatching(/^refused line 51: not JSON/),
      'refused line 122: sha: expected a full commit sha (40 or 64 hex digits); parents: expected array, received undefined; author_id: expected string, received undefined; committer_id: expected string, received undefined; author_time: expected number, received undefined; and 3 more',
    ]);

    // From scratch again: every commit is a duplicate, nothing new reaches Kafka.
    const again = await runBackfill({ ...common, restart: true });
    expect(again).toMatchObject({ status: 'complete', published: 0, duplicates: 120, rejected: 2 });

    const records = (await readTopic(t.topics.commits, { until: 120, timeoutMs: 20_000 })).filter(
      (x) => x.key === r.id,
    );
    const events = records.map((x) => decodeCommit(x.value));
    expect(events.map((e) => e.sha)).toEqual(shas);
    expect(events[0]).toMatchObject({
      source: 'backfill',
      commit_time: 1246042578000,
      message: 'Initial commit',
      parents: [],
    });
    expect(events[0]!.files[0]).toEqual({
      path: 'History.rdoc',
      old_path: null,
      status: 'unknown',
      lines_added: 4,
      lines_deleted: 0,
      binary: false,
      hunks: null,
    });
  });

  it('replays a git repository with hunks, oldest first', async () => {
    const scratch = new ScratchRepo();
    cleanups.push(() => Promise.resolve(scratch.remove()));
    scratch.write('a.txt', 'one\n');
    const c1 = scratch.commit('first');
    scratch.write('a.txt', 'one\ntwo\n');
    const c2 = scratch.commit('second');
    const r = repo(`git:${randomName('scratch')}`);
    const result = await runBackfill({
      source: gitSource(scratch.path, r),
      repoId: r.id,
      ingest: `127.0.0.1:${t.app.grpcPort}`,
      checkpointDir: dir,
      warn: () => undefined,
    });
    expect(result).toMatchObject({ status: 'complete', total: 2, position: 2, published: 2 });
    const events = (await readTopic(t.topics.commits, { until: 122, timeoutMs: 20_000 }))
      .filter((x) => x.key === r.id)
      .map((x) => decodeCommit(x.value));
    expect(events.map((e) => e.sha)).toEqual([c1, c2]);
    expect(events[1]!.files[0]!.hunks).toEqual([
      {
        old_start: 0,
        old_lines: 0,
        new_start: 2,
        new_lines: 1,
        deleted_lines: [],
        added_lines: [{ number: 2, content: 'two' }],
      },
    ]);
    expect(events[1]!.parents).toEqual([c1]);
  });

  it('fails with its checkpoint kept when ingest is unreachable', async () => {
    const { file } = expressSample(5);
    const r = repo(`git:${randomName('unreachable')}`);
    const result = await runBackfill({
      source: jsonlSource(file, r),
      repoId: r.id,
      ingest: '127.0.0.1:1',
      checkpointDir: dir,
      maxAttempts: 2,
      sleep: () => Promise.resolve(),
      warn: () => undefined,
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/ingest refused the batch/);
    expect(result.position).toBe(0);
  });

  it('--republish sends a range again past the dedup window; refused without the admin token', async () => {
    const { file, shas } = expressSample(60);
    const r = repo(`git:${randomName('express')}`);
    const common = {
      source: jsonlSource(file, r),
      repoId: r.id,
      ingest: `127.0.0.1:${t.app.grpcPort}`,
      checkpointDir: dir,
      batchSize: 7,
      warn: () => undefined,
    };
    expect(await runBackfill(common)).toMatchObject({ status: 'complete', published: 60 });
    expect(await runBackfill({ ...common, restart: true })).toMatchObject({
      status: 'complete',
      published: 0,
      duplicates: 60,
    });

    const refused = await runBackfill({ ...common, republish: true, adminToken: 'not-the-admin-token-at-all' });
    expect(refused.status).toBe('failed');
    // The server verifies any credential presented, so a wrong token is refused before the handler.
    expect(refused.error).toMatch(/the bearer token is not valid/);

    const again = await runBackfill({
      ...common,
      republish: true,
      adminToken: ADMIN_TOKEN,
      from: shas[10]!.slice(0, 12),
      to: shas[24]!,
    });
    expect(again).toMatchObject({ status: 'complete', published: 15, duplicates: 0 });
    const onTopic = (await readTopic(t.topics.commits, { timeoutMs: 3000 }))
      .filter((x) => x.key === r.id)
      .map((x) => decodeCommit(x.value).sha);
    expect(onTopic).toEqual([...shas, ...shas.slice(10, 25)]);

    const missing = await runBackfill({ ...common, republish: true, adminToken: ADMIN_TOKEN, from: 'abcdef0123456' });
    expect(missing).toMatchObject({ status: 'failed', error: '--from abcdef0123456 is not a commit of the source' });
  });
});
