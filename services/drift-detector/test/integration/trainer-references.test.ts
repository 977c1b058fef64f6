// TrainerReferenceSource over real gRPC: a stand-in Trainer built from the published
// omen.trainer.v1 proto answers GetAliases and GetModel the way the trainer-coordinator does
// (reference_stats_json = the record's referenceStats), and the tracker picks the reference up.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGrpcObject, type trainerV1 } from '@omen/contracts';
import { createLogger } from '@omen/telemetry';
import { ReferenceTracker } from '../../src/adapters/references.ts';
import { TrainerReferenceSource, parseReferenceStats } from '../../src/adapters/trainer-references.ts';
import { referenceStats } from '../helpers/reference.ts';

const stats = referenceStats({ la: { sample: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }, [0.1, 0.2, 0.3], 0.25);
const server = new grpc.Server();
let address = '';
const calls: string[] = [];

beforeAll(async () => {
  const { Trainer } = loadGrpcObject('trainer').omen.trainer.v1;
  server.addService(Trainer.service, {
    GetAliases: (
      call: grpc.ServerUnaryCall<trainerV1.GetAliasesRequest__Output, trainerV1.GetAliasesResponse>,
      cb: grpc.sendUnaryData<trainerV1.GetAliasesResponse>,
    ) => {
      calls.push(`GetAliases ${call.request.model_name}`);
      cb(null, { aliases: call.request.model_name === 'jit' ? { champion: 'v4' } : {} });
    },
    GetModel: (
      call: grpc.ServerUnaryCall<trainerV1.GetModelRequest__Output, trainerV1.ModelVersion>,
      cb: grpc.sendUnaryData<trainerV1.ModelVersion>,
    ) => {
      calls.push(`GetModel ${call.request.model_name}/${call.request.version}`);
      if (call.request.version !== 'v4') {
        cb({
          code: grpc.status.NOT_FOUND,
          details: `model "${call.request.model_name}" has no version "${call.request.version}"`,
        });
        return;
      }
      cb(null, {
        model_name: call.request.model_name,
        version: 'v4',
        feature_set: 'jit_change_metrics',
        feature_set_version: 2,
        reference_stats_json: JSON.stringify(stats),
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  address = `127.0.0.1:${port}`;
});
afterAll(() => {
  server.forceShutdown();
});

describe('TrainerReferenceSource', () => {
  it('follows the champion through GetAliases and reads its statistics through GetModel, without the artifact', async () => {
    const source = new TrainerReferenceSource({ address });
    const tracker = new ReferenceTracker(source, 'champion', createLogger({ service: 'test', level: 'silent' }));
    const state = await tracker.refresh('jit');
    expect(state).toEqual({
      state: 'ok',
      reference: { model: 'jit', version: 'v4', featureSet: { name: 'jit_change_metrics', version: 2 }, stats },
    });
    expect(await tracker.refresh('other')).toEqual({
      state: 'missing',
      reason: 'model "other" has no "champion" alias',
    });
    expect(calls).toEqual(['GetAliases jit', 'GetModel jit/v4', 'GetAliases other']);
    await expect(source.record('jit', 'v1')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/no version "v1"/) as unknown,
    });
    source.close();
  });

  it('says which trainer is unreachable', async () => {
    const source = new TrainerReferenceSource({ address: '127.0.0.1:1', callTimeoutMs: 2000 });
    await expect(source.aliases('jit')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1 is unavailable (GetAliases jit)') as unknown,
    });
    source.close();
  });

  it('refuses statistics that are not the registry shape', () => {
    expect(parseReferenceStats('', 'jit/v1')).toBeUndefined();
    expect(() => parseReferenceStats('{', 'jit/v1')).toThrow(/jit\/v1 are not valid JSON/);
    expect(() => parseReferenceStats('{"features":[]}', 'jit/v1')).toThrow(/lack features, quantileLevels/);
  });
});
