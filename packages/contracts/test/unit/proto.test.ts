import type * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { loadGrpcObject, loadProtos, protoFiles, type inferenceV1 } from '../../src/index.ts';

function service(def: protoLoader.PackageDefinition, name: string): protoLoader.ServiceDefinition {
  const s = def[name];
  expect(s, name).toBeDefined();
  return s as protoLoader.ServiceDefinition;
}

const kind = (m: protoLoader.MethodDefinition<object, object>) =>
  `${m.requestStream ? 'stream ' : ''}-> ${m.responseStream ? 'stream' : 'unary'}`;

describe('protos', () => {
  const def = loadProtos();

  it('define the six omen services and KServe v2 with their streaming shapes', () => {
    const methods = (name: string) =>
      Object.fromEntries(Object.entries(service(def, name)).map(([m, d]) => [m, kind(d)]));
    expect(methods('omen.ingest.v1.Ingest')).toEqual({ PublishCommit: '-> unary', PublishCommits: 'stream -> unary' });
    expect(Object.keys(methods('omen.featurizer.v1.Featurizer')).sort()).toEqual([
      'AcceptOffsetGap',
      'GetFeatures',
      'ListFeatureSets',
      'ListOffsetGaps',
    ]);
    expect(methods('omen.trainer.v1.Trainer')).toMatchObject({
      StartRun: '-> unary',
      WatchRun: '-> stream',
      ImportModel: '-> unary',
      GetArtifact: '-> stream',
    });
    expect(Object.keys(methods('omen.trainer.v1.Trainer')).sort()).toEqual([
      'CancelRun',
      'GetAliases',
      'GetArtifact',
      'GetModel',
      'GetRun',
      'ImportModel',
      'ListModels',
      'ListRuns',
      'ListVersions',
      'Promote',
      'Rollback',
      'StartRun',
      'WatchRun',
    ]);
    expect(methods('omen.inference.v1.Inference')).toEqual({
      Predict: '-> unary',
      PredictBatch: '-> unary',
      PredictStream: '-> stream',
    });
    expect(Object.keys(methods('omen.drift.v1.DriftDetector')).sort()).toEqual([
      'GetDriftReport',
      'ListDriftReports',
      'ListPerformance',
    ]);
    expect(Object.keys(methods('omen.abrouter.v1.AbRouter')).sort()).toEqual([
      'CreateExperiment',
      'GetExperiment',
      'ListExperiments',
      'Predict',
      'Route',
      'StopExperiment',
    ]);
    expect(Object.keys(methods('inference.GRPCInferenceService')).sort()).toEqual([
      'ModelInfer',
      'ModelMetadata',
      'ModelReady',
      'ServerLive',
      'ServerMetadata',
      'ServerReady',
    ]);
  });

  it('serialize with the fixed loader options: snake_case, enum names, int64 as strings, defaults, oneof names', () => {
    const predict = service(def, 'omen.inference.v1.Inference')['Predict']!;
    const request: inferenceV1.PredictRequest = { commit: { repo_id: 'github:a/b', sha: 'abc' }, top_k: 3 };
    const decoded = predict.requestDeserialize(predict.requestSerialize(request)) as inferenceV1.PredictRequest__Output;
    expect(decoded).toMatchObject({
      model_name: '',
      model_version: '',
      top_k: 3,
      input: 'commit',
      commit: { repo_id: 'github:a/b', sha: 'abc' },
    });
    expect(decoded.features).toBeUndefined();

    const watch = service(def, 'omen.trainer.v1.Trainer')['WatchRun']!;
    const event = watch.responseDeserialize(
      watch.responseSerialize({
        run_id: 'r1',
        state: 'RUN_STATE_TRAINING',
        time: { seconds: '1700000000', nanos: 5 },
        run: { train_rows: '9007199254740993' },
      }),
    ) as { state: string; time: { seconds: string }; run: { train_rows: string; metrics: object } };
    expect(event.state).toBe('RUN_STATE_TRAINING');
    expect(event.time.seconds).toBe('1700000000');
    expect(event.run.train_rows).toBe('9007199254740993');
    expect(event.run.metrics).toEqual({});
  });

  it('loadGrpcObject gives a client constructor per service', () => {
    const { omen } = loadGrpcObject('inference');
    expect(typeof omen.inference.v1.Inference).toBe('function');
    expect(Object.keys(omen.inference.v1.Inference.service)).toContain('PredictStream');
    const kserve = loadGrpcObject('kserve');
    expect(Object.keys(kserve.inference.GRPCInferenceService.service)).toContain('ModelInfer');
  });

  it('refuses an unknown proto name, and a missing file', () => {
    expect(() => loadGrpcObject('nope' as never)).toThrow(/unknown proto "nope"; known: ingest, featurizer/);
    expect(() => loadProtos(['omen/nope/v1/nope.proto'])).toThrow(/nope\.proto/);
    expect(Object.keys(protoFiles)).toHaveLength(7);
  });
});
