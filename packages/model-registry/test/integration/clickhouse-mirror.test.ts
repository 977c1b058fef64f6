import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { randomName, stackEnv } from '@omen/testing';
import { ClickHouseRegistryMirror, LocalModelRegistry } from '../../src/index.ts';

let ch: ClickHouse;
let dir: string;
const tables = {
  versions: randomName('model-versions').replace(/-/g, '_'),
  aliasEvents: randomName('model-alias-events').replace(/-/g, '_'),
};

beforeAll(async () => {
  ch = createClickHouse({ url: stackEnv('CLICKHOUSE_URL').CLICKHOUSE_URL });
  dir = await mkdtemp(path.join(tmpdir(), 'omen-mirror-'));
});
afterAll(async () => {
  for (const t of Object.values(tables)) await ch.command(sql`DROP TABLE IF EXISTS ${ident(t)}`);
  await ch.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ClickHouseRegistryMirror', () => {
  it('mirrors versions (lineage, metrics) and alias events; a full re-sync duplicates nothing under FINAL', async () => {
    const mirror = new ClickHouseRegistryMirror(ch, tables);
    await mirror.ensureSchema();
    await mirror.ensureSchema();
    const registry = new LocalModelRegistry(dir, { listeners: [mirror] });
    const { record } = await registry.register({
      name: 'jit-defect',
      bytes: new TextEncoder().encode("it's a model\n"),
      featureSet: { name: 'jit_change_metrics', version: 1 },
      metrics: { auc: 0.7712, brier: 0.11 },
      lineage: {
        source: 'trained',
        runId: "run-'quoted'",
        codeVersion: 'deadbeef',
        algorithm: 'gbdt',
        params: { numTrees: 50 },
        dataRange: { from: '2020-01-01T00:00:00.000Z', to: '2021-01-01T00:00:00.000Z' },
        rows: { train: 800, test: 200 },
        labelRate: 0.2,
      },
    });
    await registry.setAlias('jit-defect', 'champion', record.version, {
      action: 'promote',
      reason: 'gate passed',
      actor: 'test',
    });

    const versions = await ch.query<Record<string, unknown>>(
      sql`SELECT model, version, sha256, run_id, code_version, train_rows, metric_names, metric_values, data_from_ms, params_json FROM ${ident(tables.versions)} FINAL`,
    );
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      model: 'jit-defect',
      version: 'v1',
      sha256: record.sha256,
      run_id: "run-'quoted'",
      code_version: 'deadbeef',
      metric_names: ['auc', 'brier'],
      metric_values: [0.7712, 0.11],
      params_json: '{"numTrees":50}',
    });
    expect(Number(versions[0]!['train_rows'])).toBe(800);
    expect(Number(versions[0]!['data_from_ms'])).toBe(Date.parse('2020-01-01T00:00:00Z'));
    const events = await ch.query<Record<string, unknown>>(
      sql`SELECT alias, version, previous_version, action, reason FROM ${ident(tables.aliasEvents)} FINAL`,
    );
    expect(events).toEqual([
      { alias: 'champion', version: 'v1', previous_version: '', action: 'promote', reason: 'gate passed' },
    ]);

    expect(await mirror.sync(registry)).toEqual({ versions: 1, aliasEvents: 1 });
    const [counts] = await ch.query<{ v: string; e: string }>(
      sql`SELECT (SELECT count() FROM ${ident(tables.versions)} FINAL) AS v, (SELECT count() FROM ${ident(tables.aliasEvents)} FINAL) AS e`,
    );
    expect(counts).toEqual({ v: '1', e: '1' });
  });
});
