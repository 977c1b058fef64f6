// One path for every omen.inference.v1 prediction (Predict, PredictBatch, PredictStream): resolve
// the model, get the feature row (inline, or from the online store in one round trip for the
// whole call, with the prediction cache read alongside), queue the rows in the model's batcher,
// then attach contributions and the quality scores. Requests fail one by one: a bad entry in a
// batch fails only itself.
import { performance } from 'node:perf_hooks';
import {
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  OmenError,
  UnavailableError,
  isOmenError,
  quote,
} from '@omen/errors';
import { featureSetId } from '@omen/features';
import { checkRepoId, checkSha } from '@omen/ids';
import type { Logger } from '@omen/telemetry';
import type { inferenceV1 } from '@omen/contracts';
import { rankContributions, type Contribution } from './domain/contributions.ts';
import { checkInlineFeatureSet, inlineRow, storedRow } from './domain/inputs.ts';
import {
  NOT_SCORES,
  modelScores,
  type FeatureFallback,
  type Outcome,
  type PredictContext,
  type PredictRequest,
  type PredictResponse,
  type RunOutput,
  type ServedPrediction,
} from './domain/prediction.ts';
import { packRows, packedColumns, rowValues, topContributions } from './domain/packed-rows.ts';
import { deriveScores, type QualityScores } from './domain/scores.ts';
import type { ModelManager, ServedModel } from './adapters/model-manager.ts';
import type { RedisStore, StoredFeatureSet } from './adapters/redis-store.ts';
import type { InferenceMetrics } from './metrics.ts';

export type {
  FeatureFallback,
  Outcome,
  PredictContext,
  PredictResponse,
  ServedPrediction,
} from './domain/prediction.ts';
export { modelScores } from './domain/prediction.ts';

/** Rows of one feature set sent as one block (PredictBatchRequest.packed), shape already checked. */
export interface PackedInput {
  modelName: string;
  modelVersion: string;
  featureSet: string;
  featureSetVersion: number;
  names: readonly string[];
  /** rows × names.length values, row after row. */
  values: ArrayLike<number>;
  rows: number;
  /** Empty, or one per row. */
  entityIds: readonly string[];
  repoId: string;
  topK: number;
}

export interface PredictorOptions {
  models: ModelManager;
  /** The online store and cache; undefined = commit references are refused (UNAVAILABLE). */
  store: RedisStore | undefined;
  fallback?: FeatureFallback | undefined;
  logger: Logger;
  /** Model used when a request names none. @default 'jit-defect' */
  defaultModel?: string;
  /** Largest top_k accepted. @default 100 */
  maxTopK?: number;
  metrics?: InferenceMetrics | undefined;
}

/**
 * Quality inputs a request brings besides the model's features (POST /v1/analyze with a diff:
 * the security and duplicate findings of its added lines), for the rules of domain/scores.ts.
 */
export interface QualityInputs {
  code?: Record<string, number> | undefined;
  files?: { path: string; values: Record<string, number> }[] | undefined;
}

const CODE_SET = 'code_metrics@v1';
const CHANGE_SET = 'jit_change_metrics@v1';

interface Prepared {
  index: number;
  request: PredictRequest;
  served: ServedModel;
  field: string;
  repoId: string;
  entityId: string;
  row?: Float32Array;
  values?: Readonly<Record<string, number>>;
  commit?: { repoId: string; sha: string; cacheKey: string | undefined };
  quality: {
    change?: Record<string, number> | undefined;
    code?: Record<string, number> | undefined;
    files?: StoredFeatureSet['file_metrics'] | undefined;
  };
  fromCache?: CachedPrediction;
}

/** What the cache holds for one (commit, model version). */
interface CachedPrediction {
  v: 1;
  p: number;
  scores: Record<string, number>;
  contributions: Contribution[];
  quality: QualityScores;
}

function toOmen(err: unknown): OmenError {
  if (isOmenError(err)) return err;
  return new InternalError('internal error', { cause: err });
}

export class Predictor {
  readonly #o: Required<Omit<PredictorOptions, 'fallback' | 'store' | 'metrics'>> &
    Pick<PredictorOptions, 'fallback' | 'store' | 'metrics'>;
  /** Sinks for computed (not cached) predictions: the predictions log. */
  readonly #listeners: ((p: ServedPrediction[], ctx: PredictContext) => void)[] = [];

  constructor(options: PredictorOptions) {
    this.#o = { defaultModel: 'jit-defect', maxTopK: 100, ...options };
  }

  get defaultModel(): string {
    return this.#o.defaultModel;
  }

  /** `fn` runs in the request's turn, before it is answered: it must only hand the predictions on. */
  onPredictions(fn: (p: ServedPrediction[], ctx: PredictContext) => void): void {
    this.#listeners.push(fn);
  }

  /** One request; throws its error. */
  async predict(request: PredictRequest, ctx: PredictContext = {}, quality?: QualityInputs): Promise<PredictResponse> {
    const [outcome] = await this.predictMany([request], ctx, () => '', quality ? [quality] : undefined);
    if (!outcome) throw new InternalError('no outcome');
    if (!outcome.ok) throw outcome.error;
    return outcome.response;
  }

  /**
   * Many requests, one outcome each, in order. `fieldOf(i)` prefixes error field paths
   * (`requests[3].`) so a caller knows which entry was wrong.
   */
  async predictMany(
    requests: readonly PredictRequest[],
    ctx: PredictContext,
    fieldOf: (i: number) => string = (i) => `requests[${i}].`,
    quality?: readonly (QualityInputs | undefined)[],
  ): Promise<Outcome[]> {
    const started = performance.now();
    const outcomes: (Outcome | undefined)[] = new Array<Outcome | undefined>(requests.length);
    const fail = (i: number, err: unknown) => {
      outcomes[i] = { ok: false, error: toOmen(err) };
    };
    const prepared: Prepared[] = [];
    requests.forEach((request, index) => {
      try {
        prepared.push(this.#prepare(request, index, fieldOf(index), quality?.[index]));
      } catch (err) {
        fail(index, err);
      }
    });
    // A promotion during this call must not unload a version it resolved.
    const releases = [...new Set(prepared.map((p) => p.served))].map((s) => s.lease());
    try {
      return await this.#run(prepared, outcomes, started, ctx, fail);
    } finally {
      for (const release of releases) release();
    }
  }

  async #run(
    prepared: Prepared[],
    outcomes: (Outcome | undefined)[],
    started: number,
    ctx: PredictContext,
    fail: (i: number, err: unknown) => void,
  ): Promise<Outcome[]> {
    await this.#fetchStored(
      prepared.filter((p) => p.commit),
      ctx,
      fail,
    );
    const live = prepared.filter((p) => outcomes[p.index] === undefined);

    // Cached answers need no compute.
    for (const p of live)
      if (p.fromCache) outcomes[p.index] = { ok: true, response: this.#fromCache(p, p.fromCache, started, ctx) };

    // Everything else: one batcher submission per model for the whole call.
    const byModel = new Map<ServedModel, Prepared[]>();
    for (const p of live) {
      if (p.fromCache || !p.row) continue;
      const list = byModel.get(p.served) ?? [];
      list.push(p);
      byModel.set(p.served, list);
    }
    const computed: ServedPrediction[] = [];
    const cacheWrites: { key: string; value: string }[] = [];
    await Promise.all(
      [...byModel].map(async ([served, list]) => {
        const width = served.model.width;
        const x = new Float32Array(list.length * width);
        list.forEach((p, k) => x.set(p.row!, k * width));
        let out: RunOutput;
        try {
          out = await served.infer(
            { x, rows: list.length },
            { signal: ctx.signal, ...(ctx.deadlineUs !== undefined ? { deadlineUs: ctx.deadlineUs } : {}) },
          );
        } catch (err) {
          for (const p of list) fail(p.index, err);
          return;
        }
        list.forEach((p, k) => {
          try {
            const result = this.#respond(p, out, k, x, started, ctx);
            outcomes[p.index] = { ok: true, response: result.response };
            computed.push(result.served);
            if (p.commit?.cacheKey && result.cache)
              cacheWrites.push({ key: p.commit.cacheKey, value: JSON.stringify(result.cache) });
          } catch (err) {
            fail(p.index, err);
          }
        });
      }),
    );

    if (cacheWrites.length > 0 && this.#o.store) {
      this.#o.store
        .cachePut(cacheWrites)
        .catch((err: unknown) =>
          this.#o.logger.warn({ err, entries: cacheWrites.length }, 'prediction cache write failed'),
        );
    }
    if (computed.length > 0) this.#notify(computed, ctx);
    return outcomes.map((o, i) => o ?? { ok: false, error: new InternalError(`request ${i} produced no outcome`) });
  }

  /**
   * Packed rows answered as columns (PredictBatchResponse.packed): the matrix is built column
   * by column from the request, scored in one batcher submission, and answered as columns —
   * quality fields included (scores per row, findings as kind and score); only a row that
   * failed gets a PredictResult of its own.
   * What every row shares — the model, the feature names, top_k — is checked once: a wrong one
   * fails the call. Computed rows go to the prediction listeners like any others.
   */
  async predictPacked(input: PackedInput, ctx: PredictContext): Promise<inferenceV1.PackedPredictions> {
    const started = performance.now();
    const served = this.#o.models.get(input.modelName || this.#o.defaultModel, input.modelVersion);
    if (!Number.isInteger(input.topK) || input.topK < 0 || input.topK > this.#o.maxTopK) {
      throw new InvalidArgumentError(
        `packed.top_k must be in 0..${this.#o.maxTopK}; got ${input.topK}`,
        'packed.top_k',
      );
    }
    const model = served.model;
    const set = model.featureSet;
    checkInlineFeatureSet(set, input.featureSet, input.featureSetVersion, 'packed');
    const columns = packedColumns(set, input.names, 'packed.feature_names');
    const width = model.width;
    const { rows, values, names } = input;
    const x = new Float32Array(rows * width);
    /** Model row of each request row; -1 for a row that failed validation. */
    const at = packRows(set, columns, values, rows, x);
    const details: inferenceV1.PredictResult[] = [];
    let k = 0;
    for (let r = 0; r < rows; r++) {
      if (at[r]! >= 0) {
        k++;
        continue;
      }
      try {
        inlineRow(set, rowValues(names, values, r), `packed.rows[${r}].features.values`);
        throw new InternalError(`packed row ${r} failed the fast check but not inlineRow`);
      } catch (err) {
        const e = toOmen(err);
        details.push({ index: r, error: { code: e.code, message: e.message } });
      }
    }
    const release = served.lease();
    try {
      const out =
        k === 0
          ? undefined
          : await served.infer(
              { x: k === rows ? x : x.slice(0, k * width), rows: k },
              { signal: ctx.signal, ...(ctx.deadlineUs !== undefined ? { deadlineUs: ctx.deadlineUs } : {}) },
            );
      const scoreTensors = out
        ? out.tensors.filter(
            (t) =>
              !NOT_SCORES.has(t.name) &&
              (t.type === 'float32' || t.type === 'float64') &&
              t.dims.slice(1).reduce((p, d) => p * d, 1) === 1,
          )
        : [];
      const scoreNames = scoreTensors.map((t) => t.name);
      const topK = Math.min(input.topK, width);
      const probability = new Array<number>(rows);
      const scores = new Array<number>(rows * scoreNames.length);
      const contributionFeatures: number[] = [];
      const contributionValues: number[] = [];
      const listening = this.#listeners.length > 0;
      const computed: ServedPrediction[] = [];
      // Quality fields as columns; the two scores are kept only if some row has one.
      const complexity = new Float64Array(rows).fill(NaN);
      const debt = new Float64Array(rows).fill(NaN);
      let anyComplexity = false;
      let anyDebt = false;
      const findingKinds = new Map<string, number>();
      const findingRows: number[] = [];
      const findingKind: number[] = [];
      const findingScores: number[] = [];
      // Kind ids by family and the rule's own kind, so a row's finding builds no string.
      const kindIds = { refactoring: new Map<string, number>(), security: new Map<string, number>() };
      const finding = (r: number, family: 'refactoring' | 'security', kind: string, score: number) => {
        let id = kindIds[family].get(kind);
        if (id === undefined) {
          id = findingKinds.size;
          findingKinds.set(`${family}:${kind}`, id);
          kindIds[family].set(kind, id);
        }
        findingRows.push(r);
        findingKind.push(id);
        findingScores.push(score);
      };
      // Quality rules read the row as the values map a per-row request carries; one object,
      // refilled per row, instead of one per row.
      const view: Record<string, number> = {};
      const modelScoresView: Record<string, number> = {};
      const isChange = set.name === 'jit_change_metrics';
      const isCode = set.name === 'code_metrics';
      for (let r = 0; r < rows; r++) {
        const m = at[r]!;
        if (m < 0 || !out) {
          probability[r] = NaN;
          scores.fill(NaN, r * scoreNames.length, (r + 1) * scoreNames.length);
          for (let j = 0; j < topK; j++) {
            contributionFeatures.push(-1);
            contributionValues.push(NaN);
          }
          continue;
        }
        const prob = out.p1[m]!;
        probability[r] = prob;
        modelScoresView['bug_probability'] = prob;
        for (let s = 0; s < scoreTensors.length; s++) {
          const v = Number(scoreTensors[s]!.data[m]);
          scores[r * scoreNames.length + s] = v;
          modelScoresView[scoreNames[s]!] = v;
        }
        const c = topK > 0 ? model.explain(x, m * width) : undefined;
        if (topK > 0) {
          if (c) {
            const before = contributionFeatures.length;
            topContributions(c, model.featureNames, topK, contributionFeatures, contributionValues);
            // Model feature index → the request's column, as the client named it.
            for (let i = before; i < contributionFeatures.length; i++)
              contributionFeatures[i] = columns[contributionFeatures[i]!]!;
          } else {
            for (let j = 0; j < topK; j++) {
              contributionFeatures.push(-1);
              contributionValues.push(NaN);
            }
          }
        }
        for (let j = 0; j < width; j++) view[model.featureNames[j]!] = Number(values[r * names.length + columns[j]!]);
        // The text of each finding is left out of the columns; the prediction log keeps it.
        const quality = deriveScores(
          { change: isChange ? view : undefined, code: isCode ? view : undefined, modelScores: modelScoresView },
          { messages: listening },
        );
        if (quality.complexity_score !== undefined) {
          complexity[r] = quality.complexity_score;
          anyComplexity = true;
        }
        if (quality.technical_debt_score !== undefined) {
          debt[r] = quality.technical_debt_score;
          anyDebt = true;
        }
        for (const s of quality.refactoring_suggestions) finding(r, 'refactoring', s.kind, s.priority);
        for (const s of quality.security_risks) finding(r, 'security', s.category, s.score);
        if (!listening) continue;
        const rowValuesMap = rowValues(names, values, r);
        const p: Prepared = {
          index: r,
          request: {
            model_name: input.modelName,
            model_version: input.modelVersion,
            input: 'features',
            top_k: input.topK,
            request_id: '',
          },
          served,
          field: `packed.rows[${r}].`,
          repoId: input.repoId,
          entityId: input.entityIds[r] ?? '',
          row: x.subarray(m * width, (m + 1) * width),
          values: rowValuesMap,
          quality: {},
        };
        const ranked = c ? rankContributions(model.featureNames, x, m * width, c) : [];
        const response = this.#response(
          p,
          prob,
          {
            bug_probability: prob,
            ...Object.fromEntries(scoreNames.map((n, s) => [n, scores[r * scoreNames.length + s]!])),
          },
          ranked,
          quality,
          started,
          ctx,
        );
        computed.push({
          model: served,
          input: 'features',
          repoId: p.repoId,
          entityId: p.entityId,
          response,
          contributions: ranked,
          row: p.row!,
          values: rowValuesMap,
        });
      }
      if (computed.length > 0) this.#notify(computed, ctx);
      details.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      return {
        model_name: model.name,
        model_version: model.version,
        feature_set: set.name,
        feature_set_version: set.version,
        rows,
        bug_probability: probability,
        score_names: scoreNames,
        scores,
        top_k: topK,
        contribution_features: contributionFeatures,
        contributions: contributionValues,
        details,
        latency_ms: performance.now() - started,
        trace_id: ctx.traceId ?? '',
        complexity_score: anyComplexity ? Array.from(complexity) : [],
        technical_debt_score: anyDebt ? Array.from(debt) : [],
        finding_kinds: [...findingKinds.keys()],
        finding_rows: findingRows,
        finding_kind: findingKind,
        finding_scores: findingScores,
      };
    } finally {
      release();
    }
  }

  #notify(computed: ServedPrediction[], ctx: PredictContext): void {
    for (const fn of this.#listeners) {
      try {
        fn(computed, ctx);
      } catch (err) {
        this.#o.logger.warn({ err }, 'prediction listener failed');
      }
    }
  }

  #prepare(request: PredictRequest, index: number, field: string, extra: QualityInputs | undefined): Prepared {
    const served = this.#o.models.get(request.model_name || this.#o.defaultModel, request.model_version);
    if (!Number.isInteger(request.top_k) || request.top_k < 0 || request.top_k > this.#o.maxTopK) {
      throw new InvalidArgumentError(
        `${field}top_k must be in 0..${this.#o.maxTopK}; got ${request.top_k}`,
        `${field}top_k`,
      );
    }
    const set = served.model.featureSet;
    if (request.input === 'features' && request.features) {
      const f = request.features;
      checkInlineFeatureSet(set, f.feature_set, f.feature_set_version, `${field}features`);
      const row = inlineRow(set, f.values, `${field}features.values`);
      return {
        index,
        request,
        served,
        field,
        repoId: f.repo_id,
        entityId: f.entity_id,
        row,
        values: f.values,
        quality: {
          change: set.name === 'jit_change_metrics' ? f.values : undefined,
          code: set.name === 'code_metrics' ? f.values : extra?.code,
          files: extra?.files,
        },
      };
    }
    if (request.input === 'commit' && request.commit) {
      const { repo_id: repoId, sha } = request.commit;
      checkRepoId(repoId, `${field}commit.repo_id`);
      // The online store is keyed by the featurizer's full lower-case shas: nothing else can be found there.
      checkSha(sha, `${field}commit.sha`);
      const store = this.#o.store;
      const cacheKey = store?.cacheEnabled ? store.cacheKey(repoId, sha, served.name, served.version) : undefined;
      return { index, request, served, field, repoId, entityId: sha, commit: { repoId, sha, cacheKey }, quality: {} };
    }
    throw new InvalidArgumentError(
      `${field}input: set either commit (features from the online store) or features (inline)`,
      `${field}input`,
    );
  }

  /** Reads features (and cached predictions) for commit requests; fills row/quality/fromCache or fails them. */
  async #fetchStored(list: Prepared[], ctx: PredictContext, fail: (i: number, err: unknown) => void): Promise<void> {
    if (list.length === 0) return;
    const store = this.#o.store;
    if (!store) {
      for (const p of list)
        fail(
          p.index,
          new UnavailableError('this inference instance has no online store (REDIS_URL); send features inline'),
        );
      return;
    }
    let records;
    try {
      records = await store.lookup(
        list.map((p) => ({ repoId: p.commit!.repoId, sha: p.commit!.sha, cacheKey: p.commit!.cacheKey })),
      );
    } catch (err) {
      if (store.cacheEnabled) this.#o.metrics?.cacheLookup('error', list.length);
      for (const p of list) fail(p.index, err);
      return;
    }
    await Promise.all(
      list.map(async (p, k) => {
        const record = records[k]!;
        try {
          if (record.cached !== undefined) {
            const cached = JSON.parse(record.cached) as CachedPrediction;
            if (cached.v === 1) {
              p.fromCache = cached;
              return;
            }
          }
          const set = p.served.model.featureSet;
          const field = featureSetId(set);
          let stored = record.sets.get(field);
          if (!stored && this.#o.fallback)
            stored = await this.#o.fallback.fetch(p.commit!.repoId, p.commit!.sha, set, ctx.signal);
          if (!stored) {
            // The store's key layout stays in the log, not in the answer (issue 11).
            throw new NotFoundError(
              `no ${field} features for commit ${quote(p.commit!.sha)} of ${quote(p.commit!.repoId)}`,
              `features/${p.commit!.repoId}/${p.commit!.sha}`,
              { key: record.key },
            );
          }
          p.row = storedRow(set, stored.values, `${record.key} ${field}`);
          p.values = stored.values;
          const code = record.sets.get(CODE_SET);
          p.quality = {
            change: set.name === 'jit_change_metrics' ? stored.values : record.sets.get(CHANGE_SET)?.values,
            code: set.name === 'code_metrics' ? stored.values : code?.values,
            files: code?.file_metrics ?? stored.file_metrics,
          };
        } catch (err) {
          fail(p.index, err);
        }
      }),
    );
    const metrics = this.#o.metrics;
    if (metrics && store.cacheEnabled) {
      const hits = list.filter((p) => p.fromCache).length;
      metrics.cacheLookup('hit', hits);
      metrics.cacheLookup('miss', list.length - hits);
    }
  }

  #respond(
    p: Prepared,
    out: RunOutput,
    k: number,
    x: Float32Array,
    started: number,
    ctx: PredictContext,
  ): { response: PredictResponse; served: ServedPrediction; cache: CachedPrediction | undefined } {
    const model = p.served.model;
    const prob = out.p1[k]!;
    const scores = modelScores(out, k);
    // Contributions cost a tree walk per row: computed when asked for, or when the cache will keep them.
    const wantAll = p.commit?.cacheKey !== undefined;
    const c = p.request.top_k > 0 || wantAll ? model.explain(x, k * model.width) : undefined;
    const ranked = c ? rankContributions(model.featureNames, x, k * model.width, c) : [];
    const quality = deriveScores({ ...p.quality, modelScores: scores });
    const cache: CachedPrediction | undefined = wantAll
      ? { v: 1, p: prob, scores, contributions: ranked, quality }
      : undefined;
    const response = this.#response(p, prob, scores, ranked, quality, started, ctx);
    const served: ServedPrediction = {
      model: p.served,
      input: p.commit ? 'commit' : 'features',
      repoId: p.repoId,
      entityId: p.entityId,
      response,
      contributions: ranked,
      row: p.row!,
      values: p.values ?? {},
    };
    return { response, served, cache };
  }

  #fromCache(p: Prepared, cached: CachedPrediction, started: number, ctx: PredictContext): PredictResponse {
    return this.#response(p, cached.p, cached.scores, cached.contributions, cached.quality, started, ctx);
  }

  #response(
    p: Prepared,
    prob: number,
    scores: Record<string, number>,
    ranked: Contribution[],
    quality: QualityScores,
    started: number,
    ctx: PredictContext,
  ): PredictResponse {
    const model = p.served.model;
    return {
      request_id: p.request.request_id,
      model_name: model.name,
      model_version: model.version,
      repo_id: p.repoId,
      entity_id: p.entityId,
      bug_probability: prob,
      ...(quality.complexity_score !== undefined ? { complexity_score: quality.complexity_score } : {}),
      security_risks: quality.security_risks,
      refactoring_suggestions: quality.refactoring_suggestions,
      ...(quality.technical_debt_score !== undefined ? { technical_debt_score: quality.technical_debt_score } : {}),
      top_contributions: ranked.slice(0, p.request.top_k),
      scores,
      feature_set: model.featureSet.name,
      feature_set_version: model.featureSet.version,
      latency_ms: performance.now() - started,
      trace_id: ctx.traceId ?? '',
    };
  }
}
