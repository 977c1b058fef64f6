/**
 * omen's contracts: the Avro event schemas (schemas/*.avsc), the gRPC protos (protos/), and the
 * TypeScript types generated from both (`./scripts/omen contracts generate`).
 *
 * @example
 * import { avroType, subjectForTopic, loadGrpcObject, type Commit, type inferenceV1 } from '@omen/contracts';
 * const commit: Commit = avroType('commit').fromBuffer(payload);
 * const { omen } = loadGrpcObject('inference');
 * const client = new omen.inference.v1.Inference('127.0.0.1:50051', credentials);
 * const request: inferenceV1.PredictRequest = { commit: { repo_id, sha }, top_k: 5 };
 */
export { repoRoot, protoRoot, schemaRoot } from './paths.ts';
export { protoFiles, protoLoaderOptions, protoGenTypesArgs, loadProtos, loadGrpcObject } from './proto.ts';
export type { ProtoName, ProtoGrpcTypes } from './proto.ts';
export {
  schemaNames,
  topicSchemas,
  schemaPath,
  avroSchema,
  avroType,
  schemaForTopic,
  subjectForTopic,
} from './avro.ts';
export type { SchemaName, AvroRecords, ContractTopic } from './avro.ts';
export { generateAvroTypeScript } from './codegen/avro-ts.ts';
export type { AvroSource } from './codegen/avro-ts.ts';
export { renderContracts, writeContracts, checkContracts, readAvroSources } from './codegen/generate.ts';
export type { GeneratedFiles, GeneratedDifference } from './codegen/generate.ts';
export { previousSchemaVersions } from './evolution.ts';
export { inferenceClient } from './inference-client.ts';
export type { InferenceClient, InferenceClientOptions } from './inference-client.ts';
export type { PreviousSchema } from './evolution.ts';

// Avro event types (what avsc decodes each schema to), by their Avro simple names.
export type {
  Commit,
  FileChange,
  FileStatus,
  Hunk,
  DiffLine,
  ScmProvider,
  IngestSource,
} from './generated/avro/commit.ts';
export type { PullRequest, PullRequestState } from './generated/avro/pull_request.ts';
export type { Issue, IssueState } from './generated/avro/issue.ts';
export type { CommitFeatures, FileMetrics } from './generated/avro/commit_features.ts';
export type { CommitLabel, LabelMethod } from './generated/avro/label.ts';
export type { Prediction, FeatureContribution } from './generated/avro/prediction.ts';
export type { DriftReport, DriftTarget, DriftStatistic } from './generated/avro/drift_report.ts';
export type { ExperimentEvent, ExperimentEventType } from './generated/avro/experiment_event.ts';
export type { AuditEvent } from './generated/avro/audit_event.ts';

// Proto types, one namespace per proto package (inferenceV1.PredictRequest,
// inferenceV1.PredictResponse__Output, inferenceV1.InferenceHandlers, ...): flat names would
// collide across services and with the Avro types above.
import type * as ingestV1 from './generated/proto/omen/ingest/v1/index.ts';
import type * as featurizerV1 from './generated/proto/omen/featurizer/v1/index.ts';
import type * as trainerV1 from './generated/proto/omen/trainer/v1/index.ts';
import type * as inferenceV1 from './generated/proto/omen/inference/v1/index.ts';
import type * as driftV1 from './generated/proto/omen/drift/v1/index.ts';
import type * as abrouterV1 from './generated/proto/omen/abrouter/v1/index.ts';
import type * as kserveV2 from './generated/proto/inference/index.ts';
export type { ingestV1, featurizerV1, trainerV1, inferenceV1, driftV1, abrouterV1, kserveV2 };
export type { Timestamp, Timestamp__Output } from './generated/proto/google/protobuf/Timestamp.ts';
