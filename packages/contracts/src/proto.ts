import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as AbrouterProtoGrpcType } from './generated/proto/abrouter.ts';
import type { ProtoGrpcType as DriftProtoGrpcType } from './generated/proto/drift.ts';
import type { ProtoGrpcType as FeaturizerProtoGrpcType } from './generated/proto/featurizer.ts';
import type { ProtoGrpcType as KserveProtoGrpcType } from './generated/proto/grpc_predict_v2.ts';
import type { ProtoGrpcType as InferenceProtoGrpcType } from './generated/proto/inference.ts';
import type { ProtoGrpcType as IngestProtoGrpcType } from './generated/proto/ingest.ts';
import type { ProtoGrpcType as TrainerProtoGrpcType } from './generated/proto/trainer.ts';
import { protoRoot } from './paths.ts';

/** Proto files by short name, relative to {@link protoRoot}. */
export const protoFiles = {
  ingest: 'omen/ingest/v1/ingest.proto',
  featurizer: 'omen/featurizer/v1/featurizer.proto',
  trainer: 'omen/trainer/v1/trainer.proto',
  inference: 'omen/inference/v1/inference.proto',
  drift: 'omen/drift/v1/drift.proto',
  abrouter: 'omen/abrouter/v1/abrouter.proto',
  kserve: 'kserve/v2/grpc_predict_v2.proto',
} as const;

export type ProtoName = keyof typeof protoFiles;

/** The typed grpc object `grpc.loadPackageDefinition` returns for each proto file. */
export interface ProtoGrpcTypes {
  ingest: IngestProtoGrpcType;
  featurizer: FeaturizerProtoGrpcType;
  trainer: TrainerProtoGrpcType;
  inference: InferenceProtoGrpcType;
  drift: DriftProtoGrpcType;
  abrouter: AbrouterProtoGrpcType;
  kserve: KserveProtoGrpcType;
}

/**
 * The one set of proto-loader options: the runtime loader and the type generator
 * (`proto-loader-gen-types`, see {@link protoGenTypesArgs}) must agree, or the generated types
 * would describe objects the loader never produces.
 * - keepCase: field names stay snake_case, as in the .proto files and the Avro contracts.
 * - longs: String — int64 values arrive as decimal strings, never as lossy numbers or Long objects.
 * - enums: String — enum values arrive as their names (e.g. "RUN_STATE_RUNNING").
 * - defaults + oneofs: absent scalars read as their zero values and each oneof has a virtual
 *   field naming the set member, so `__Output` types have no optional scalars to check.
 */
export const protoLoaderOptions: Readonly<protoLoader.Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [protoRoot],
});

/** The same choices as command-line flags for `proto-loader-gen-types`. */
export const protoGenTypesArgs: readonly string[] = Object.freeze([
  '--keepCase',
  '--longs=String',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--grpcLib=@grpc/grpc-js',
  '--includeComments',
  '--importFileExtension=.ts',
]);

/**
 * Loads proto files (names from {@link protoFiles}, or paths relative to {@link protoRoot};
 * all of them by default) into a package definition, for `grpc.loadPackageDefinition` and for
 * server reflection.
 */
export function loadProtos(files: readonly string[] = Object.keys(protoFiles)): protoLoader.PackageDefinition {
  const paths = files.map((f) => (f in protoFiles ? protoFiles[f as ProtoName] : f));
  if (paths.length === 0) throw new RangeError('loadProtos: give at least one proto file');
  return protoLoader.loadSync(paths, { ...protoLoaderOptions, includeDirs: [protoRoot] });
}

/**
 * Loads one service's proto and returns its typed grpc object, e.g.
 * `new (loadGrpcObject('inference').omen.inference.v1.Inference)(address, credentials)`.
 */
export function loadGrpcObject<K extends ProtoName>(name: K): ProtoGrpcTypes[K] {
  if (!(name in protoFiles)) {
    throw new RangeError(
      `loadGrpcObject: unknown proto "${String(name)}"; known: ${Object.keys(protoFiles).join(', ')}`,
    );
  }
  return grpc.loadPackageDefinition(loadProtos([name])) as unknown as ProtoGrpcTypes[K];
}
