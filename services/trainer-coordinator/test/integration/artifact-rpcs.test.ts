// GetArtifact and GetAliases, the reads a remote ModelSource (inference replicas without the
// registry directory) is built on: the header and chunks of a real exported ONNX model, NOT_FOUND
// naming what is missing, DATA_LOSS for a damaged or missing blob, reads open without the token,
// and a reader that stops reading holds the stream at gRPC's buffer until its deadline ends it.
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { trainerV1 } from '@omen/contracts';
import { sha256Hex, type ModelVersionRecord } from '@omen/model-registry';
import { waitFor } from '@omen/testing';
import { exportOnnx, trainLogistic } from '../../src/domain/index.ts';
import { gaussianRows, makeDataset } from '../helpers/fixtures.ts';
import { startTestTrainer, type TestTrainer } from '../helpers/service.ts';

const MODEL = `artifact-test-${Math.random().toString(16).slice(2, 10)}`;
const BIG = `${MODEL}-big`;
const CHUNK = 16 * 1024;
const NAMES = ['ns', 'nd', 'nf', 'entropy', 'la', 'ld', 'lt', 'fix', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp'];
let t: TestTrainer;
let onnx: Uint8Array;
let big: Uint8Array;

interface Received {
  header: trainerV1.ArtifactHeader__Output | null | undefined;
  chunks: Buffer[];
  error?: grpc.ServiceError;
}

function getArtifact(request: trainerV1.GetArtifactRequest, client = t.anonymous): Promise<Received> {
  return new Promise((resolve) => {
    const got: Received = { header: undefined, chunks: [] };
    const call = client.GetArtifact(request, new grpc.Metadata(), { deadline: Date.now() + 30_000 });
    call.on('data', (m: trainerV1.ArtifactChunk__Output) => {
      if (m.part === 'header') got.header = m.header;
      else if (m.data) got.chunks.push(m.data);
    });
    call.on('error', (error: grpc.ServiceError) => resolve({ ...got, error }));
    call.on('end', () => resolve(got));
  });
}

async function metric(pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${t.svc.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => pattern.test(l));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}
const bytesSent = (model: string) =>
  metric(new RegExp(`^omen_trainer_artifact_bytes_sent_total\\{[^}]*model="${model}"[^}]*\\} `));

beforeAll(async () => {
  t = await startTestTrainer({ TRAINER_ARTIFACT_CHUNK_BYTES: String(CHUNK) });
  const rows = gaussianRows(300, NAMES.length, 5);
  onnx = exportOnnx(
    trainLogistic(
      makeDataset(
        NAMES,
        rows,
        rows.map((r) => (r[4]! - 0.3 * r[1]! > 0 ? 1 : 0)),
      ),
      { log1p: [] },
    ),
  );
  const registry = t.app.registry;
  await registry.register({
    name: MODEL,
    version: 'v1',
    bytes: onnx,
    featureSet: { name: 'jit_change_metrics', version: 1 },
    featureNames: NAMES,
    reference: { la: 3, ld: 1 },
    metrics: { auc: 0.8 },
  });
  await registry.setAlias(MODEL, 'champion', 'v1');
  await registry.setAlias(MODEL, 'challenger', 'v1');
  // Not an ONNX model: the stream does not care, and 8 MiB is far more than gRPC buffers.
  big = randomBytes(8 * 1024 * 1024);
  await registry.register({
    name: BIG,
    version: 'v1',
    bytes: big,
    featureSet: { name: 'jit_change_metrics', version: 1 },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('GetArtifact', () => {
  it('streams the header, then the bytes in chunks of at most TRAINER_ARTIFACT_CHUNK_BYTES, without the token', async () => {
    const stored = JSON.parse(
      await readFile(path.join(t.registryDir, 'models', MODEL, 'versions', 'v1.json'), 'utf8'),
    ) as ModelVersionRecord;
    for (const request of [
      { model_name: MODEL },
      { model_name: MODEL, alias: 'challenger' },
      { model_name: MODEL, version: 'v1' },
    ]) {
      const got = await getArtifact(request);
      expect(got.error).toBeUndefined();
      expect(got.header).toMatchObject({
        sha256: sha256Hex(onnx),
        size_bytes: String(onnx.length),
        chunk_bytes: CHUNK,
      });
      expect(got.header?.version).toMatchObject({
        model_name: MODEL,
        version: 'v1',
        artifact_sha256: sha256Hex(onnx),
        aliases: ['challenger', 'champion'],
        stage: 'MODEL_STAGE_PRODUCTION',
        reference_stats_json: '',
      });
      expect(JSON.parse(got.header!.record_json)).toEqual(stored);
      expect(got.chunks.every((c) => c.length > 0 && c.length <= CHUNK)).toBe(true);
      expect(Buffer.concat(got.chunks).equals(Buffer.from(onnx))).toBe(true);
    }
    const large = await getArtifact({ model_name: BIG, version: 'v1' });
    expect(large.chunks.length).toBe(Math.ceil(big.length / CHUNK));
    expect(sha256Hex(Buffer.concat(large.chunks))).toBe(sha256Hex(big));
  });

  it('answers NOT_FOUND naming the missing model, version or alias, and INVALID_ARGUMENT without a model', async () => {
    const cases: Array<[trainerV1.GetArtifactRequest, grpc.status, RegExp]> = [
      [{ model_name: `${MODEL}-nope` }, grpc.status.NOT_FOUND, new RegExp(`unknown model "${MODEL}-nope"`)],
      [
        { model_name: MODEL, version: 'v9' },
        grpc.status.NOT_FOUND,
        new RegExp(`model "${MODEL}" has no version "v9" \\(versions: v1\\)`),
      ],
      [
        { model_name: MODEL, alias: 'canary' },
        grpc.status.NOT_FOUND,
        new RegExp(`model "${MODEL}" has no alias "canary" \\(aliases: champion, challenger\\)`),
      ],
      [{ model_name: '' }, grpc.status.INVALID_ARGUMENT, /model_name is required/],
      [{ model_name: MODEL, version: '../v1' }, grpc.status.INVALID_ARGUMENT, /version must be/],
    ];
    for (const [request, code, message] of cases) {
      const got = await getArtifact(request);
      expect(got.header).toBeUndefined();
      expect(got.error?.code).toBe(code);
      expect(got.error?.details).toMatch(message);
    }
  });

  it('refuses with DATA_LOSS a blob that no longer hashes to its record, or is gone, without naming its path', async () => {
    const sha = sha256Hex(onnx);
    const blob = t.app.registry.blobPath(sha);
    const damaged = Buffer.from(onnx);
    damaged[damaged.length - 5] = damaged[damaged.length - 5]! ^ 0xff;
    await writeFile(blob, damaged);
    try {
      const got = await getArtifact({ model_name: MODEL });
      expect(got.header).toBeUndefined();
      expect(got.error?.code).toBe(grpc.status.DATA_LOSS);
      expect(got.error?.details).toContain(`artifact of ${MODEL}/v1 has sha256 ${sha256Hex(damaged)}, expected ${sha}`);
      expect(got.error?.details).not.toContain(t.registryDir);

      await rm(blob);
      const gone = await getArtifact({ model_name: MODEL });
      expect(gone.error?.code).toBe(grpc.status.DATA_LOSS);
      expect(gone.error?.details).toBe(
        `${MODEL}/v1 is registered with sha256 ${sha}, but the artifact store has no such artifact`,
      );
    } finally {
      await writeFile(blob, onnx);
    }
    expect((await getArtifact({ model_name: MODEL })).error).toBeUndefined();
  });

  it('writes no faster than the reader reads: a reader that stops holds the stream until its deadline ends it', async () => {
    const before = await bytesSent(BIG);
    expect((await getArtifact({ model_name: BIG, version: 'v1' })).error).toBeUndefined();
    // A full read is counted exactly once.
    expect((await bytesSent(BIG)) - before).toBe(big.length);

    const stalled = await bytesSent(BIG);
    const timedOut = (m: RegExp) => metric(m);
    const deadlineLine =
      /^omen_grpc_server_handled_total\{(?=[^}]*grpc_method="GetArtifact")(?=[^}]*grpc_code="DEADLINE_EXCEEDED")[^}]*\} /;
    const deadlinesBefore = await timedOut(deadlineLine);
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      const call = t.anonymous.GetArtifact({ model_name: BIG, version: 'v1' }, new grpc.Metadata(), {
        deadline: Date.now() + 1500,
      });
      // The header arrives, then nothing is read: the client's buffer and flow control fill up.
      call.once('data', () => call.pause());
      call.on('error', resolve);
    });
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await waitFor(async () => (await timedOut(deadlineLine)) > deadlinesBefore, {
      message: 'the server to finish the call',
    });
    const sent = (await bytesSent(BIG)) - stalled;
    expect(sent).toBeLessThan(big.length / 2);
  });
});

describe('GetAliases', () => {
  it('maps alias to version; an unknown model has none; no token needed', async () => {
    expect(
      (await t.call<trainerV1.GetAliasesResponse__Output>('GetAliases', { model_name: MODEL }, t.anonymous)).aliases,
    ).toEqual({ champion: 'v1', challenger: 'v1' });
    expect(
      (await t.call<trainerV1.GetAliasesResponse__Output>('GetAliases', { model_name: BIG }, t.anonymous)).aliases,
    ).toEqual({});
    expect(
      (await t.call<trainerV1.GetAliasesResponse__Output>('GetAliases', { model_name: `${MODEL}-nope` }, t.anonymous))
        .aliases,
    ).toEqual({});
    const bad = await t.call('GetAliases', { model_name: '' }, t.anonymous).catch((e: grpc.ServiceError) => e);
    expect((bad as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});
