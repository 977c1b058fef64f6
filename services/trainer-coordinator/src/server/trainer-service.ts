// omen.trainer.v1.Trainer: translation between the proto and the RunManager / ModelOps.
// StartRun and CancelRun need the operator role, Promote, Rollback and ImportModel the admin role
// (@omen/auth's METHOD_ROLES); the rest only read, and are open unless GRPC_REQUIRE_AUTH puts every
// RPC behind a credential. GetArtifact and GetAliases are what a remote ModelSource needs (inference
// replicas that do not share the registry directory).
import type * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '@omen/errors';
import { annotateAudit, serverStream, unary } from '@omen/grpc';
import { checkId, checkName } from '@omen/ids';
import type { trainerV1 } from '@omen/contracts';
import type { ModelVersionRecord } from '@omen/model-registry';
import type { Counter } from '@omen/telemetry';
import type { ModelOps, ModelSummary, ModelView } from '../models.ts';
import { RUN_TRIGGERS, type RunRecord, type RunTrigger } from '../run-record.ts';
import type { RunManager } from '../runs.ts';

export interface TrainerServiceDefaults {
  model: string;
  featureSet: string;
  algorithm: string;
}

export interface TrainerServiceOptions {
  /** Most artifact bytes per GetArtifact message. @default 1 MiB */
  chunkBytes?: number;
  /** Artifact bytes GetArtifact handed to gRPC, by model. */
  artifactBytesSent?: Counter<'model'>;
}

export const DEFAULT_ARTIFACT_CHUNK_BYTES = 1024 * 1024;

type Ts = { seconds: string; nanos: number };

function timestamp(iso: string | undefined): Ts | null {
  if (iso === undefined) return null;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  return { seconds: String(Math.floor(ms / 1000)), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
}

function fromTimestamp(
  ts: { seconds: string | number; nanos: number } | null | undefined,
  field: string,
): Date | undefined {
  if (!ts) return undefined;
  const ms = Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`${field} is not a valid timestamp`, field);
  return new Date(ms);
}

const stringMap = (o: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));

export function runMessage(r: RunRecord): trainerV1.Run {
  return {
    run_id: r.id,
    model_name: r.model,
    state: r.state,
    feature_set: r.featureSet.name,
    feature_set_version: r.featureSet.version,
    cutoff: timestamp(r.cutoff),
    algorithm: r.algorithm,
    params: r.params,
    created_at: timestamp(r.createdAt),
    started_at: timestamp(r.startedAt),
    finished_at: timestamp(r.finishedAt),
    metrics: r.metrics,
    gate: r.gate
      ? {
          passed: r.gate.passed,
          checks: r.gate.checks.map((c) => ({
            name: c.name,
            metric: c.metric,
            value: c.value,
            threshold: c.threshold,
            passed: c.passed,
          })),
        }
      : null,
    model_version: r.modelVersion ?? '',
    error: r.error ?? '',
    train_rows: String(r.trainRows),
    test_rows: String(r.testRows),
    reason: r.reason,
    data_checks: r.dataChecks,
    label_rate: r.labelRate ?? 0,
    labels_excluded: String(r.labelsExcluded),
    gap_rows: String(r.gapRows),
    data_from: timestamp(r.dataFrom),
    data_to: timestamp(r.dataTo),
    trigger: r.trigger,
    validation_rows: String(r.validationRows),
    test_label_rate: r.testLabelRate ?? 0,
    row_source: r.rowSource,
    selected_candidate: r.selection?.winner ?? '',
    // JSON has no NaN: a candidate the slice could not score was stored as null; proto says 0.
    candidate_scores: (r.selection?.candidates ?? []).map((c) => ({
      name: c.name,
      validation_auc: c.validationAuc ?? 0,
      validation_pr_auc: c.validationPrAuc ?? 0,
    })),
  };
}

export function versionMessage(
  view: Pick<ModelView, 'record' | 'aliases' | 'stage' | 'promotedAt'>,
): trainerV1.ModelVersion {
  const r: ModelVersionRecord = view.record;
  const l = r.lineage;
  return {
    model_name: r.name,
    version: r.version,
    stage: view.stage,
    format: r.format ?? 'onnx',
    artifact_sha256: r.sha256,
    artifact_uri: r.artifactUri ?? '',
    feature_set: r.featureSet.name,
    feature_set_version: r.featureSet.version,
    feature_names: r.featureNames ?? [],
    metrics: r.metrics ?? {},
    run_id: l?.runId ?? '',
    created_at: timestamp(r.createdAt),
    promoted_at: timestamp(view.promotedAt),
    metadata: r.labels ?? {},
    aliases: view.aliases,
    code_version: l?.codeVersion ?? '',
    algorithm: l?.algorithm ?? '',
    params: stringMap(l?.params ?? {}),
    data_from: timestamp(l?.dataRange?.from),
    data_to: timestamp(l?.dataRange?.to),
    train_rows: String(l?.rows?.train ?? 0),
    test_rows: String(l?.rows?.test ?? 0),
    label_rate: l?.labelRate ?? 0,
    gate: r.gate
      ? {
          passed: r.gate.passed,
          checks: r.gate.checks.map((c) => ({
            name: c.name,
            metric: c.metric,
            value: c.value ?? Number.NaN,
            threshold: c.threshold ?? Number.NaN,
            passed: c.passed,
          })),
        }
      : null,
    reference_stats_json: r.referenceStats ? JSON.stringify(r.referenceStats) : '',
    evaluation_json: r.evaluation ? JSON.stringify(r.evaluation) : '',
    threshold: r.threshold ?? 0,
    size_bytes: String(r.size ?? 0),
  };
}

function summaryMessage(s: ModelSummary): trainerV1.ModelSummary {
  return {
    model_name: s.name,
    production_version: s.champion ?? '',
    challenger_version: s.challenger ?? '',
    latest_version: s.latest ?? '',
    version_count: s.versionCount,
    updated_at: timestamp(s.updatedAt),
  };
}

function trigger(raw: string): RunTrigger {
  const t = (raw || 'manual') as RunTrigger;
  if (!RUN_TRIGGERS.includes(t))
    throw new InvalidArgumentError(`trigger must be one of ${RUN_TRIGGERS.join(', ')}; got "${raw}"`, 'trigger');
  return t;
}

/** `version`, else `alias`, else champion: GetModel's and GetArtifact's selection. */
function selector(req: { version: string; alias: string }): { version: string } | { alias: string } {
  return req.version ? { version: req.version } : { alias: req.alias || 'champion' };
}

export function trainerHandlers(
  runs: RunManager,
  models: ModelOps,
  defaults: TrainerServiceDefaults,
  options: TrainerServiceOptions = {},
): grpc.UntypedServiceImplementation {
  const chunkBytes = options.chunkBytes ?? DEFAULT_ARTIFACT_CHUNK_BYTES;
  const handlers: trainerV1.TrainerHandlers = {
    StartRun: unary<trainerV1.StartRunRequest__Output, trainerV1.Run>(async (req, ctx) => {
      annotateAudit(ctx.metadata, { model_name: req.model_name || defaults.model });
      const cutoff = fromTimestamp(req.cutoff, 'cutoff');
      const from = fromTimestamp(req.from, 'from');
      const t = trigger(req.trigger);
      const run = await runs.start({
        model: req.model_name || defaults.model,
        featureSet: req.feature_set || defaults.featureSet,
        featureSetVersion: req.feature_set_version,
        repoIds: req.repo_ids,
        ...(cutoff ? { cutoff } : {}),
        ...(from ? { from } : {}),
        algorithm: req.algorithm || defaults.algorithm,
        params: req.params,
        // A person asking decides; an automatic trigger (proto3 cannot say "unset") gets TRAINER_AUTO_PROMOTE.
        ...(t === 'manual' ? { autoPromote: req.auto_promote } : {}),
        reason: req.reason,
        trigger: t,
        rowSource: req.row_source,
        testFraction: req.test_fraction,
        gapSeconds: Number(req.gap_seconds),
      });
      annotateAudit(ctx.metadata, { run_id: run.id, trigger: run.trigger });
      return runMessage(run);
    }),

    GetRun: unary<trainerV1.GetRunRequest__Output, trainerV1.Run>((req) =>
      runMessage(runs.get(checkId(req.run_id, 'run_id'))),
    ),

    ListRuns: unary<trainerV1.ListRunsRequest__Output, trainerV1.ListRunsResponse>((req) => {
      if (req.limit < 0) throw new InvalidArgumentError(`limit must be >= 0; got ${req.limit}`, 'limit');
      return { runs: runs.list(req.model_name || undefined, req.limit || 50).map(runMessage) };
    }),

    CancelRun: unary<trainerV1.CancelRunRequest__Output, trainerV1.Run>(async (req, ctx) => {
      annotateAudit(ctx.metadata, { run_id: req.run_id });
      const run = await runs.cancel(checkId(req.run_id, 'run_id'));
      annotateAudit(ctx.metadata, { model_name: run.model });
      return runMessage(run);
    }),

    WatchRun: serverStream<trainerV1.WatchRunRequest__Output, trainerV1.RunEvent>((req, ctx) => {
      const id = checkId(req.run_id, 'run_id');
      runs.get(id); // NOT_FOUND before the stream starts
      return (async function* () {
        for await (const { event, run } of runs.watch(id, ctx.signal)) {
          yield {
            run_id: id,
            state: event.state,
            message: event.message,
            progress: event.progress,
            time: timestamp(event.time),
            run: runMessage(run),
          };
        }
      })();
    }),

    ListModels: unary<trainerV1.ListModelsRequest__Output, trainerV1.ListModelsResponse>(async (req) => ({
      models: (await models.list(req.name_prefix)).map(summaryMessage),
    })),

    // Without the reference statistics and evaluation JSON: a list is for choosing, GetModel for reading.
    ListVersions: unary<trainerV1.ListVersionsRequest__Output, trainerV1.ListVersionsResponse>(async (req) => ({
      versions: (await models.versions(checkName(req.model_name, 'model_name'))).map((v) => ({
        ...versionMessage(v),
        reference_stats_json: '',
        evaluation_json: '',
      })),
    })),

    GetModel: unary<trainerV1.GetModelRequest__Output, trainerV1.ModelVersion>(async (req) => {
      const model = checkName(req.model_name, 'model_name');
      return versionMessage(await models.describe(model, selector(req)));
    }),

    // The header, then the bytes as views into the one buffer read from the store. serverStream
    // pulls the next chunk only after gRPC took the last one (waiting for 'drain' when its buffer
    // is full), so a slow replica holds no more than that buffer here, and a deadline or cancel
    // stops the generator between chunks.
    GetArtifact: serverStream<trainerV1.GetArtifactRequest__Output, trainerV1.ArtifactChunk>((req) => {
      const model = checkName(req.model_name, 'model_name');
      const chosen = selector(req);
      return (async function* () {
        const { view, bytes } = await models.artifact(model, chosen);
        const { record } = view;
        yield {
          header: {
            version: { ...versionMessage(view), reference_stats_json: '', evaluation_json: '' },
            record_json: JSON.stringify(record),
            sha256: record.sha256,
            size_bytes: String(bytes.length),
            chunk_bytes: chunkBytes,
          },
        };
        for (let at = 0; at < bytes.length; at += chunkBytes) {
          const n = Math.min(chunkBytes, bytes.length - at);
          yield { data: Buffer.from(bytes.buffer, bytes.byteOffset + at, n) };
          options.artifactBytesSent?.inc({ model: record.name }, n);
        }
      })();
    }),

    GetAliases: unary<trainerV1.GetAliasesRequest__Output, trainerV1.GetAliasesResponse>(async (req) => ({
      aliases: await models.registry.aliases(checkName(req.model_name, 'model_name')),
    })),

    Promote: unary<trainerV1.PromoteRequest__Output, trainerV1.PromoteResponse>(async (req, ctx) => {
      annotateAudit(ctx.metadata, {
        model_name: req.model_name,
        model_version: req.version,
        alias: req.alias || 'champion',
        ...(req.force ? { force: 'true' } : {}),
        ...(req.reason ? { reason: req.reason } : {}),
      });
      const r = await models.promote({
        model: checkName(req.model_name, 'model_name'),
        version: checkName(req.version, 'version'),
        alias: req.alias,
        force: req.force,
        reason: req.reason,
        actor: `grpc:${ctx.peer}`,
      });
      annotateAudit(ctx.metadata, { changed: String(r.changed), previous_version: r.previousVersion ?? '' });
      return {
        promoted: versionMessage(await models.describe(r.record.name, { version: r.record.version })),
        previous_version: r.previousVersion ?? '',
        changed: r.changed,
        alias: r.alias,
      };
    }),

    Rollback: unary<trainerV1.RollbackRequest__Output, trainerV1.RollbackResponse>(async (req, ctx) => {
      annotateAudit(ctx.metadata, {
        model_name: req.model_name,
        alias: req.alias || 'champion',
        ...(req.reason ? { reason: req.reason } : {}),
      });
      const r = await models.rollback({
        model: checkName(req.model_name, 'model_name'),
        toVersion: req.to_version,
        alias: req.alias,
        reason: req.reason,
        actor: `grpc:${ctx.peer}`,
      });
      annotateAudit(ctx.metadata, {
        model_version: r.record.version,
        changed: String(r.changed),
        rolled_back_version: r.rolledBackVersion ?? '',
      });
      return {
        current: versionMessage(await models.describe(r.record.name, { version: r.record.version })),
        rolled_back_version: r.rolledBackVersion ?? '',
        changed: r.changed,
      };
    }),

    ImportModel: unary<trainerV1.ImportModelRequest__Output, trainerV1.ModelVersion>(async (req, ctx) => {
      annotateAudit(ctx.metadata, {
        model_name: req.model_name,
        by: req.artifact === 'artifact_path' ? 'path' : 'bytes',
      });
      const record = await models.import({
        model: checkName(req.model_name, 'model_name'),
        version: req.version,
        ...(req.artifact === 'onnx_model' && req.onnx_model ? { bytes: new Uint8Array(req.onnx_model) } : {}),
        ...(req.artifact === 'artifact_path' && req.artifact_path ? { artifactPath: req.artifact_path } : {}),
        featureSet: req.feature_set,
        featureSetVersion: req.feature_set_version,
        featureNames: req.feature_names,
        metrics: req.metrics,
        metadata: req.metadata,
        sha256: req.sha256,
      });
      annotateAudit(ctx.metadata, { model_version: record.version, sha256: record.sha256 });
      return versionMessage(await models.describe(record.name, { version: record.version }));
    }),
  };
  return handlers;
}
