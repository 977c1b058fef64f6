// omen.inference.v1.Inference: translation between the proto and the Predictor.
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, isOmenError } from '@omen/errors';
import { expandPacked, packedRowCount, packedValues } from './packed.ts';
import { inputsSha256 } from '@omen/audit';
import { repoIdProblem } from '@omen/ids';
import { annotateAudit, serverStream, unary, type CallContext } from '@omen/grpc';
import type { inferenceV1 } from '@omen/contracts';
import type { Scheduler } from '../domain/batcher.ts';
import type { InferenceMetrics } from '../metrics.ts';
import type { Outcome, PredictContext, Predictor } from '../predictor.ts';

export interface InferenceServiceOptions {
  predictor: Predictor;
  scheduler: Scheduler;
  metrics?: InferenceMetrics | undefined;
  /** Most requests in one PredictBatch/PredictStream. @default 1024 */
  maxBatchRequests?: number;
  /** Requests per chunk PredictStream scores together before writing their results. @default 32 */
  streamChunk?: number;
}

/** What the Predictor needs from a gRPC call: its deadline on the batcher clock, abort, trace id, and that a client is answered. */
export function predictContext(ctx: CallContext, scheduler: Scheduler): PredictContext {
  const remaining = ctx.remainingMs();
  const traceId = ctx.span.spanContext().traceId;
  return {
    signal: ctx.signal,
    ...(Number.isFinite(remaining) ? { deadlineUs: scheduler.now() + remaining * 1000 } : {}),
    ...(traceId && !/^0+$/.test(traceId) ? { traceId } : {}),
    served: true,
  };
}

/** Observes a handler's duration under `api` with the gRPC code it ended with. */
export async function timed<T>(metrics: InferenceMetrics | undefined, api: string, fn: () => Promise<T>): Promise<T> {
  if (!metrics) return fn();
  const end = metrics.requestDuration.startTimer({ api });
  try {
    const out = await fn();
    end({ code: 'OK' });
    return out;
  } catch (err) {
    end({ code: isOmenError(err) ? err.code : 'INTERNAL' });
    throw err;
  }
}

/**
 * What the audit trail keeps of a prediction call: the repository (when one), how many rows, and
 * a hash of the inputs — never the feature values themselves.
 */
function auditInputs(ctx: CallContext, requests: readonly inferenceV1.PredictRequest__Output[]): void {
  const repos = new Set(requests.map((r) => r.commit?.repo_id || r.features?.repo_id || ''));
  // Only a valid repository id is kept: it becomes the audit event's Kafka key and a ClickHouse
  // value, and a caller's 1 MiB string must not (a refused request is audited too).
  const only = repos.size === 1 ? [...repos][0]! : '';
  const repo = only !== '' && repoIdProblem(only) === null ? only : '';
  annotateAudit(ctx.metadata, {
    ...(repo ? { repo_id: repo } : {}),
    rows: String(requests.length),
    inputs_sha256: inputsSha256(requests.map((r) => r.commit ?? r.features ?? null)),
  });
}

/**
 * auditInputs for a call with packed_response rows: the rows are hashed as their names and the
 * bytes of their float64 values, not as one JSON object per row (the point of the packed form
 * is to build none).
 */
function auditPacked(
  ctx: CallContext,
  requests: readonly inferenceV1.PredictRequest__Output[],
  packed: inferenceV1.PackedRows__Output,
  values: ArrayLike<number>,
  rows: number,
): void {
  const repos = new Set([...requests.map((r) => r.commit?.repo_id || r.features?.repo_id || ''), packed.repo_id]);
  const only = repos.size === 1 ? [...repos][0]! : '';
  const repo = only !== '' && repoIdProblem(only) === null ? only : '';
  // The same hash whichever form carried the values: their float64 bytes.
  const f64 = values instanceof Float64Array ? values : Float64Array.from(values);
  const bytes = Buffer.concat([
    Buffer.from(
      JSON.stringify({
        requests: requests.map((r) => r.commit ?? r.features ?? null),
        feature_names: packed.feature_names,
      }),
    ),
    Buffer.from(f64.buffer, f64.byteOffset, f64.byteLength),
  ]);
  annotateAudit(ctx.metadata, {
    ...(repo ? { repo_id: repo } : {}),
    rows: String(requests.length + rows),
    inputs_sha256: inputsSha256(bytes),
  });
}

/** The model (and version, when one) that answered a batch. */
function auditModels(ctx: CallContext, outcomes: readonly Outcome[]): void {
  const answered = outcomes.flatMap((o) => (o.ok ? [o.response] : []));
  const names = new Set(answered.map((r) => r.model_name ?? ''));
  const versions = new Set(answered.map((r) => r.model_version ?? ''));
  if (names.size === 1)
    annotateAudit(ctx.metadata, {
      model_name: [...names][0]!,
      ...(versions.size === 1
        ? { model_version: [...versions][0]! }
        : { model_versions: [...versions].sort().join(',') }),
    });
}

function toResult(outcome: Outcome, index: number): inferenceV1.PredictResult {
  return outcome.ok
    ? { index, prediction: outcome.response }
    : { index, error: { code: outcome.error.code, message: outcome.error.message } };
}

export function inferenceHandlers(options: InferenceServiceOptions): grpc.UntypedServiceImplementation {
  const { predictor, scheduler, metrics } = options;
  const maxBatch = options.maxBatchRequests ?? 1024;
  const chunk = options.streamChunk ?? 32;
  // `requests` first, then the packed rows; error fields name where each came from.
  const expand = (req: inferenceV1.PredictBatchRequest__Output) => {
    if (req.requests.length > maxBatch)
      throw new InvalidArgumentError(
        `requests has ${req.requests.length} entries; at most ${maxBatch} per call`,
        'requests',
      );
    const packed = expandPacked(req.packed, maxBatch - req.requests.length);
    const all = packed.length === 0 ? req.requests : [...req.requests, ...packed];
    const fieldOf = (i: number) =>
      i < req.requests.length ? `requests[${i}].` : `packed.rows[${i - req.requests.length}].`;
    return { all, fieldOf };
  };
  /** PredictBatch with PackedRows.packed_response: `requests` one result each, the packed rows as columns. */
  const packedBatch = async (
    req: inferenceV1.PredictBatchRequest__Output,
    packed: inferenceV1.PackedRows__Output,
    ctx: CallContext,
  ): Promise<inferenceV1.PredictBatchResponse> => {
    if (req.requests.length > maxBatch)
      throw new InvalidArgumentError(
        `requests has ${req.requests.length} entries; at most ${maxBatch} per call`,
        'requests',
      );
    const values = packedValues(packed);
    const rows = packedRowCount(packed, maxBatch - req.requests.length, values);
    auditPacked(ctx, req.requests, packed, values, rows);
    const pctx = predictContext(ctx, scheduler);
    const [outcomes, columns] = await Promise.all([
      req.requests.length > 0 ? predictor.predictMany(req.requests, pctx) : Promise.resolve([]),
      predictor.predictPacked(
        {
          modelName: packed.model_name,
          modelVersion: packed.model_version,
          featureSet: packed.feature_set,
          featureSetVersion: packed.feature_set_version,
          names: packed.feature_names,
          values,
          rows,
          entityIds: packed.entity_ids,
          repoId: packed.repo_id,
          topK: packed.top_k,
        },
        pctx,
      ),
    ]);
    annotateAudit(ctx.metadata, { model_name: columns.model_name ?? '', model_version: columns.model_version ?? '' });
    return { results: outcomes.map(toResult), packed: columns };
  };
  const handlers: inferenceV1.InferenceHandlers = {
    Predict: unary<inferenceV1.PredictRequest__Output, inferenceV1.PredictResponse>((req, ctx) =>
      timed(metrics, 'Predict', async () => {
        auditInputs(ctx, [req]);
        const res = await predictor.predict(req, predictContext(ctx, scheduler));
        annotateAudit(ctx.metadata, { model_name: res.model_name ?? '', model_version: res.model_version ?? '' });
        return res;
      }),
    ),

    PredictBatch: unary<inferenceV1.PredictBatchRequest__Output, inferenceV1.PredictBatchResponse>((req, ctx) =>
      timed(metrics, 'PredictBatch', async () => {
        if (req.packed?.packed_response) return packedBatch(req, req.packed, ctx);
        const { all, fieldOf } = expand(req);
        auditInputs(ctx, all);
        const outcomes = await predictor.predictMany(all, predictContext(ctx, scheduler), fieldOf);
        auditModels(ctx, outcomes);
        return { results: outcomes.map(toResult) };
      }),
    ),

    PredictStream: serverStream<inferenceV1.PredictBatchRequest__Output, inferenceV1.PredictResult>((req, ctx) => {
      const { all, fieldOf } = expand(req);
      auditInputs(ctx, all);
      const pctx = predictContext(ctx, scheduler);
      // Chunks are scored concurrently (their rows share batches) and written as each completes.
      return (async function* () {
        const pending = new Map<number, Promise<{ id: number; results: inferenceV1.PredictResult[] }>>();
        for (let start = 0, id = 0; start < all.length; start += chunk, id++) {
          const slice = all.slice(start, start + chunk);
          const first = start;
          pending.set(
            id,
            predictor
              .predictMany(slice, pctx, (i) => fieldOf(first + i))
              .then((outcomes) => ({ id, results: outcomes.map((o, i) => toResult(o, first + i)) })),
          );
        }
        while (pending.size > 0) {
          const done = await Promise.race(pending.values());
          pending.delete(done.id);
          yield* done.results;
        }
      })();
    }),
  };
  return handlers;
}
