import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from '@omen/clickhouse';
import { avroSchema } from '@omen/contracts';
import { featureNames, jitChangeMetricsV1 } from '@omen/features';
import { createTestProducer, waitFor } from '@omen/testing';
import { RedisHistoryStore } from '../../src/adapters/redis-history-store.ts';
import { InMemoryHistoryStore } from '../../src/domain/memory-history-store.ts';
import { processCommits } from '../../src/domain/processor.ts';
import { collectAudit } from '../../src/recovery/steps.ts';
import { EXPRESS_REPO, readExpressRaw, toCommitEvent } from '../helpers/express.ts';
import { recoveryConfig, startInProcessFeaturizer } from '../helpers/in-process.ts';
import type { InProcessFeaturizer } from '../helpers/in-process.ts';

// The documented way back after a loss (README "When commits were lost"), on the real engines:
// a history featurized with a gap is found by the audit (missing run, commits computed on a
// gap), the repository's state is reset and the whole history replayed in order, and the
// result equals an uninterrupted in-order pass: every commit once, same history metrics.
const N = 400;
const GAP = { from: 150, to: 170 }; // commits [150, 170) never reach the featurizer the first time

let fz: InProcessFeaturizer;
beforeAll(async () => {
  fz = await startInProcessFeaturizer('fzrecovery', { FEATURIZER_CODE_METRICS: 'false', FEATURIZER_BATCH_SIZE: '100' });
});
afterAll(async () => {
  await fz?.stop();
});

const jitRows = async (): Promise<Map<string, Record<string, number>>> => {
  const rows = await fz.ch.query<Record<string, number | string>>(
    sql`SELECT * FROM features_jit_change_metrics_v1 WHERE repo_id = ${EXPRESS_REPO}`,
  );
  const cols = featureNames(jitChangeMetricsV1);
  return new Map(rows.map((r) => [r['sha'] as string, Object.fromEntries(cols.map((c) => [c, Number(r[c])]))]));
};

describe('recovering a repository featurized with a gap', () => {
  it('is found by the audit, and a reset plus an in-order replay gives every commit once with the in-order metrics', async () => {
    const raw = readExpressRaw().slice(0, N);
    const order = raw.map((r) => r.sha);
    const events = raw.map((r) => toCommitEvent(r));
    const producer = await createTestProducer(onTestFinished, {
      schemas: { [fz.names.commits]: avroSchema('commit') },
    });
    const send = (list: typeof events) =>
      producer.send(
        fz.names.commits,
        list.map((e) => ({ key: EXPRESS_REPO, value: e, eventId: e['event_id'] as string, eventTime: e.commit_time })),
      );
    const config = await recoveryConfig(fz);
    const featured = async (n: number): Promise<true | undefined> => ((await jitRows()).size === n ? true : undefined);
    const inOrder = await processCommits(new InMemoryHistoryStore(), EXPRESS_REPO, events, { now: () => 0 });
    const mismatches = (got: Map<string, Record<string, number>>): string[] => {
      const out: string[] = [];
      for (const r of inOrder) {
        for (const [name, value] of Object.entries(r.outputs!.jit)) {
          const have = got.get(r.sha)?.[name];
          if (have !== undefined && Math.abs(have - value) > 1e-9 * Math.max(1, Math.abs(value)))
            out.push(`${r.sha.slice(0, 12)} ${name}: ${have} vs ${value}`);
        }
      }
      return out;
    };

    await send([...events.slice(0, GAP.from), ...events.slice(GAP.to)]);
    await waitFor(() => featured(N - (GAP.to - GAP.from)), {
      timeoutMs: 120_000,
      intervalMs: 250,
      message: 'the commits around the gap featurized',
    });

    const broken = await collectAudit(config, { repo: EXPRESS_REPO, source: order, topicTimeoutS: 60 });
    expect(broken.failed).toBe(true);
    const features = broken.stages.find((s) => s.stage === 'features')!;
    expect(features.ranges).toEqual([{ first: order[GAP.from], last: order[GAP.to - 1], count: GAP.to - GAP.from }]);
    // The log itself also lacks them: they never reached it.
    expect(broken.stages.find((s) => s.stage === fz.names.commits)!.missing).toBe(GAP.to - GAP.from);
    // The first commit after the gap was computed without its parent; the audit names it.
    expect(broken.onGap.commits).toBeGreaterThanOrEqual(1);
    expect(broken.onGap.ranges.map((r) => r.first)).toContain(order[GAP.to]);
    // And the history metrics after the gap are wrong (else the recovery below would prove nothing).
    expect(mismatches(await jitRows()).length).toBeGreaterThan(0);

    // The way back: reset the repository, replay its whole history in order (what
    // `featurizer rebuild` does through `backfill --republish`).
    const cleared = await new RedisHistoryStore(fz.redis, { prefix: fz.names.state }).resetRepository(
      EXPRESS_REPO,
      Date.now(),
    );
    expect(cleared).toBe(N - (GAP.to - GAP.from));
    await send(events);
    // Done when the state holds every commit again and the rows were rewritten (sinks follow the state).
    await waitFor(
      async () =>
        (await collectAudit(config, { repo: EXPRESS_REPO, source: order, topicTimeoutS: 60 })).failed ||
        mismatches(await jitRows()).length > 0
          ? undefined
          : true,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        message: 'the audit to pass after the replay',
      },
    );
    const healed = await collectAudit(config, { repo: EXPRESS_REPO, source: order, topicTimeoutS: 60 });
    expect(healed.onGap.commits).toBe(0);
    expect(healed.stages.filter((s) => s.required).map((s) => [s.stage, s.commits, s.missing])).toEqual([
      ['source', N, 0],
      ['featurizer state', N, 0],
      ['features', N, 0],
    ]);

    // Exactly once as queries see it, and the metrics of an uninterrupted in-order pass.
    const [once] = await fz.ch.query<{ rows: string; shas: string }>(
      sql`SELECT count() AS rows, uniqExact(sha) AS shas FROM commit_features FINAL WHERE repo_id = ${EXPRESS_REPO} AND feature_set = 'jit_change_metrics'`,
    );
    expect([Number(once!.rows), Number(once!.shas)]).toEqual([N, N]);
    const healedRows = await jitRows();
    expect(healedRows.size).toBe(N);
    expect(mismatches(healedRows).slice(0, 10)).toEqual([]);
  }, 300_000);
});
