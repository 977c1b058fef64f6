// Triggers against a registry in a temp directory and a stand-in for the run manager (the
// collaborator; the trigger logic is what is under test).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FailedPreconditionError } from '@omen/errors';
import { LocalModelRegistry } from '@omen/model-registry';
import { createLogger } from '@omen/telemetry';
import { configProblems, type TrainerConfig } from '../../src/config.ts';
import type { RunManager, StartRunInput } from '../../src/runs.ts';
import { startTriggers, triggeredRun, type TriggerOptions } from '../../src/triggers.ts';

const options: TriggerOptions = {
  defaultModel: 'jit-defect',
  defaultFeatureSet: 'jit_change_metrics',
  defaultAlgorithm: 'ensemble',
  newLabels: 0,
  labelPollMs: 60_000,
  drift: false,
  driftSubject: 'drift.alert',
};
const logger = createLogger({ service: 'test', level: 'silent' });
let dir: string;
let registry: LocalModelRegistry;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omen-triggers-'));
  registry = new LocalModelRegistry(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function fakeRuns(refuseAfter = Infinity): { runs: RunManager; started: StartRunInput[] } {
  const started: StartRunInput[] = [];
  const runs = {
    start: (input: StartRunInput) => {
      if (started.length >= refuseAfter) return Promise.reject(new FailedPreconditionError('cooldown'));
      started.push(input);
      return Promise.resolve({ id: `run-${started.length}` });
    },
    latest: () => undefined,
  } as unknown as RunManager;
  return { runs, started };
}

describe('triggers', () => {
  it('retrain like the champion: its feature set, algorithm and requested parameters', async () => {
    expect(await triggeredRun(registry, 'jit-defect', 'drift', 'psi', options)).toEqual({
      model: 'jit-defect',
      featureSet: 'jit_change_metrics',
      algorithm: 'ensemble',
      trigger: 'drift',
      reason: 'psi',
    });
    await registry.register({
      name: 'jit-defect',
      bytes: new Uint8Array([1]),
      featureSet: { name: 'jit_change_metrics', version: 1 },
      lineage: {
        source: 'trained',
        codeVersion: 'x',
        algorithm: 'gbdt',
        params: { requested: { numTrees: '300' }, resolved: {} },
      },
    });
    await registry.setAlias('jit-defect', 'champion', 'v1');
    expect(await triggeredRun(registry, 'jit-defect', 'schedule', 'cron', options)).toEqual({
      model: 'jit-defect',
      featureSet: 'jit_change_metrics',
      featureSetVersion: 1,
      algorithm: 'gbdt',
      params: { numTrees: '300' },
      trigger: 'schedule',
      reason: 'cron',
    });
  });

  it('a cron schedule starts runs of the default model; a refusal (cooldown) is swallowed; stop() ends it', async () => {
    const { runs, started } = fakeRuns(2);
    const triggers = startTriggers({
      runs,
      registry,
      clickhouse: undefined,
      labelsTable: 'commit_labels',
      control: undefined,
      logger,
      options: { ...options, schedule: '* * * * * *' },
    });
    try {
      const deadline = Date.now() + 10_000;
      while (started.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(started.slice(0, 2).map((s) => [s.model, s.trigger, s.reason])).toEqual([
        ['jit-defect', 'schedule', 'schedule * * * * * *'],
        ['jit-defect', 'schedule', 'schedule * * * * * *'],
      ]);
      expect(await triggers.fire('jit-defect', 'schedule', 'manual fire')).toBeUndefined(); // refused, not thrown
      // What a drift alert's reply carries: the refusal in words.
      expect(await triggers.attempt('jit-defect', 'drift', 'drift alert')).toEqual({
        status: 'refused',
        detail: 'cooldown',
      });
    } finally {
      triggers.stop();
    }
    const after = started.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(started.length).toBe(after);
  });

  it('config refuses a bad cron expression, S3 without credentials, and a label trigger without ClickHouse', () => {
    const base = { TRAINER_ARTIFACT_STORE: 'local', TRAINER_TRIGGER_NEW_LABELS: 0 } as unknown as TrainerConfig;
    expect(configProblems(base)).toEqual([]);
    expect(configProblems({ ...base, TRAINER_SCHEDULE: '0 3 * * 1' })).toEqual([]);
    expect(configProblems({ ...base, TRAINER_SCHEDULE: 'every monday' }).map((p) => p.variable)).toEqual([
      'TRAINER_SCHEDULE',
    ]);
    expect(
      configProblems({ ...base, TRAINER_ARTIFACT_STORE: 's3', TRAINER_S3_BUCKET: 'b' }).map((p) => p.variable),
    ).toEqual(['TRAINER_S3_ENDPOINT', 'TRAINER_S3_ACCESS_KEY_ID', 'TRAINER_S3_SECRET_ACCESS_KEY']);
    expect(configProblems({ ...base, TRAINER_TRIGGER_NEW_LABELS: 5 }).map((p) => p.variable)).toEqual([
      'CLICKHOUSE_URL',
    ]);
  });
});
