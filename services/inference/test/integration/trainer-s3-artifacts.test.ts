// The deployed model path end to end, with artifacts in an S3-protocol store: the real
// trainer-coordinator (its own process, TRAINER_ARTIFACT_STORE=s3 against s3rver 3.7.1) trains
// and promotes a model, the bytes land in the bucket — not in the trainer's directory — and an
// inference service configured only with INFERENCE_TRAINER_ADDR loads it through the trainer's
// GetArtifact and scores as ONNX Runtime does. An object damaged in the bucket is refused.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrpcObject, repoRoot, type trainerV1 } from '@omen/contracts';
import { callUnary, createClient } from '@omen/grpc';
import { sha256Hex } from '@omen/model-registry';
import { watchRun } from '@omen/testing';
import { TrainerModelSource } from '../../src/adapters/trainer-model-source.ts';
import { jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { call, startTestService, type PredictResponse } from '../helpers/service.ts';
import { startTrainerProcess, type TrainerProcess } from '../helpers/trainer-process.ts';

const TOKEN = 'trainer-s3-test-token-0123456';
const MODEL = `jit-s3-${process.pid}-${Date.now()}`;
const BUCKET = 'omen-models';
const PREFIX = 'omen/registry/';
const CSV = path.join(repoRoot, 'services', 'trainer-coordinator', 'test', 'fixtures', 'qt-first-4000.csv.gz');
const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;

const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = (fn: () => Promise<unknown>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

let root: string;
let s3dir: string;
let trainer: TrainerProcess;
let source: TrainerModelSource;

/** s3rver keeps an object's bytes in `<dir>/<bucket>/<key>._S3rver_object`. */
const objectFile = (sha256: string) => path.join(s3dir, BUCKET, `${PREFIX}blobs/sha256/${sha256}._S3rver_object`);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'omen-trainer-s3-'));
  cleanup(() => rm(root, { recursive: true, force: true }));
  s3dir = path.join(root, 's3');
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await s3.run();
  cleanup(() => s3.close());

  trainer = await startTrainerProcess({
    ADMIN_TOKEN: TOKEN,
    TRAINER_REGISTRY_DIR: path.join(root, 'registry'),
    TRAINER_STATE_DIR: path.join(root, 'state'),
    TRAINER_CODE_VERSION: 'trainer-s3-test',
    TRAINER_ARTIFACT_STORE: 's3',
    TRAINER_S3_ENDPOINT: `http://127.0.0.1:${port}`,
    TRAINER_S3_BUCKET: BUCKET,
    TRAINER_S3_PREFIX: PREFIX,
    // s3rver's built-in account.
    TRAINER_S3_ACCESS_KEY_ID: 'S3RVER',
    TRAINER_S3_SECRET_ACCESS_KEY: 'S3RVER',
  });
  cleanup(() => trainer.stop());

  const admin = createClient(Trainer, trainer.address, { token: TOKEN, deadlineMs: 60_000 });
  cleanup(() => Promise.resolve(admin.close()));
  const run = await callUnary<trainerV1.Run__Output>(admin, 'StartRun', {
    model_name: MODEL,
    row_source: `csv:${CSV}`,
    algorithm: 'gbdt',
    auto_promote: true,
  });
  const final = (await watchRun(admin, run.run_id)).at(-1)?.run;
  expect(final).toMatchObject({ state: 'RUN_STATE_SUCCEEDED', model_version: 'v1' });

  source = new TrainerModelSource({ address: trainer.address });
  cleanup(() => Promise.resolve(source.close()));
}, 300_000);

describe('trainer with artifacts in S3, inference through the trainer', () => {
  it('keeps the artifact in the bucket under its sha256, not in the registry directory', async () => {
    const { bytes, sha256 } = await source.resolve(MODEL, { alias: 'champion' });
    expect(sha256Hex(bytes)).toBe(sha256);
    expect(Buffer.from(await readFile(objectFile(sha256))).equals(Buffer.from(bytes))).toBe(true);
    const registryEntries = await readdir(path.join(root, 'registry'));
    expect(registryEntries).not.toContain('blobs');
  });

  it('serves the model to an inference service that knows only the trainer address', async () => {
    const svc = await startTestService(cleanup, {
      INFERENCE_MODELS: MODEL,
      INFERENCE_DEFAULT_MODEL: MODEL,
      INFERENCE_REGISTRY_DIR: path.join(root, 'not-used'),
      INFERENCE_TRAINER_ADDR: trainer.address,
    });
    await svc.running.ready;
    const values = jitValues(11);
    const res = await call<PredictResponse>(svc.client, 'Predict', { model_name: MODEL, features: { values } });
    expect(res.model_version).toBe('v1');
    const { bytes } = await source.resolve(MODEL, { version: 'v1' });
    const [p] = await referenceP1(bytes, [jitRow(values)]);
    expect(res.bug_probability).toBeCloseTo(p!, 6);
  });

  it('refuses an object damaged in the bucket (DATA_LOSS from the trainer), naming no storage path', async () => {
    const { sha256 } = await source.resolve(MODEL, { alias: 'champion' });
    const file = objectFile(sha256);
    const good = await readFile(file);
    const bad = Buffer.from(good);
    bad[bad.length >> 1]! ^= 0xff;
    await writeFile(file, bad);
    try {
      const err = await source.resolve(MODEL, { alias: 'champion' }).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(err).not.toBeNull();
      expect(err!.code).toBe('DATA_LOSS');
      expect(err!.message).not.toContain(s3dir);
    } finally {
      await writeFile(file, good);
    }
  });
});
