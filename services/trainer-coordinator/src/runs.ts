// Training runs: validated at StartRun, queued (TRAINER_MAX_CONCURRENT_RUNS at once), and taken
// through building the point-in-time training set, training in a worker thread, evaluating the
// exported ONNX model on the holdout next to the champion, registering the version, and the
// gate (promote, or keep as a candidate and alert). Every step is a RunEvent that WatchRun
// streams; the run is saved after each.
import { randomBytes } from 'node:crypto';
import {
  AbortedError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  isOmenError,
  quote,
} from '@omen/errors';
import { featureNames, featureRegistry, featureSetFingerprint, featureSetId, type FeatureSet } from '@omen/features';
import {
  checkName,
  type GateRecord,
  type LocalModelRegistry,
  type ModelVersionRecord,
  type ReferenceStatistics,
} from '@omen/model-registry';
import type { ClickHouse } from '@omen/clickhouse';
import type { Counter, Histogram, Logger } from '@omen/telemetry';
import {
  REFERENCE_QUANTILES,
  RunParamsError,
  chronologicalSplit,
  decideGate,
  effortOf,
  evaluate,
  evaluationCurves,
  exportOnnx,
  modelKindOf,
  permutationImportance,
  pointInTimeDataset,
  predict,
  referenceStats,
  resolveTrainParams,
  scalarMetrics,
  trainInWorker,
  trainingSetChecks,
  type ChampionOnHoldout,
  type ChronologicalSplit,
  type DataCheck,
  type Dataset,
  type Evaluation,
  type GateDecision,
  type GateOptions,
  type PointInTimeReport,
  type TrainAlgorithm,
  type TrainParams,
  type WorkerTrainResult,
} from './domain/index.ts';
import { loadTrainingRows, type TrainingTables } from './adapters/clickhouse-training-set.ts';
import { loadCsvRows } from './adapters/csv-source.ts';
import { checkConfinedFile, csvPathRefusal } from './adapters/import-dir.ts';
import type { ControlPlane, GateAlert } from './adapters/nats-control.ts';
import { scoreOnnx } from './adapters/onnx-runtime.ts';
import type { RunStore } from './adapters/run-store.ts';
import { CHALLENGER, CHAMPION, type ModelOps } from './models.ts';
import {
  TERMINAL_STATES,
  type RunEventRecord,
  type RunRecord,
  type RunSpec,
  type RunState,
  type RunTrigger,
} from './run-record.ts';

/** Largest |ONNX Runtime − trainer| probability on the holdout that still counts as the same model. */
export const ONNX_TOLERANCE = 1e-4;

export interface RunOptions {
  testFraction: number;
  gapSeconds: number;
  minTrainRows: number;
  maxConcurrent: number;
  workerMaxOldGenMb: number;
  gate: GateOptions;
  /** Automatic triggers wait this long after a model's last run started. */
  cooldownMs: number;
  /** What an automatic trigger's run does when it passes the gate. */
  autoPromote: boolean;
}

export interface RunManagerDeps {
  registry: LocalModelRegistry;
  models: ModelOps;
  store: RunStore;
  clickhouse: ClickHouse | undefined;
  tables: TrainingTables;
  control: ControlPlane | undefined;
  logger: Logger;
  codeVersion: string;
  options: RunOptions;
  /** TRAINER_CSV_DIR: the only directory `row_source csv:<path>` may name a file in; undefined refuses every CSV. */
  csvDir?: string | undefined;
  metrics?: { runs: Counter<'state' | 'trigger'>; duration: Histogram<'state'> };
  now?: () => Date;
}

/** What StartRun asks for; every field optional but the model name is defaulted by the caller. */
export interface StartRunInput {
  model: string;
  featureSet: string;
  featureSetVersion?: number;
  repoIds?: string[];
  cutoff?: Date;
  from?: Date;
  algorithm: string;
  params?: Record<string, string>;
  autoPromote?: boolean;
  reason?: string;
  trigger?: RunTrigger;
  rowSource?: string;
  testFraction?: number;
  gapSeconds?: number;
}

class RunFailure extends Error {
  override readonly name = 'RunFailure';
}

type Listener = (event: RunEventRecord) => void;

export class RunManager {
  readonly #deps: RunManagerDeps;
  readonly #runs = new Map<string, RunRecord>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #controllers = new Map<string, AbortController>();
  readonly #queue: string[] = [];
  readonly #active = new Set<Promise<void>>();
  readonly #now: () => Date;
  #closed = false;

  private constructor(deps: RunManagerDeps, runs: RunRecord[]) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    for (const r of runs) this.#runs.set(r.id, r);
  }

  /** Loads stored runs (unfinished ones come back failed) and starts accepting new ones. */
  static async open(deps: RunManagerDeps): Promise<RunManager> {
    return new RunManager(deps, await deps.store.loadAll(deps.now?.() ?? new Date()));
  }

  /** Validates the request into a spec; throws INVALID_ARGUMENT naming the field. */
  spec(input: StartRunInput): RunSpec {
    const o = this.#deps.options;
    checkName('model name', input.model);
    let set: FeatureSet;
    try {
      set = featureRegistry.get(input.featureSet, input.featureSetVersion || undefined);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message, 'feature_set', { cause: err });
    }
    let kind: string;
    try {
      kind = modelKindOf(input.algorithm);
      resolveTrainParams(modelKindOf(input.algorithm), input.params ?? {});
    } catch (err) {
      if (err instanceof RunParamsError) throw new InvalidArgumentError(err.message, err.field);
      throw err;
    }
    const cutoff = input.cutoff ?? this.#now();
    if (Number.isNaN(cutoff.getTime())) throw new InvalidArgumentError('cutoff is not a valid time', 'cutoff');
    if (input.from && !(input.from.getTime() < cutoff.getTime()))
      throw new InvalidArgumentError(
        `from (${input.from.toISOString()}) must be before the cutoff (${cutoff.toISOString()})`,
        'from',
      );
    const rowSource = (input.rowSource ?? '').trim() || 'clickhouse';
    if (rowSource === 'clickhouse') {
      if (!this.#deps.clickhouse)
        throw new FailedPreconditionError(
          'row_source clickhouse needs CLICKHOUSE_URL, which this trainer was started without',
        );
    } else if (rowSource.startsWith('csv:')) {
      checkConfinedFile(this.#deps.csvDir, rowSource.slice(4), csvPathRefusal);
    } else {
      throw new InvalidArgumentError(
        `row_source must be "clickhouse" or "csv:<path>"; got "${rowSource}"`,
        'row_source',
      );
    }
    const testFraction = input.testFraction || o.testFraction;
    if (!(testFraction > 0 && testFraction < 1))
      throw new InvalidArgumentError(`test_fraction must be in (0, 1); got ${testFraction}`, 'test_fraction');
    const gapSeconds = input.gapSeconds || o.gapSeconds;
    if (!(gapSeconds >= 0))
      throw new InvalidArgumentError(`gap_seconds must be >= 0; got ${gapSeconds}`, 'gap_seconds');
    return {
      model: input.model,
      featureSet: { name: set.name, version: set.version },
      cutoff: cutoff.toISOString(),
      ...(input.from ? { from: input.from.toISOString() } : {}),
      repoIds: [...(input.repoIds ?? [])],
      algorithm: kind,
      params: { ...(input.params ?? {}) },
      autoPromote: input.autoPromote ?? o.autoPromote,
      reason: input.reason ?? '',
      trigger: input.trigger ?? 'manual',
      rowSource,
      testFraction,
      gapSeconds,
    };
  }

  /**
   * Starts a run and returns it PENDING. An automatic trigger is refused (FAILED_PRECONDITION)
   * while the model has a run in progress or its last run started within the cooldown.
   */
  async start(input: StartRunInput): Promise<RunRecord> {
    if (this.#closed) throw new FailedPreconditionError('the trainer is shutting down');
    const spec = this.spec(input);
    if (spec.trigger !== 'manual') this.#checkCooldown(spec.model, spec.trigger);
    const now = this.#now().toISOString();
    const run: RunRecord = {
      ...spec,
      id: `run-${now.replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(4).toString('hex')}`,
      state: 'RUN_STATE_PENDING',
      createdAt: now,
      metrics: {},
      trainRows: 0,
      validationRows: 0,
      testRows: 0,
      gapRows: 0,
      labelsExcluded: 0,
      dataChecks: [],
      events: [],
    };
    this.#runs.set(run.id, run);
    await this.#event(run, 'RUN_STATE_PENDING', `queued (${spec.trigger}${spec.reason ? `: ${spec.reason}` : ''})`, 0);
    this.#deps.metrics?.runs.inc({ state: 'started', trigger: spec.trigger });
    const snapshot = structuredClone(run);
    this.#queue.push(run.id);
    this.#pump();
    return snapshot;
  }

  #checkCooldown(model: string, trigger: RunTrigger): void {
    const runs = [...this.#runs.values()].filter((r) => r.model === model);
    const active = runs.find((r) => !TERMINAL_STATES.has(r.state));
    if (active)
      throw new FailedPreconditionError(
        `${trigger} trigger for ${model} ignored: run ${active.id} is still ${active.state}`,
      );
    const last = runs.at(-1);
    if (last) {
      const wait = Date.parse(last.createdAt) + this.#deps.options.cooldownMs - this.#now().getTime();
      if (wait > 0)
        throw new FailedPreconditionError(
          `${trigger} trigger for ${model} ignored: cooldown until ${new Date(Date.now() + wait).toISOString()} (last run ${last.id})`,
          { retryAfterMs: wait },
        );
    }
  }

  get(id: string): RunRecord {
    const run = this.#runs.get(id);
    if (!run) throw new NotFoundError(`no run ${quote(id)}`, `run/${id}`);
    return structuredClone(run);
  }

  /** Runs, newest first. */
  list(model?: string, limit = 50): RunRecord[] {
    return [...this.#runs.values()]
      .filter((r) => !model || r.model === model)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  /** The newest run of a model, finished or not. */
  latest(model: string): RunRecord | undefined {
    return this.list(model, 1)[0];
  }

  /** The run's events from the first, then each new one, ending after the terminal one. */
  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<{ event: RunEventRecord; run: RunRecord }> {
    const run = this.#runs.get(id);
    if (!run) throw new NotFoundError(`no run ${quote(id)}`, `run/${id}`);
    const pending: RunEventRecord[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (e) => {
      pending.push(e);
      wake?.();
    };
    // Subscribing and copying the history happen in one synchronous step, and #event appends and
    // notifies in one too: every event is either in the copy or delivered to the listener, once.
    const history = [...run.events];
    const unsubscribe = this.#subscribe(id, listener);
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (const e of history) {
        yield { event: e, run: structuredClone(run) };
        if (TERMINAL_STATES.has(e.state)) return;
      }
      for (;;) {
        while (pending.length > 0) {
          const e = pending.shift()!;
          yield { event: e, run: structuredClone(run) };
          if (TERMINAL_STATES.has(e.state)) return;
        }
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #subscribe(id: string, listener: Listener): () => void {
    const set = this.#listeners.get(id) ?? new Set<Listener>();
    this.#listeners.set(id, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(id) === set) this.#listeners.delete(id);
    };
  }

  /** Stops a pending or running run; a finished run is returned unchanged. */
  async cancel(id: string): Promise<RunRecord> {
    const run = this.#runs.get(id);
    if (!run) throw new NotFoundError(`no run ${quote(id)}`, `run/${id}`);
    if (TERMINAL_STATES.has(run.state)) return structuredClone(run);
    const queued = this.#queue.indexOf(id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      await this.#finish(run, 'RUN_STATE_CANCELLED', 'cancelled before it started');
    } else {
      // The pipeline notices at its next step (the worker is terminated at once) and finishes it.
      let unsubscribe = (): void => undefined;
      const finished = new Promise<void>((resolve) => {
        unsubscribe = this.#subscribe(id, (e) => {
          if (TERMINAL_STATES.has(e.state)) resolve();
        });
      });
      this.#controllers.get(id)?.abort(new AbortedError('cancelled by CancelRun'));
      await finished.finally(unsubscribe);
    }
    return structuredClone(run);
  }

  /** Resolves when no run is queued or running. */
  async idle(): Promise<void> {
    while (this.#active.size > 0 || this.#queue.length > 0) await Promise.race([...this.#active]);
  }

  /** Cancels everything and waits for the workers to stop. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of this.#queue.splice(0)) {
      const run = this.#runs.get(id);
      if (run) await this.#finish(run, 'RUN_STATE_CANCELLED', 'cancelled: the trainer is shutting down');
    }
    for (const c of this.#controllers.values()) c.abort(new AbortedError('the trainer is shutting down'));
    await Promise.allSettled([...this.#active]);
  }

  #pump(): void {
    while (this.#active.size < this.#deps.options.maxConcurrent && this.#queue.length > 0) {
      const id = this.#queue.shift()!;
      const run = this.#runs.get(id);
      if (!run || TERMINAL_STATES.has(run.state)) continue;
      const controller = new AbortController();
      this.#controllers.set(id, controller);
      const p: Promise<void> = this.#execute(run, controller.signal).finally(() => {
        this.#active.delete(p);
        this.#controllers.delete(id);
        this.#pump();
      });
      this.#active.add(p);
    }
  }

  async #event(run: RunRecord, state: RunState, message: string, progress: number): Promise<void> {
    const e: RunEventRecord = { state, message, progress, time: this.#now().toISOString() };
    run.state = state;
    run.events.push(e);
    for (const l of [...(this.#listeners.get(run.id) ?? [])]) l(e);
    await this.#deps.store
      .save(run)
      .catch((err: unknown) => this.#deps.logger.warn({ err, run: run.id }, 'could not save run %s', run.id));
  }

  async #finish(run: RunRecord, state: RunState, message: string, error?: string): Promise<void> {
    run.finishedAt = this.#now().toISOString();
    if (error !== undefined) run.error = error;
    await this.#event(run, state, message, 1);
    this.#deps.metrics?.runs.inc({ state: state.replace('RUN_STATE_', '').toLowerCase(), trigger: run.trigger });
    if (run.startedAt)
      this.#deps.metrics?.duration.observe(
        { state: state.replace('RUN_STATE_', '').toLowerCase() },
        (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000,
      );
    const log = state === 'RUN_STATE_FAILED' ? 'warn' : 'info';
    this.#deps.logger[log](
      { run: run.id, model: run.model, state, version: run.modelVersion, error },
      'run %s %s: %s',
      run.id,
      state.replace('RUN_STATE_', '').toLowerCase(),
      message,
    );
  }

  async #execute(run: RunRecord, signal: AbortSignal): Promise<void> {
    run.startedAt = this.#now().toISOString();
    try {
      await this.#pipeline(run, signal);
    } catch (err) {
      if (signal.aborted) {
        await this.#finish(run, 'RUN_STATE_CANCELLED', (signal.reason as Error | undefined)?.message ?? 'cancelled');
      } else {
        const message =
          err instanceof RunFailure || isOmenError(err) || err instanceof Error ? err.message : String(err);
        if (!(err instanceof RunFailure) && !isOmenError(err))
          this.#deps.logger.error({ err, run: run.id }, 'run %s crashed', run.id);
        await this.#finish(run, 'RUN_STATE_FAILED', `failed: ${message}`, message);
      }
    }
  }

  async #buildDataset(
    run: RunRecord,
    set: FeatureSet,
  ): Promise<{ dataset: Dataset; pit: PointInTimeReport | undefined; note: string }> {
    const names = featureNames(set);
    const cutoffMs = Date.parse(run.cutoff);
    const fromMs = run.from ? Date.parse(run.from) : undefined;
    if (run.rowSource === 'clickhouse') {
      const ch = this.#deps.clickhouse;
      if (!ch) throw new RunFailure('row source clickhouse needs CLICKHOUSE_URL');
      const rows = await loadTrainingRows(ch, this.#deps.tables, {
        featureSet: run.featureSet,
        cutoffMs,
        ...(fromMs !== undefined ? { fromMs } : {}),
        repoIds: run.repoIds,
      });
      const { dataset, report } = pointInTimeDataset(rows.features, rows.labels, {
        featureNames: names,
        cutoffMs,
        ...(fromMs !== undefined ? { fromMs } : {}),
      });
      const missing =
        report.rowsMissingFeatures > 0
          ? `; ${report.rowsMissingFeatures} rows dropped for missing features (${Object.entries(
              report.missingByFeature,
            )
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')})`
          : '';
      return {
        dataset,
        pit: report,
        note: `${report.labelsExcludedAfterCutoff} labels known only after the cutoff excluded${missing}`,
      };
    }
    const csv = await loadCsvRows(this.#deps.csvDir, run.rowSource.slice(4), names, cutoffMs, fromMs);
    return {
      dataset: csv.dataset,
      pit: undefined,
      note: `${csv.rowsAfterCutoff} rows after the cutoff left out; labels from a CSV carry no known-at time`,
    };
  }

  async #championOnHoldout(run: RunRecord, set: FeatureSet, test: Dataset): Promise<ChampionOnHoldout | undefined> {
    const version = (await this.#deps.registry.aliases(run.model))[CHAMPION];
    if (version === undefined) return undefined;
    try {
      const champion = await this.#deps.registry.resolve(run.model, { version });
      if (champion.featureSet.name !== set.name || champion.featureSet.version !== set.version) {
        return {
          version,
          incomparable: `champion ${version} takes ${champion.featureSet.name}@v${champion.featureSet.version}, this run ${featureSetId(set)}`,
        };
      }
      const p = await scoreOnnx(champion.bytes, test.x, test.featureNames.length);
      return { version, evaluation: evaluate(test.y, p, effortOf(test), champion.threshold ?? 0.5) };
    } catch (err) {
      return { version, incomparable: `champion ${version} could not be scored: ${(err as Error).message}` };
    }
  }

  // A run's stages, in order; each records what it learnt on `run` and hands the next what it needs.
  async #pipeline(run: RunRecord, signal: AbortSignal): Promise<void> {
    const set = featureRegistry.get(run.featureSet.name, run.featureSet.version);
    const kind = modelKindOf(run.algorithm);
    const params = resolveTrainParams(kind, run.params);
    const { split, dataRange } = await this.#datasetStage(run, set, signal);
    const result = await this.#trainStage(run, kind, params, split, signal);
    const { bytes, served, evaluation, gate, metrics } = await this.#evaluateStage(run, set, split, result, signal);
    const record = await this.#registerStage(run, set, {
      kind,
      params,
      split,
      dataRange,
      result,
      bytes,
      served,
      evaluation,
      gate,
      metrics,
    });
    await this.#decideStage(run, record, gate);
  }

  /** Reads the rows as of the cutoff, splits them in time and checks the training set. */
  async #datasetStage(
    run: RunRecord,
    set: FeatureSet,
    signal: AbortSignal,
  ): Promise<{ split: ChronologicalSplit; dataRange: { from: string; to: string } }> {
    const o = this.#deps.options;
    const cutoffMs = Date.parse(run.cutoff);
    await this.#event(
      run,
      'RUN_STATE_BUILDING_DATASET',
      `reading ${featureSetId(set)} rows from ${run.rowSource} as of ${run.cutoff}`,
      0.05,
    );
    const { dataset, pit, note } = await this.#buildDataset(run, set);
    signal.throwIfAborted();
    if (dataset.y.length < 2) throw new RunFailure(`the training set has ${dataset.y.length} rows (${note})`);
    const positives = dataset.y.reduce((a, b) => a + b, 0);
    await this.#event(
      run,
      'RUN_STATE_BUILDING_DATASET',
      `training set: ${dataset.y.length} rows, ${positives} positives (label rate ${(positives / dataset.y.length).toFixed(4)}); ${note}`,
      0.15,
    );

    const split = chronologicalSplit(dataset, {
      testFraction: run.testFraction,
      gap: { seconds: run.gapSeconds },
      validationFraction: 0,
    });
    const checks: DataCheck[] = trainingSetChecks(split, pit, {
      cutoffMs,
      gapSeconds: run.gapSeconds,
      minTrainRows: o.minTrainRows,
    });
    if (!pit)
      checks.push({
        name: 'labels_known_by_cutoff',
        passed: true,
        detail: 'not applicable: the row source has no label known-at times',
        required: false,
      });
    run.dataChecks = checks.map(({ required: _required, ...c }) => c);
    run.trainRows = split.train.y.length;
    run.testRows = split.test.y.length;
    run.gapRows = split.report.gapRows;
    run.labelRate = split.report.fit.labelRate;
    run.testLabelRate = split.report.test.labelRate;
    run.labelsExcluded = pit?.labelsExcludedAfterCutoff ?? 0;
    const dataRange = {
      from: new Date(dataset.time[0]! * 1000).toISOString(),
      to: new Date(dataset.time[dataset.time.length - 1]! * 1000).toISOString(),
    };
    run.dataFrom = dataRange.from;
    run.dataTo = dataRange.to;
    const failed = checks.filter((c) => c.required && !c.passed);
    if (failed.length > 0)
      throw new RunFailure(`training-set checks failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
    return { split, dataRange };
  }

  /** Trains in a worker thread (selecting the algorithm when it is auto). */
  async #trainStage(
    run: RunRecord,
    kind: TrainAlgorithm,
    params: TrainParams,
    split: ChronologicalSplit,
    signal: AbortSignal,
  ): Promise<WorkerTrainResult> {
    const o = this.#deps.options;
    await this.#event(
      run,
      'RUN_STATE_TRAINING',
      `training ${kind} on ${run.trainRows} rows (test ${run.testRows}, gap ${run.gapRows}) in a worker thread`,
      0.2,
    );
    const result = await trainInWorker(kind, split.train, params, {
      signal,
      ...(o.workerMaxOldGenMb > 0 ? { maxOldGenerationSizeMb: o.workerMaxOldGenMb } : {}),
    });
    run.validationRows = result.rows.validation;
    if (result.selection) {
      run.selection = result.selection;
      const scores = result.selection.candidates.map((c) => `${c.name} ${c.validationAuc.toFixed(4)}`).join(', ');
      await this.#event(
        run,
        'RUN_STATE_TRAINING',
        `selected ${result.selection.winner} on the validation slice (${result.rows.validation} rows, AUC: ${scores})${result.selection.decided ? '' : '; the slice could not rank them, so the fallback'}`,
        0.65,
      );
    }
    return result;
  }

  /** Exports to ONNX, checks ONNX Runtime agrees with the trainer, scores the holdout and decides the gate. */
  async #evaluateStage(
    run: RunRecord,
    set: FeatureSet,
    split: ChronologicalSplit,
    result: WorkerTrainResult,
    signal: AbortSignal,
  ): Promise<{
    bytes: Uint8Array;
    served: Float64Array;
    evaluation: Evaluation;
    gate: GateDecision;
    metrics: Record<string, number>;
  }> {
    const o = this.#deps.options;
    await this.#event(
      run,
      'RUN_STATE_EVALUATING',
      `trained in ${(result.durationMs / 1000).toFixed(1)} s; scoring the holdout through ONNX Runtime`,
      0.7,
    );
    const bytes = exportOnnx(result.model, {
      threshold: result.threshold,
      metadata: {
        model_name: run.model,
        run_id: run.id,
        feature_set: featureSetId(set),
        code_version: this.#deps.codeVersion,
      },
    });
    const width = set.features.length;
    const served = await scoreOnnx(bytes, split.test.x, width);
    const own = predict(result.model, split.test.x);
    let maxDiff = 0;
    for (let i = 0; i < own.length; i++) maxDiff = Math.max(maxDiff, Math.abs(own[i]! - served[i]!));
    run.dataChecks.push({
      name: 'onnx_matches_trainer',
      passed: maxDiff < ONNX_TOLERANCE,
      detail: `max |ONNX Runtime − trainer| on the holdout = ${maxDiff.toExponential(2)} (tolerance ${ONNX_TOLERANCE})`,
    });
    if (!(maxDiff < ONNX_TOLERANCE))
      throw new RunFailure(`the exported ONNX model disagrees with the trainer by ${maxDiff} on the holdout`);
    signal.throwIfAborted();

    const evaluation = evaluate(split.test.y, served, effortOf(split.test), result.threshold);
    const champion = await this.#championOnHoldout(run, set, split.test);
    const gate = decideGate(evaluation, champion, o.gate);
    const metrics = scalarMetrics(evaluation, result.threshold);
    if (champion && 'evaluation' in champion) {
      for (const [k, v] of Object.entries(
        scalarMetrics(champion.evaluation, champion.evaluation.atThreshold.threshold),
      ))
        if (k !== 'test_rows' && k !== 'test_positives') metrics[`champion_${k}`] = v;
    }
    run.metrics = metrics;
    run.gate = gate;
    const championNote =
      champion === undefined
        ? 'no champion yet'
        : 'incomparable' in champion
          ? champion.incomparable
          : `champion ${champion.version} on the same holdout: ${o.gate.metric} ${metrics[`champion_${o.gate.metric}`]?.toFixed(4) ?? 'n/a'}`;
    await this.#event(
      run,
      'RUN_STATE_EVALUATING',
      `holdout: auc ${evaluation.auc.toFixed(4)}, pr_auc ${evaluation.prAuc.toFixed(4)}, brier ${evaluation.brier.toFixed(4)}; ${championNote}`,
      0.8,
    );
    return { bytes, served, evaluation, gate, metrics };
  }

  /** Registers the version with its reference statistics, metrics, gate and lineage. */
  async #registerStage(
    run: RunRecord,
    set: FeatureSet,
    t: {
      kind: TrainAlgorithm;
      params: TrainParams;
      split: ChronologicalSplit;
      dataRange: { from: string; to: string };
      result: WorkerTrainResult;
      bytes: Uint8Array;
      served: Float64Array;
      evaluation: Evaluation;
      gate: GateDecision;
      metrics: Record<string, number>;
    },
  ): Promise<ModelVersionRecord> {
    const { kind, params, split, dataRange, result, bytes, served, evaluation, gate, metrics } = t;
    const ref = referenceStats(split.train, predict(result.model, split.train.x));
    const median = REFERENCE_QUANTILES.indexOf(0.5);
    const { record } = await this.#deps.registry.register({
      name: run.model,
      bytes,
      featureSet: run.featureSet,
      featureNames: [...featureNames(set)],
      reference: Object.fromEntries(ref.features.map((f) => [f.name, f.quantiles[median]!])),
      // The domain's readonly summary is the registry's plain-JSON ReferenceStatistics.
      referenceStats: ref as unknown as ReferenceStatistics,
      metrics,
      // Curves and permutation importance on the holdout, for `omen report model`.
      evaluation: {
        calibration: evaluation.calibration,
        atThreshold: evaluation.atThreshold,
        rows: evaluation.rows,
        positives: evaluation.positives,
        curves: evaluationCurves(split.test.y, served, effortOf(split.test)),
        importance: permutationImportance(featureNames(set), split.test.x, split.test.y, (x) =>
          predict(result.model, x),
        ),
      },
      threshold: result.threshold,
      gate: gateRecord(gate),
      labels: { run_id: run.id },
      lineage: {
        source: 'trained',
        runId: run.id,
        dataRange,
        cutoff: run.cutoff,
        rowSource:
          run.rowSource === 'clickhouse'
            ? `clickhouse:${this.#deps.tables.features}+${this.#deps.tables.labels}`
            : run.rowSource,
        rows: {
          train: run.trainRows,
          validation: run.validationRows,
          test: run.testRows,
          gap: run.gapRows,
          excludedLabels: run.labelsExcluded,
        },
        labelRate: run.labelRate,
        featureSetFingerprint: featureSetFingerprint(set),
        codeVersion: this.#deps.codeVersion,
        // auto stays auto, so a trigger that reruns the champion's recipe selects again.
        algorithm: kind,
        params: {
          requested: run.params,
          resolved: params,
          refitted: result.refitted,
          trainMs: Math.round(result.durationMs),
          ...(result.selection
            ? {
                selected: result.selection.winner,
                validationAuc: Object.fromEntries(result.selection.candidates.map((c) => [c.name, c.validationAuc])),
              }
            : {}),
        },
      },
    });
    run.modelVersion = record.version;
    await this.#event(
      run,
      'RUN_STATE_EVALUATING',
      `registered ${run.model}/${record.version} (sha256 ${record.sha256.slice(0, 12)}…)`,
      0.9,
    );
    return record;
  }

  /** Promotes a version the gate passed; otherwise keeps it a candidate and alerts. */
  async #decideStage(run: RunRecord, record: ModelVersionRecord, gate: GateDecision): Promise<void> {
    if (gate.passed) {
      const alias = run.autoPromote ? CHAMPION : CHALLENGER;
      const promoted = await this.#deps.models.promote({
        model: run.model,
        version: record.version,
        alias,
        reason: `run ${run.id}: gate passed`,
        actor: `trainer:run/${run.id}`,
      });
      await this.#finish(
        run,
        'RUN_STATE_SUCCEEDED',
        `gate passed; ${run.model}/${record.version} is ${alias}${promoted.previousVersion ? ` (was ${promoted.previousVersion})` : ''}`,
      );
      return;
    }
    const failedChecks = gate.checks.filter((c) => !c.passed);
    const decisive = failedChecks.at(-1)!;
    let announced = 'alert published';
    const alert: GateAlert = {
      kind: 'gate_failed',
      model: run.model,
      version: record.version,
      runId: run.id,
      ...(gate.championVersion ? { championVersion: gate.championVersion } : {}),
      metric: gate.metric,
      value: decisive.value,
      threshold: decisive.threshold,
      failedChecks: failedChecks.map((c) => c.name),
      at: this.#now().toISOString(),
    };
    if (!this.#deps.control) announced = 'no NATS: alert not published';
    else
      await this.#deps.control.alert(alert).catch((err: unknown) => {
        announced = `alert NOT published: ${(err as Error).message}`;
      });
    await this.#finish(
      run,
      'RUN_STATE_REJECTED',
      `gate refused (${failedChecks.map((c) => c.name).join(', ')}); ${run.model}/${record.version} stays a candidate; ${announced}`,
    );
  }
}

function gateRecord(g: GateDecision): GateRecord {
  return {
    passed: g.passed,
    ...(g.championVersion ? { championVersion: g.championVersion } : {}),
    metric: g.metric,
    margin: g.margin,
    // A check without a threshold (no_champion_yet) has NaN, which JSON cannot hold: null says "none".
    checks: g.checks.map((c) => ({
      name: c.name,
      metric: c.metric,
      value: Number.isFinite(c.value) ? c.value : null,
      threshold: Number.isFinite(c.threshold) ? c.threshold : null,
      passed: c.passed,
    })),
  };
}
