// INFERENCE_ARTIFACT_CACHE_DIR against the real trainer-coordinator (its own process, as
// deployed): a replica that read the champion through the trainer leaves it in the cache; with
// the trainer stopped, a NEW replica on the same directory still becomes SERVING and scores with
// that version, while a replica without the cache stays NOT_SERVING.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '@omen/grpc';
import { UnavailableError } from '@omen/errors';
import { LocalModelRegistry, type ModelSource } from '@omen/model-registry';
import { waitFor } from '@omen/testing';
import { TrainerModelSource } from '../../src/adapters/trainer-model-source.ts';
import { jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { call, startTestService, type PredictResponse } from '../helpers/service.ts';
import { startTrainerProcess, trainChampion, type TrainerProcess } from '../helpers/trainer-process.ts';

const TOKEN = 'artifact-cache-test-token-0123';
const MODEL = `jit-cached-${process.pid}-${Date.now()}`;

const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = (fn: () => Promise<unknown>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

let root: string;
let trainer: TrainerProcess;
let registry: LocalModelRegistry;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'omen-artifact-cache-'));
  cleanup(() => rm(root, { recursive: true, force: true }));
  registry = new LocalModelRegistry(path.join(root, 'registry'));
  // StartRun needs the admin token; the reads inference makes are open (no GRPC_REQUIRE_AUTH).
  trainer = await startTrainerProcess({
    ADMIN_TOKEN: TOKEN,
    TRAINER_REGISTRY_DIR: path.join(root, 'registry'),
    TRAINER_STATE_DIR: path.join(root, 'state'),
    TRAINER_CODE_VERSION: 'trainer-artifact-cache-test',
  });
  cleanup(() => trainer.stop());
  expect(await trainChampion(trainer.address, TOKEN, MODEL)).toMatchObject({
    state: 'RUN_STATE_SUCCEEDED',
    model_version: 'v1',
  });
}, 300_000);

describe('INFERENCE_ARTIFACT_CACHE_DIR', () => {
  it('lets a new replica serve the cached champion while the trainer is down', async () => {
    const cacheDir = path.join(root, 'cache');
    const env = {
      INFERENCE_MODELS: MODEL,
      INFERENCE_DEFAULT_MODEL: MODEL,
      INFERENCE_REGISTRY_DIR: path.join(root, 'not-used'),
      INFERENCE_TRAINER_ADDR: trainer.address,
      INFERENCE_ARTIFACT_CACHE_DIR: cacheDir,
    };
    const values = jitValues(11);
    const [expected] = await referenceP1((await registry.resolve(MODEL, { version: 'v1' })).bytes, [jitRow(values)]);

    const first = await startTestService(cleanup, env);
    await first.running.ready;
    const before = await call<PredictResponse>(first.client, 'Predict', { model_name: MODEL, features: { values } });
    expect(before.model_version).toBe('v1');
    expect(before.bug_probability).toBeCloseTo(expected!, 6);
    const { sha256 } = await registry.getVersion(MODEL, 'v1');
    expect(await readdir(path.join(cacheDir, 'blobs'))).toEqual([sha256]);
    await first.running.stop('replaced');

    await trainer.stop();

    const second = await startTestService(cleanup, env);
    await second.running.ready;
    expect(await checkHealth(second.address)).toBe('SERVING');
    const after = await call<PredictResponse>(second.client, 'Predict', { model_name: MODEL, features: { values } });
    expect(after.model_version).toBe('v1');
    expect(after.bug_probability).toBeCloseTo(before.bug_probability, 9);

    // The same replica without the cache: its reads fail UNAVAILABLE, so it has nothing to load and does not serve.
    const gone = new TrainerModelSource({ address: trainer.address });
    cleanup(() => Promise.resolve(gone.close()));
    const failures: unknown[] = [];
    const failed = <T>(p: Promise<T>) =>
      p.catch((err: unknown) => {
        failures.push(err);
        throw err;
      });
    const observed: ModelSource = {
      resolve: (n, s) => failed(gone.resolve(n, s)),
      aliases: (n) => failed(gone.aliases(n)),
      models: () => failed(gone.models()),
    };
    const uncached = await startTestService(
      cleanup,
      { ...env, INFERENCE_ARTIFACT_CACHE_DIR: undefined },
      { source: observed },
    );
    await waitFor(() => failures.length > 0, { timeoutMs: 30_000, message: 'the uncached replica to try the trainer' });
    expect(failures[0]).toBeInstanceOf(UnavailableError);
    expect(await checkHealth(uncached.address)).toBe('NOT_SERVING');
  }, 120_000);
});
