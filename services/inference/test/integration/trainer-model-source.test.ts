// TrainerModelSource against the real trainer-coordinator, run as its own process (main.ts, as
// deployed) with GRPC_REQUIRE_AUTH on, so the token has to travel: a model the trainer trains and
// promotes resolves through gRPC to the same bytes and record as its registry directory holds,
// inference serves it through this source alone, a stream tampered with on the way (a proxy in
// between) or a damaged blob is refused, unknown names are NOT_FOUND, a trainer that is gone is
// UNAVAILABLE.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrpcObject, repoRoot, type trainerV1 } from '@omen/contracts';
import { NotFoundError, UnavailableError, isRetryable } from '@omen/errors';
import { callUnary, createClient } from '@omen/grpc';
import { LocalModelRegistry, sha256Hex } from '@omen/model-registry';
import { watchRun } from '@omen/testing';
import { TrainerModelSource } from '../../src/adapters/trainer-model-source.ts';
import { jitRow, jitValues, referenceP1 } from '../helpers/fixtures.ts';
import { call, startTestService, type PredictResponse } from '../helpers/service.ts';
import { startTrainerProcess, type TrainerProcess } from '../helpers/trainer-process.ts';

const TOKEN = 'trainer-source-test-token-0123';
const MODEL = `jit-remote-${process.pid}-${Date.now()}`;
const CHUNK = 4096;
// The trainer's own test slice of the ISSTA'21 Qt change metrics (a data file, not code).
const CSV = path.join(repoRoot, 'services', 'trainer-coordinator', 'test', 'fixtures', 'qt-first-4000.csv.gz');
const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;

const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = (fn: () => Promise<unknown>) => cleanups.push(fn);
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

let trainer: TrainerProcess;
let address: string;
let registryDir: string;
let registry: LocalModelRegistry;
let source: TrainerModelSource;

beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'omen-trainer-source-'));
  cleanup(() => rm(root, { recursive: true, force: true }));
  registryDir = path.join(root, 'registry');
  registry = new LocalModelRegistry(registryDir);
  // Only what the test gives: no ClickHouse or NATS, so the trainer serves its registry and trains from CSV.
  trainer = await startTrainerProcess({
    ADMIN_TOKEN: TOKEN,
    GRPC_REQUIRE_AUTH: 'true',
    TRAINER_REGISTRY_DIR: path.join(root, 'registry'),
    TRAINER_STATE_DIR: path.join(root, 'state'),
    TRAINER_CODE_VERSION: 'trainer-model-source-test',
    TRAINER_ARTIFACT_CHUNK_BYTES: String(CHUNK),
  });
  cleanup(() => trainer.stop());
  address = trainer.address;

  // A real run: trained on the CSV in the trainer's worker, exported to ONNX, registered, promoted.
  const admin = createClient(Trainer, address, { token: TOKEN, deadlineMs: 60_000 });
  cleanup(() => Promise.resolve(admin.close()));
  const run = await callUnary<trainerV1.Run__Output>(admin, 'StartRun', {
    model_name: MODEL,
    row_source: `csv:${CSV}`,
    algorithm: 'gbdt',
    auto_promote: true,
  });
  const final = (await watchRun(admin, run.run_id)).at(-1)?.run;
  expect(final).toMatchObject({ state: 'RUN_STATE_SUCCEEDED', model_version: 'v1' });

  source = new TrainerModelSource({ address, token: TOKEN });
  cleanup(() => Promise.resolve(source.close()));
}, 300_000);

describe('TrainerModelSource', () => {
  it("resolves the champion to the bytes and record the trainer's registry holds, over many chunks", async () => {
    const local = await registry.resolve(MODEL, { alias: 'champion' });
    expect(local.size).toBeGreaterThan(4 * CHUNK);
    for (const selector of [{ alias: 'champion' }, { version: 'v1' }]) {
      const { bytes, ...record } = await source.resolve(MODEL, selector);
      const { bytes: localBytes, ...localRecord } = local;
      expect(record).toEqual(localRecord);
      expect(Buffer.from(bytes).equals(Buffer.from(localBytes))).toBe(true);
      expect(sha256Hex(bytes)).toBe(record.sha256);
    }
    expect(await source.aliases(MODEL)).toEqual(await registry.aliases(MODEL));
    expect(await source.aliases(MODEL)).toEqual({ champion: 'v1' });
    expect(await source.aliases(`${MODEL}-none`)).toEqual({});
    expect(await source.models()).toEqual(await registry.models());
  });

  it('is all inference needs: with INFERENCE_TRAINER_ADDR set the service loads the champion through it and scores as ONNX Runtime does', async () => {
    // Configured the way deploy/ does it (no source override); the registry directory is empty.
    const svc = await startTestService(cleanup, {
      INFERENCE_MODELS: MODEL,
      INFERENCE_DEFAULT_MODEL: MODEL,
      INFERENCE_REGISTRY_DIR: path.join(registryDir, 'not-used'),
      INFERENCE_TRAINER_ADDR: address,
      INFERENCE_TRAINER_TOKEN: TOKEN,
    });
    await svc.running.ready;
    const values = jitValues(7);
    const res = await call<PredictResponse>(svc.client, 'Predict', { model_name: MODEL, features: { values } });
    expect(res.model_version).toBe('v1');
    const [p] = await referenceP1((await registry.resolve(MODEL, { version: 'v1' })).bytes, [jitRow(values)]);
    expect(res.bug_probability).toBeCloseTo(p!, 6);
  });

  it('sends the token the trainer requires for every RPC', async () => {
    const anonymous = new TrainerModelSource({ address });
    try {
      for (const attempt of [
        () => anonymous.aliases(MODEL),
        () => anonymous.resolve(MODEL, { alias: 'champion' }),
        () => anonymous.models(),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      }
    } finally {
      anonymous.close();
    }
  });

  it('refuses an artifact larger than it accepts once the header says so, and cancels the transfer', async () => {
    const small = new TrainerModelSource({ address, token: TOKEN, maxArtifactBytes: 2 * CHUNK });
    try {
      const { size } = await registry.getVersion(MODEL, 'v1');
      await expect(small.resolve(MODEL, { alias: 'champion' })).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
        message: `${MODEL}/v1 is ${size} bytes, more than this source accepts (${2 * CHUNK})`,
      });
      // The channel is still good for the next call.
      expect(await small.aliases(MODEL)).toEqual({ champion: 'v1' });
    } finally {
      small.close();
    }
  });

  it('answers NOT_FOUND naming the unknown model, version or alias', async () => {
    const cases: Array<[string, { alias: string } | { version: string }, RegExp]> = [
      [`${MODEL}-nope`, { alias: 'champion' }, new RegExp(`unknown model "${MODEL}-nope"`)],
      [MODEL, { version: 'v7' }, new RegExp(`model "${MODEL}" has no version "v7" \\(versions: v1\\)`)],
      [
        MODEL,
        { alias: 'challenger' },
        new RegExp(`model "${MODEL}" has no alias "challenger" \\(aliases: champion\\)`),
      ],
    ];
    for (const [name, selector, message] of cases) {
      const err = await source.resolve(name, selector).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses a stream altered on the way (a byte flipped, the end cut off) and a blob damaged at the trainer', async () => {
    // A Trainer in between that forwards GetArtifact from the real one and alters what passes.
    type Tamper = (
      chunk: trainerV1.ArtifactChunk__Output,
      index: number,
      last: boolean,
    ) => trainerV1.ArtifactChunk__Output | undefined;
    let tamper: Tamper = (c) => c;
    const upstream = createClient(Trainer, address, { token: TOKEN, deadlineMs: 30_000 });
    const proxy = new grpc.Server();
    proxy.addService(Trainer.service, {
      GetArtifact: (
        downstream: grpc.ServerWritableStream<trainerV1.GetArtifactRequest__Output, trainerV1.ArtifactChunk>,
      ) => {
        const messages: trainerV1.ArtifactChunk__Output[] = [];
        const up = upstream.GetArtifact(downstream.request, new grpc.Metadata());
        up.on('data', (m: trainerV1.ArtifactChunk__Output) => messages.push(m));
        up.on('error', (err: grpc.ServiceError) => downstream.destroy(err));
        up.on('end', () => {
          messages.forEach((m, i) => {
            const out = tamper(m, i, i === messages.length - 1);
            if (out) downstream.write(out);
          });
          downstream.end();
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      proxy.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const viaProxy = new TrainerModelSource({ address: `127.0.0.1:${port}` });
    cleanup(async () => {
      viaProxy.close();
      upstream.close();
      await new Promise<void>((resolve) => proxy.tryShutdown(() => resolve()));
    });

    const good = await registry.resolve(MODEL, { alias: 'champion' });
    expect(
      Buffer.from((await viaProxy.resolve(MODEL, { alias: 'champion' })).bytes).equals(Buffer.from(good.bytes)),
    ).toBe(true);

    tamper = (c, i) => {
      if (i !== 2 || !c.data) return c;
      const data = Buffer.from(c.data);
      data[100] = data[100]! ^ 0x01;
      return { ...c, data };
    };
    const corrupted = await viaProxy.resolve(MODEL, { alias: 'champion' }).catch((e: unknown) => e);
    const flipped = Buffer.from(good.bytes);
    flipped[CHUNK + 100] = flipped[CHUNK + 100]! ^ 0x01;
    expect(corrupted).toMatchObject({ code: 'DATA_LOSS', expected: good.sha256, actual: sha256Hex(flipped) });
    expect((corrupted as Error).message).toContain(`has sha256 ${sha256Hex(flipped)}, expected ${good.sha256}`);

    tamper = (c, _i, last) => (last ? undefined : c);
    const truncated = await viaProxy.resolve(MODEL, { alias: 'champion' }).catch((e: unknown) => e);
    const kept = good.bytes.length - (good.bytes.length % CHUNK || CHUNK);
    expect(truncated).toMatchObject({
      code: 'DATA_LOSS',
      message: `the trainer's artifact stream for ${MODEL}/v1 ended after ${kept} of ${good.bytes.length} bytes`,
    });

    // At the trainer: the stored blob no longer hashes to its name; the trainer refuses to send it.
    const blob = registry.blobPath(good.sha256);
    const damaged = Buffer.from(good.bytes);
    damaged[damaged.length - 7] = damaged[damaged.length - 7]! ^ 0xff;
    await writeFile(blob, damaged);
    try {
      const err = await source.resolve(MODEL, { alias: 'champion' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DATA_LOSS' });
      expect((err as Error).message).toContain(
        `artifact of ${MODEL}/v1 has sha256 ${sha256Hex(damaged)}, expected ${good.sha256}`,
      );
    } finally {
      await writeFile(blob, good.bytes);
    }
    expect(Buffer.from(await readFile(blob)).equals(Buffer.from(good.bytes))).toBe(true);
  });

  it('reports a trainer that is gone as UNAVAILABLE (retryable), naming its address', async () => {
    await trainer.stop();
    for (const attempt of [
      () => source.aliases(MODEL),
      () => source.resolve(MODEL, { alias: 'champion' }),
      () => source.models(),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as Error).message).toContain(`the trainer-coordinator at ${address} is unavailable`);
      expect(isRetryable(err)).toBe(true);
    }
  });
});
