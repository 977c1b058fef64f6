/**
 * The model registry: versions with lineage, aliases (`champion`, `challenger`) with history,
 * artifacts content-addressed by sha256 in a local directory or an S3-compatible store, and a
 * ClickHouse mirror for analysts. The trainer-coordinator is its one writer; inference, the
 * drift detector and the CLI read it through `ModelSource`.
 *
 * ```ts
 * import { LocalModelRegistry } from '@omen/model-registry';
 * const registry = new LocalModelRegistry('.omen/registry');
 * const { record } = await registry.register({ name: 'jit-defect', bytes, featureSet: { name: 'jit_change_metrics', version: 1 } });
 * await registry.setAlias('jit-defect', 'champion', record.version, { action: 'promote' });
 * const model = await registry.resolve('jit-defect', { alias: 'champion' }); // bytes verified
 * ```
 */
export type {
  FeatureSetRef,
  TimeRange,
  Lineage,
  HistogramStats,
  DistributionStats,
  ReferenceStatistics,
  GateRecord,
  ModelVersionRecord,
  ModelArtifact,
  ModelSelector,
  ModelSource,
  AliasAction,
  AliasEvent,
  AliasChange,
} from './types.ts';
export {
  sha256Hex,
  checkSha256,
  verifyArtifact,
  writeAtomic,
  ArtifactIntegrityError,
  LocalArtifactStore,
  isSha256Hex,
} from './artifact-store.ts';
export type { ArtifactStore } from './artifact-store.ts';
export { S3ArtifactStore } from './s3-store.ts';
export type { S3StoreOptions } from './s3-store.ts';
export { LocalModelRegistry, checkName, compareVersions } from './registry.ts';
export type { RegistryListener, RegistryOptions, RegisterInput, PublishOptions, SetAliasOptions } from './registry.ts';
export { ClickHouseRegistryMirror, MIRROR_TABLES, versionRow, aliasEventRow } from './clickhouse-mirror.ts';
export type { MirrorTables } from './clickhouse-mirror.ts';
export { MODEL_EVENT_SUBJECTS, modelEventPayload, parseModelEvent } from './events.ts';
export type { ModelEvent, ModelEventPayload } from './events.ts';
export { parseDriftAlert, parseDriftAlertAnswer } from './drift-alert.ts';
export type { DriftAlert, DriftAlertAnswer } from './drift-alert.ts';
export { TrainerClient, trainerError } from './trainer-client.ts';
export type { TrainerClientOptions, TrainerMethod } from './trainer-client.ts';
