// The retraining link on real engines: the drift-detector's alert goes to a real
// trainer-coordinator (in process, on the dev stack's NATS and ClickHouse), which starts a run and
// answers with its id; the drifted report carries that id on monitoring.drift.v1, in the
// drift_reports table and through GetDriftReport, and the run exists in the trainer with trigger
// "drift". A second drifted window while that run is in its cooldown records the trainer's
// refusal, not an empty id without reason.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClickHouse, ident, sql } from '@omen/clickhouse';
import { avroSchema, type CommitFeatures, type driftV1, type trainerV1 } from '@omen/contracts';
import { LocalModelRegistry } from '@omen/model-registry';
import { createTestProducer, randomName, stackEnv, waitFor } from '@omen/testing';
import { driftCommand } from '../../../../packages/cli/src/commands/drift.ts';
import { startTestTrainer, type TestTrainer } from '../../../trainer-coordinator/test/helpers/service.ts';
import { normal, referenceStats, rng } from '../helpers/reference.ts';
import { call, randomTopics, startOnStack, type TestService } from '../helpers/service.ts';

const cleanups: (() => Promise<void>)[] = [];
const cleanup = (fn: () => Promise<void>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const env = stackEnv('CLICKHOUSE_URL');
const MODEL = randomName('jit-link');
const REPO = 'github:acme/link';
const WINDOW = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % WINDOW);
const topics = randomTopics();
const table = `drift_${randomName('link').replace(/-/g, '_')}`;
const ch = createClickHouse({ url: env.CLICKHOUSE_URL });
const random = rng(11);

let trainer: TestTrainer;
let svc: TestService;

function record(i: number, t: number, shift: number): CommitFeatures {
  const sha = i.toString(16).padStart(40, '0');
  return {
    event_id: `${REPO}:${sha}:jit_change_metrics:1`,
    event_time: t,
    repo_id: REPO,
    sha,
    feature_set: 'jit_change_metrics',
    feature_set_version: 1,
    values: { la: normal(random, 10 + shift, 2), nf: normal(random, 50 + 10 * shift, 10) },
    file_metrics: null,
    computed_at: t + 1000,
  };
}

beforeAll(async () => {
  trainer = await startTestTrainer({ TRAINER_COOLDOWN: '1h' });
  cleanup(() => trainer.close());
  // The champion both services see: the detector's reference, the trainer's model to retrain.
  const registry = new LocalModelRegistry(trainer.registryDir);
  const stats = referenceStats(
    {
      la: { sample: Array.from({ length: 3000 }, () => normal(random, 10, 2)) },
      nf: { sample: Array.from({ length: 3000 }, () => normal(random, 50, 10)) },
    },
    Array.from({ length: 3000 }, () => random()),
    0.2,
  );
  await registry.register({
    name: MODEL,
    version: 'v1',
    bytes: new Uint8Array([1, 2, 3]),
    featureSet: { name: 'jit_change_metrics', version: 1 },
    referenceStats: stats,
  });
  await registry.setAlias(MODEL, 'champion', 'v1');
  cleanup(async () => {
    await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
    await ch.close();
  });
  svc = await startOnStack(cleanup, {
    registryDir: trainer.registryDir,
    model: MODEL,
    topics,
    // No detector cooldown: the second window's alert reaches the trainer, whose cooldown refuses it.
    env: {
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      DRIFT_TABLE: table,
      DRIFT_ALERT_SUBJECT: trainer.driftSubject,
      DRIFT_ALERT_COOLDOWN: '0',
      DRIFT_ALERT_REPLY_TIMEOUT: '10s',
    },
  });
}, 120_000);

/** Runs `omen drift ARGS` in process and returns what it printed (exit 0 required). */
async function cli(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    expect(await driftCommand.run(args)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('drift alert → retraining run, linked', () => {
  it('stores the run id the trainer answered with, and the trainer refusal for the next drifted window', async () => {
    const producer = await createTestProducer(cleanup, {
      schemas: { [topics.features]: avroSchema('commit_features') },
    });
    // Window 1 shifted (alert → run), window 2 shifted (alert → refused: cooldown / run in progress).
    const w1 = Array.from({ length: 300 }, (_, i) => record(i, T0 + i * 100, 2));
    await producer.send(
      topics.features,
      [...w1, record(5000, T0 + WINDOW + 10, 2)].map((r) => ({
        key: r.repo_id,
        value: r,
        eventId: r.event_id,
        eventTime: r.event_time,
      })),
    );
    const first = await waitFor(
      async () => {
        const rows = await ch.query<{ retraining_run_id: string; retraining_status: string; n: string }>(sql`
        SELECT retraining_run_id, retraining_status, count() AS n FROM ${ident(table)} FINAL
        WHERE repo_id = '*' AND window_end_ms = ${T0 + WINDOW} GROUP BY retraining_run_id, retraining_status`);
        return rows.length > 0 ? rows : undefined;
      },
      { message: 'the first window in ClickHouse', timeoutMs: 60_000 },
    );
    expect(first).toHaveLength(1);
    expect(first[0]!.retraining_status).toBe('started');
    const runId = first[0]!.retraining_run_id;
    expect(runId).not.toBe('');

    // The id names a real run of the trainer, started by the drift trigger with the alert's reason.
    const run = await trainer.call<trainerV1.Run__Output>('GetRun', { run_id: runId });
    expect(run).toMatchObject({ run_id: runId, model_name: MODEL, trigger: 'drift' });
    expect(run.reason).toMatch(/^drift \(100% of features drifted\) in all repositories/);

    // gRPC: the report says the same.
    const report = await call<driftV1.DriftReport__Output>(svc.client, 'GetDriftReport', { model_name: MODEL });
    expect(report).toMatchObject({
      drifted: true,
      retraining_triggered: true,
      retraining_run_id: runId,
      retraining_status: 'started',
      drift_share: 1,
    });
    // The per-repo report of the same window is covered by the all-repos one's alert.
    const repoReport = await call<driftV1.DriftReport__Output>(svc.client, 'GetDriftReport', {
      model_name: MODEL,
      repo_id: REPO,
    });
    expect(repoReport).toMatchObject({ retraining_status: 'covered', retraining_run_id: '' });

    const w2 = Array.from({ length: 300 }, (_, i) => record(1000 + i, T0 + WINDOW + 20 + i * 100, 2));
    await producer.send(
      topics.features,
      [...w2, record(6000, T0 + 2 * WINDOW + 10, 2)].map((r) => ({
        key: r.repo_id,
        value: r,
        eventId: r.event_id,
        eventTime: r.event_time,
      })),
    );
    const second = await waitFor(
      async () => {
        const rows = await ch.query<{
          retraining_run_id: string;
          retraining_status: string;
          retraining_detail: string;
        }>(sql`
        SELECT DISTINCT retraining_run_id, retraining_status, retraining_detail FROM ${ident(table)} FINAL
        WHERE repo_id = '*' AND window_end_ms = ${T0 + 2 * WINDOW}`);
        return rows.length > 0 ? rows : undefined;
      },
      { message: 'the second window in ClickHouse', timeoutMs: 60_000 },
    );
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ retraining_run_id: '', retraining_status: 'refused' });
    expect(second[0]!.retraining_detail).toMatch(
      new RegExp(`drift trigger for ${MODEL} ignored: (cooldown until|run ${runId} is still)`),
    );
    const runs = await trainer.call<trainerV1.ListRunsResponse__Output>('ListRuns', { model_name: MODEL });
    expect(runs.runs.map((r) => r.run_id)).toEqual([runId]);

    // The CLI shows the same link: `omen drift list|get --json`.
    const addr = `127.0.0.1:${svc.running.grpcPort}`;
    const list = JSON.parse(
      await cli(['list', MODEL, '--addr', addr, '--json', '--drifted']),
    ) as driftV1.DriftReport__Output[];
    expect(
      list
        .filter((r) => r.repo_id === '*')
        .map((r) => [Number(r.window_end!.seconds) * 1000, r.retraining_status, r.retraining_run_id]),
    ).toEqual([
      [T0 + 2 * WINDOW, 'refused', ''],
      [T0 + WINDOW, 'started', runId],
    ]);
    const got = JSON.parse(await cli(['get', MODEL, '--addr', addr, '--json'])) as driftV1.DriftReport__Output;
    expect(got).toMatchObject({ retraining_status: 'refused', drifted: true });
    const text = await cli(['list', MODEL, '--addr', addr]);
    expect(text).toContain(`run ${runId}`);
    expect(text).toMatch(/SHARE\s+DRIFTED/);
  });
});
