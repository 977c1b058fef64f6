import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, raw, sql } from '@omen/clickhouse';
import type { ClickHouse } from '@omen/clickhouse';
import { randomName, stackEnv } from '@omen/testing';
import { ensureSchema, readOfflineFeatures, writeOffline } from '../../src/adapters/clickhouse-store.ts';
import { jitChangeMetricsV1, codeMetricsV1 } from '@omen/features';
import type { CommitRows } from '../../src/domain/rows.ts';

const here = dirname(fileURLToPath(import.meta.url));
const url = stackEnv('CLICKHOUSE_URL').CLICKHOUSE_URL;
const database = randomName('fzschema').replace(/-/g, '_');
const REPO = 'github:expressjs/express';
let admin: ClickHouse;
let ch: ClickHouse;

beforeAll(async () => {
  admin = createClickHouse({ url });
  await admin.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  ch = createClickHouse({ url, database });
  await ensureSchema(ch);
});
afterAll(async () => {
  await admin.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  await ch.close();
  await admin.close();
});

const rows = (sha: string, computedAt: number): CommitRows => ({
  features: [
    {
      event_id: `${REPO}:${sha}:jit_change_metrics:1`,
      event_time: 1_262_304_000_000,
      repo_id: REPO,
      sha,
      feature_set: 'jit_change_metrics',
      feature_set_version: 1,
      values: {
        ns: 1,
        nd: 1,
        nf: 2,
        entropy: 0.5,
        la: 10,
        ld: 2,
        lt: 30,
        fix: 1,
        ndev: 2,
        age: 1.5,
        nuc: 3,
        exp: 4,
        rexp: 2.5,
        sexp: 1,
      },
      file_metrics: null,
      computed_at: computedAt,
    },
    {
      event_id: `${REPO}:${sha}:code_metrics:1`,
      event_time: 1_262_304_000_000,
      repo_id: REPO,
      sha,
      feature_set: 'code_metrics',
      feature_set_version: 1,
      values: { files_parsed: 0, security_hits: 1, sec_eval_exec: 1 },
      file_metrics: [{ path: 'a.js', values: { sloc: 3, functions: 1 } }],
      computed_at: computedAt,
    },
  ],
  labels: [
    {
      event_id: `${REPO}:${sha}:message_pattern:1262304000000`,
      event_time: 1_262_304_000_000,
      repo_id: REPO,
      sha,
      is_bug_inducing: false,
      is_fix: true,
      method: 'message_pattern',
      fix_shas: [],
      issue_numbers: [],
      confidence: null,
      label_known_at: 1_262_304_000_000,
    },
  ],
  findings: [
    {
      repo_id: REPO,
      sha,
      path: 'a.js',
      line: 3,
      rule: 'eval_exec',
      event_time: 1_262_304_000_000,
      computed_at: computedAt,
    },
  ],
});

describe('ClickHouse offline store', () => {
  it('deduplicates redelivered rows for FINAL readers and serves the per-set views', async () => {
    await ensureSchema(ch); // idempotent on every start
    await writeOffline(ch, [rows('a'.repeat(40), 1000)]);
    await writeOffline(ch, [rows('a'.repeat(40), 1000), rows('b'.repeat(40), 2000)]);
    const [raw1] = await ch.query<{ n: string }>(sql`SELECT count() AS n FROM commit_features`);
    expect(Number(raw1!.n)).toBe(6);
    const [final] = await ch.query<{ n: string }>(sql`SELECT count() AS n FROM commit_features FINAL`);
    expect(Number(final!.n)).toBe(4);
    const view = await ch.query<Record<string, unknown>>(
      sql`SELECT * FROM features_jit_change_metrics_v1 ORDER BY sha`,
    );
    expect(view).toHaveLength(2);
    expect(view[0]).toMatchObject({ sha: 'a'.repeat(40), la: 10, entropy: 0.5, rexp: 2.5 });
    const code = await ch.query<Record<string, unknown>>(
      sql`SELECT * FROM features_code_metrics_v1 WHERE sha = ${'a'.repeat(40)}`,
    );
    // Features a row does not carry read as NULL, not 0.
    expect(code[0]).toMatchObject({ files_parsed: 0, sec_eval_exec: 1, complexity_max: null });
    const [labels] = await ch.query<{ n: string }>(sql`SELECT count() AS n FROM commit_labels FINAL`);
    expect(Number(labels!.n)).toBe(2);
    const [findings] = await ch.query<{ n: string }>(sql`SELECT count() AS n FROM code_findings FINAL`);
    expect(Number(findings!.n)).toBe(2);
    const back = await readOfflineFeatures(ch, REPO, 'a'.repeat(40), codeMetricsV1);
    expect(back).toEqual({
      values: { files_parsed: 0, security_hits: 1, sec_eval_exec: 1 },
      fileMetrics: [{ path: 'a.js', values: { functions: 1, sloc: 3 } }],
      computedAt: 1000,
    });
    expect(await readOfflineFeatures(ch, REPO, 'c'.repeat(40), jitChangeMetricsV1)).toBeUndefined();
  });

  it('runs every example query of the README on this ClickHouse', async () => {
    const readme = readFileSync(resolve(here, '../../README.md'), 'utf8');
    const block = readme.split('```sql')[1]?.split('```')[0] ?? '';
    const statements = block
      .split(';')
      .map((s) => s.replace(/--.*$/gm, '').trim())
      .filter(Boolean);
    expect(statements.length).toBeGreaterThanOrEqual(5);
    for (const statement of statements) await expect(ch.query(raw(statement)), statement).resolves.toBeDefined();
  });
});
