import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { freePort, randomName, stackEnv, startServiceProcess, type ServiceProcess } from '@omen/testing';
import { dataDir } from '../../../featurizer/test/helpers/express.ts';
import { featurizerEnv, featurizerNames } from '../../../featurizer/test/helpers/names.ts';
import { connectTestRedis, dropAndDisconnect } from '../../../featurizer/test/helpers/redis.ts';

// `jit-benchmark --git` on the real data, the real path: express.bundle cloned, the benchmark's
// own replay through ingest's main.ts and a featurizer process into the embedded stack, the
// audit's verdict, then the split and the models. What must hold is asserted — every commit
// featurized, SZZ labels on both sides of the split, the label-maturity rule, metrics finite and
// in range, LApredict scored on the same rows — never an AUC: the number moves with the labels
// (SZZ is being made to equal git blame) and is recorded in bench/results instead.
const repoRoot = resolve(import.meta.dirname, '../../../..');
const REPO = 'github:expressjs/express';
const env = stackEnv();
const database = randomName('ownrepo').replace(/-/g, '_');
const names = { ...featurizerNames(), prs: randomName('prs'), dedup: randomName('dedup') };
const fzEnv = featurizerEnv(names, database);
const services: ServiceProcess[] = [];
let work: string;
let clone: string;
let admin: ClickHouse;

/** The benchmark script as its own process; resolves with its exit code and last stdout line. */
function jitBenchmark(
  args: readonly string[],
  extraEnv: Record<string, string>,
): Promise<{ code: number | null; last: string; err: string }> {
  return new Promise((res, rej) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/trainer-coordinator/bench/jit-own-repo.ts', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-6000)));
    child.once('error', rej);
    child.once('exit', (code) => res({ code, last: out.trim().split('\n').pop() ?? '', err }));
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'omen-jit-own-repo-'));
  clone = join(work, 'express');
  execFileSync('git', ['clone', '-q', join(dataDir(), 'express.bundle'), clone], { stdio: 'ignore' });
  admin = createClickHouse({ url: env.CLICKHOUSE_URL });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await admin.close();
  for (const prefix of [names.state, names.online, names.dedup]) await dropAndDisconnect(connectTestRedis(), prefix);
  rmSync(work, { recursive: true, force: true });
});

describe('jit-benchmark --git on express.bundle through the running mesh', () => {
  it('replays every commit, waits for a complete audit, and scores ours and LApredict on one maturity-gapped split', async () => {
    const ingest = await startServiceProcess('ingest', {
      ...env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(await freePort()),
      INGEST_PSEUDONYM_KEY: 'jit-own-repo-test-pseudonym-key',
      INGEST_TOPIC_COMMITS: names.commits,
      INGEST_TOPIC_PULL_REQUESTS: names.prs,
      INGEST_TOPIC_ISSUES: names.issues,
      INGEST_DEDUP_NAMESPACE: `${names.dedup}:`,
    });
    services.push(ingest);
    services.push(await startServiceProcess('featurizer', { ...env, ...fzEnv }));
    const commits = Number(
      execFileSync('git', ['-C', clone, 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim(),
    );
    expect(commits).toBe(6158);

    const run = await jitBenchmark(
      ['--git', clone, '--repo', REPO, '--ingest', ingest.address, '--json', '--stall-s', '180'],
      fzEnv,
    );
    expect(run.code, run.err).toBe(0);
    const r = JSON.parse(run.last) as {
      commits: number;
      rows: number;
      fix_commits: number;
      bug_inducing: number;
      bug_inducing_rate: number;
      gap_days: number;
      test_start: string;
      train: { rows: number; positives: number; labels_not_yet_known: number };
      gap_rows: number;
      test: { rows: number; positives: number };
      winner: string;
      validation_auc: Record<string, number>;
      ours: Record<string, number>;
      lapredict: Record<string, number>;
    };

    // Every commit went the whole way (the audit passed, or the exit code above would be 1).
    expect(r).toMatchObject({ commits, rows: commits, gap_days: 90 });
    // SZZ labels exist: fixes found by message, and bug-inducing commits blamed by them.
    expect(r.fix_commits).toBeGreaterThan(0);
    expect(r.bug_inducing).toBeGreaterThan(0);
    expect(r.bug_inducing_rate).toBeCloseTo(r.bug_inducing / r.rows, 4);
    // The split: the newest 20% of the commits (ties at the boundary go to test) are test, the
    // gap lies between, and both sides have positives to score.
    expect(r.test.rows).toBeGreaterThanOrEqual(Math.floor(commits * 0.2));
    expect(r.train.rows + r.gap_rows + r.test.rows).toBe(r.rows);
    expect(r.gap_rows).toBeGreaterThan(0);
    expect(r.train.positives).toBeGreaterThan(0);
    expect(r.test.positives).toBeGreaterThan(0);
    // Labels found after the test start are not in training: only as many positives as are known by then.
    expect(r.train.positives + r.train.labels_not_yet_known).toBeLessThanOrEqual(r.bug_inducing);

    // Both models scored on the same test rows, every metric a number in [0, 1].
    for (const m of [r.ours, r.lapredict]) {
      for (const k of ['auc', 'pr_auc', 'recall_at_20_effort', 'popt']) {
        expect(m[k], k).toBeTypeOf('number');
        expect(m[k]).toBeGreaterThanOrEqual(0);
        expect(m[k]).toBeLessThanOrEqual(1);
      }
    }
    // The winner is one of the candidates a training run chooses among, each scored on validation.
    expect(Object.keys(r.validation_auc)).toContain(r.winner);
    // When LApredict itself wins, ours and LApredict are the same model: identical scores.
    if (r.winner === 'lapredict') expect(r.ours['auc']).toBe(r.lapredict['auc']);
  }, 900_000);
});
