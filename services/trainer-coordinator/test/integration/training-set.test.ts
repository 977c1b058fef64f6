// The training set built from real ClickHouse rows in the featurizer's tables: point in time at
// the cutoff (a label known after it must not make a row positive), FINAL deduplication of a
// re-featurized commit, repository and time-range filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, sql, type ClickHouse } from '@omen/clickhouse';
import { featureNames, featureRegistry } from '@omen/features';
import { randomName, stackEnv } from '@omen/testing';
import { countNewLabels, loadTrainingRows } from '../../src/adapters/clickhouse-training-set.ts';
import { pointInTimeDataset } from '../../src/domain/index.ts';
import { HOUR, T0, insertCommits, syntheticCommits, type Commit } from '../helpers/service.ts';

const JIT = featureRegistry.get('jit_change_metrics', 1);
let ch: ClickHouse;
const tables = { features: randomName('features').replace(/-/g, '_'), labels: randomName('labels').replace(/-/g, '_') };
let commits: Commit[];

beforeAll(async () => {
  ch = createClickHouse({ url: stackEnv('CLICKHOUSE_URL').CLICKHOUSE_URL });
  await ch.command(
    sql`CREATE TABLE ${ident(tables.features)} (event_id String, repo_id String, sha String, feature_set String, feature_set_version UInt16, event_time DateTime('UTC'), event_time_ms Int64, computed_at DateTime('UTC'), computed_at_ms Int64, feature_names Array(String), feature_values Array(Float64)) ENGINE = ReplacingMergeTree(computed_at_ms) ORDER BY (repo_id, feature_set, feature_set_version, sha)`,
  );
  await ch.command(
    sql`CREATE TABLE ${ident(tables.labels)} (event_id String, repo_id String, sha String, method String, is_bug_inducing UInt8, is_fix UInt8, fix_shas Array(String), issue_numbers Array(Int32), confidence Nullable(Float64), label_known_at DateTime('UTC'), label_known_at_ms Int64) ENGINE = ReplacingMergeTree(label_known_at_ms) ORDER BY (repo_id, sha, method, label_known_at_ms)`,
  );
  commits = [...syntheticCommits(400, 7), ...syntheticCommits(50, 8, 'github:acme/other')];
  await insertCommits(ch, tables, commits);
  // The featurizer re-computed one commit later (a replay): FINAL must give the newer row only.
  const c = commits[10]!;
  const names = Object.keys(c.values).sort();
  await ch.insert(tables.features, [
    {
      event_id: `${c.repoId}:${c.sha}`,
      repo_id: c.repoId,
      sha: c.sha,
      feature_set: 'jit_change_metrics',
      feature_set_version: 1,
      event_time: '2024-01-01 10:00:00',
      event_time_ms: c.eventTimeMs,
      computed_at: '2025-01-01 00:00:00',
      computed_at_ms: Date.UTC(2025, 0, 1),
      feature_names: names,
      feature_values: names.map((k) => (k === 'la' ? 123456 : c.values[k])),
    },
  ]);
});
afterAll(async () => {
  for (const t of Object.values(tables)) await ch.command(sql`DROP TABLE IF EXISTS ${ident(t)}`);
  await ch.close();
});

describe('training set from ClickHouse', () => {
  it('uses only labels known by the cutoff: a bug learned afterwards leaves its row negative', async () => {
    const cutoffMs = T0 + 300 * HOUR;
    const rows = await loadTrainingRows(ch, tables, { featureSet: JIT, cutoffMs, repoIds: ['github:acme/app'] });
    const { dataset, report } = pointInTimeDataset(rows.features, rows.labels, {
      featureNames: featureNames(JIT),
      cutoffMs,
    });

    const inRange = commits.filter((c) => c.repoId === 'github:acme/app' && c.eventTimeMs <= cutoffMs);
    const expectedIds = inRange.map((c) => `${c.repoId}:${c.sha}`);
    const expectedY = inRange.map((c) => (c.bugKnownAtMs !== null && c.bugKnownAtMs <= cutoffMs ? 1 : 0));
    const late = inRange.filter((c) => c.bugKnownAtMs !== null && c.bugKnownAtMs > cutoffMs).length;
    expect(late).toBeGreaterThan(5); // the fixture really has bugs learned after the cutoff
    expect(dataset.ids).toEqual(expectedIds);
    expect([...dataset.y]).toEqual(expectedY);
    expect(report.labelsExcludedAfterCutoff).toBe(late);
    expect(report.rowsAfterCutoff).toBe(0); // filtered in SQL already
    expect(report.latestLabelKnownAtMs).toBeLessThanOrEqual(cutoffMs);

    // Fix labels (is_bug_inducing = 0) never make a row positive.
    const fixOnly = inRange.findIndex((c) => c.values['fix'] === 1 && c.bugKnownAtMs === null);
    expect(dataset.y[fixOnly]).toBe(0);

    // The re-featurized commit appears once, with the newer values.
    const la = featureNames(JIT).indexOf('la');
    const row = dataset.ids!.indexOf(`github:acme/app:${commits[10]!.sha}`);
    expect(dataset.ids!.filter((id) => id.endsWith(commits[10]!.sha))).toHaveLength(1);
    expect(dataset.x[row * JIT.features.length + la]).toBe(123456);
  });

  it('a later cutoff sees the labels learned in between; from and repository filters hold', async () => {
    const cutoffMs = T0 + 800 * HOUR;
    const fromMs = T0 + 20 * HOUR;
    const rows = await loadTrainingRows(ch, tables, { featureSet: JIT, cutoffMs, fromMs });
    const { dataset } = pointInTimeDataset(rows.features, rows.labels, {
      featureNames: featureNames(JIT),
      cutoffMs,
      fromMs,
    });
    const expected = commits.filter((c) => c.eventTimeMs >= fromMs && c.eventTimeMs <= cutoffMs);
    expect(dataset.y.length).toBe(expected.length);
    expect(new Set(dataset.ids!.map((id) => id.split(':s')[0]))).toEqual(
      new Set(['github:acme/app', 'github:acme/other']),
    );
    const positives = expected.filter((c) => c.bugKnownAtMs !== null && c.bugKnownAtMs <= cutoffMs).length;
    expect(dataset.y.reduce((a, b) => a + b, 0)).toBe(positives);
  });

  it('reads the labels that retract a positive, so a retraction known by the cutoff makes the row negative again', async () => {
    const c = commits.find(
      (x) => x.repoId === 'github:acme/app' && x.bugKnownAtMs !== null && x.bugKnownAtMs < T0 + 100 * HOUR,
    )!;
    const retractedAt = c.bugKnownAtMs! + 50 * HOUR;
    const names = featureNames(JIT);
    await ch.insert(tables.labels, [
      {
        event_id: `${c.repoId}:${c.sha}:szz:${retractedAt}`,
        repo_id: c.repoId,
        sha: c.sha,
        method: 'szz',
        is_bug_inducing: 0,
        is_fix: 0,
        fix_shas: [],
        issue_numbers: [],
        confidence: null,
        label_known_at: '2024-01-01 00:00:00',
        label_known_at_ms: retractedAt,
      },
    ]);
    const id = `${c.repoId}:${c.sha}`;
    const yAt = async (cutoffMs: number) => {
      const rows = await loadTrainingRows(ch, tables, { featureSet: JIT, cutoffMs, repoIds: ['github:acme/app'] });
      const { dataset } = pointInTimeDataset(rows.features, rows.labels, { featureNames: names, cutoffMs });
      return {
        y: dataset.y[dataset.ids!.indexOf(id)],
        read: rows.labels.filter((l) => l.sha === c.sha).map((l) => l.isBugInducing),
      };
    };
    // A cutoff after the retraction: the retraction is read and the row is negative.
    const after = await yAt(retractedAt);
    expect(after.read.sort()).toEqual([false, true]);
    expect(after.y).toBe(0);
    // A cutoff between the positive and its retraction: still positive.
    expect((await yAt(retractedAt - HOUR)).y).toBe(1);
  });

  it('counts positive labels that became known in a window (the new-labels trigger)', async () => {
    const since = T0 + 200 * HOUR;
    const until = T0 + 400 * HOUR;
    const expected = commits.filter(
      (c) => c.bugKnownAtMs !== null && c.bugKnownAtMs > since && c.bugKnownAtMs <= until,
    ).length;
    expect(expected).toBeGreaterThan(0);
    expect(await countNewLabels(ch, tables.labels, since, until)).toBe(expected);
  });
});
