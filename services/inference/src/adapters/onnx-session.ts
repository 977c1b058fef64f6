// ONNX Runtime sessions for registry models: execution-provider choice with a CPU fallback,
// input/output checks against the feature registry, warm-up, and batched runs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FailedPreconditionError } from '@omen/errors';
import { featureNames, featureRegistry, featureSetId, type FeatureSet } from '@omen/features';
import type { Logger } from '@omen/telemetry';
import { WorkerPool } from '@omen/service';
import { contributions, explanationMethod, type MarginTerm } from '../domain/contributions.ts';
import { metadataFeatureNames, readOnnxGraph } from '../domain/onnx-graph.ts';
import { graphOps, planProviders, type ExecutionProvider } from '../domain/execution-provider.ts';
import type { OutputTensor, RunOutput } from '../domain/prediction.ts';
import { sha256Hex, type ModelArtifact } from '@omen/model-registry';
import type { SessionWorkerInit, SessionWorkerRequest } from './session-worker.ts';

export type { ExecutionProvider } from '../domain/execution-provider.ts';

export interface SessionOptions {
  /** Providers in order of preference; the first that loads wins. @default ['cpu'] */
  executionProviders: readonly ExecutionProvider[];
  /** @default 0 */
  cudaDeviceId?: number;
  /** Threads inside one operator; 0 = ONNX Runtime's default (one per core). */
  intraOpThreads: number;
  /** Threads across operators (parallel execution mode only); 0 = default. */
  interOpThreads: number;
  /** Batch sizes run once at load so the first requests pay no allocation. */
  warmupBatchSizes: readonly number[];
  /**
   * Whether ONNX Runtime's pool threads spin after a run waiting for more work. Spinning buys
   * a little latency on dedicated cores and burns the CPU the event loop needs on shared ones
   * (measured here: 2 intra-op threads at 200 runs/s cost 4.6 ms CPU per run spinning, 0.46 ms
   * not). @default false
   */
  spinning?: boolean;
  /**
   * Worker threads each holding a session of the model; batches run there, concurrently with
   * the main thread's gRPC work. 0 runs batches on the main thread. @default 0
   */
  workers?: number;
}

export type { OutputTensor, RunOutput };

const bindingDir = (() => {
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
})();

/**
 * Whether the CUDA provider's libraries are installed. They are not on a CPU build (the npm
 * package ships CPU binaries; its CUDA download step is skipped), and asking ONNX Runtime for a
 * provider it cannot load costs an error line per session, so check the files first.
 */
export function cudaProviderInstalled(): boolean {
  return bindingDir !== undefined && existsSync(path.join(bindingDir, 'libonnxruntime_providers_cuda.so'));
}

/** The graph's nodes; none when the bytes do not decode (ONNX Runtime then says what is wrong). */
function opsOf(bytes: Uint8Array): ReturnType<typeof graphOps> {
  try {
    return graphOps(bytes);
  } catch {
    return [];
  }
}

async function createSession(
  bytes: Uint8Array,
  options: SessionOptions,
  logger: Logger,
  what: string,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider; used: ort.InferenceSession.SessionOptions }> {
  // Per model: a graph without CUDA kernels (tree ensembles) opens on CPU even when cuda is configured.
  const plan = planProviders(options.executionProviders, opsOf(bytes));
  if (plan.cpuBecause)
    logger.info(
      { model: what, provider: 'cpu' },
      'model %s runs on CPU although cuda is configured: %s',
      what,
      plan.cpuBecause,
    );
  const wanted = plan.providers;
  const spin = options.spinning ? '1' : '0';
  const common: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads > 0 ? { interOpNumThreads: options.interOpThreads } : {}),
  };
  let lastError: unknown;
  for (const provider of wanted) {
    if (provider === 'cuda' && !cudaProviderInstalled()) {
      lastError = new Error(
        `the CUDA execution provider is not installed next to the onnxruntime-node binding (${bindingDir ?? 'unknown'})`,
      );
      logger.warn({ model: what }, 'CUDA execution provider requested but not installed; falling back');
      continue;
    }
    try {
      const ep: ort.InferenceSession.ExecutionProviderConfig =
        provider === 'cuda' ? { name: 'cuda', deviceId: options.cudaDeviceId ?? 0 } : 'cpu';
      // The CPU provider is always appended: operators without a CUDA kernel (the ai.onnx.ml
      // tree ensembles among them) run there, as ONNX Runtime assigns per node.
      const providers = provider === 'cuda' ? [ep, 'cpu' as const] : [ep];
      const used = { ...common, executionProviders: providers };
      return { session: await ort.InferenceSession.create(bytes, used), provider, used };
    } catch (err) {
      lastError = err;
      logger.warn(
        { model: what, provider, err },
        'execution provider %s failed to load the model; trying the next',
        provider,
      );
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

const PROBABILITY_OUTPUT = 'probabilities';

const WORKER_ENTRY = new URL('./session-worker.ts', import.meta.url);

/** Sessions of one model on worker threads; a batch goes to the least busy. */
type SessionPool = WorkerPool<SessionWorkerInit, SessionWorkerRequest, OutputTensor[]>;

/** A loaded, verified, warmed-up model version. */
export class OnnxModel {
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  readonly featureSet: FeatureSet;
  readonly featureNames: readonly string[];
  readonly width: number;
  readonly inputName: string;
  readonly inputs: readonly ort.InferenceSession.TensorValueMetadata[];
  readonly outputs: readonly ort.InferenceSession.TensorValueMetadata[];
  readonly provider: ExecutionProvider;
  readonly metadata: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** The log-odds structure contributions are computed from; undefined = no contributions. */
  readonly margin: MarginTerm | undefined;
  /** e.g. `baseline-shapley+linear`, or why there are none. */
  readonly explanation: string;
  /** Baseline row of tree contributions, in input order. */
  readonly reference: Float32Array;
  readonly loadedAt: Date;
  readonly #session: ort.InferenceSession;
  #pool: SessionPool | undefined;
  #workers = 0;
  readonly #probOutput: string;
  readonly #positive: number;
  #released = false;

  private constructor(init: {
    artifact: ModelArtifact;
    featureSet: FeatureSet;
    session: ort.InferenceSession;
    provider: ExecutionProvider;
    metadata: Record<string, string>;
    margin: MarginTerm | undefined;
    explanation: string;
    probOutput: string;
    positive: number;
  }) {
    const { artifact, featureSet, session } = init;
    this.name = artifact.name;
    this.version = artifact.version;
    this.sha256 = artifact.sha256;
    this.featureSet = featureSet;
    this.featureNames = featureNames(featureSet);
    this.width = this.featureNames.length;
    this.inputName = session.inputNames[0]!;
    this.inputs = session.inputMetadata.filter((m): m is ort.InferenceSession.TensorValueMetadata => m.isTensor);
    this.outputs = session.outputMetadata.filter((m): m is ort.InferenceSession.TensorValueMetadata => m.isTensor);
    this.provider = init.provider;
    this.metadata = init.metadata;
    this.labels = artifact.labels ?? {};
    this.margin = init.margin;
    this.explanation = init.explanation;
    this.reference = Float32Array.from(this.featureNames, (n) => artifact.reference?.[n] ?? 0);
    this.loadedAt = new Date();
    this.#session = session;
    this.#probOutput = init.probOutput;
    this.#positive = init.positive;
  }

  /**
   * Verifies the artifact (sha256, feature set, input/output shapes), opens a session on the
   * first execution provider that loads it, and warms it up. Throws FailedPreconditionError
   * naming what is wrong; nothing is left open on failure.
   */
  static async load(artifact: ModelArtifact, options: SessionOptions, logger: Logger): Promise<OnnxModel> {
    const what = `${artifact.name}/${artifact.version}`;
    const actual = sha256Hex(artifact.bytes);
    if (actual !== artifact.sha256.toLowerCase()) {
      throw new FailedPreconditionError(
        `artifact of ${what} has sha256 ${actual}, but the registry records ${artifact.sha256}: refusing a corrupted or substituted model`,
      );
    }
    let featureSet: FeatureSet;
    try {
      featureSet = featureRegistry.get(artifact.featureSet.name, artifact.featureSet.version);
    } catch (err) {
      throw new FailedPreconditionError(
        `${what} was trained on feature set ${artifact.featureSet.name}@v${artifact.featureSet.version}, which this build does not know: ${(err as Error).message}`,
      );
    }
    const names = featureNames(featureSet);
    const { session, provider, used } = await createSession(artifact.bytes, options, logger, what);
    let model: OnnxModel | undefined;
    try {
      const problem = checkSignature(session, names.length);
      if (problem) throw new FailedPreconditionError(`${what} does not fit the serving contract: ${problem}`);
      const graph = readOnnxGraph(artifact.bytes, session.inputNames[0]!, names.length);
      const recorded = metadataFeatureNames(graph.metadata);
      if (recorded && recorded.join('\u0000') !== names.join('\u0000')) {
        throw new FailedPreconditionError(
          `${what} records features [${recorded.join(', ')}] but ${featureSetId(featureSet)} orders them [${names.join(', ')}]: the input order would be wrong`,
        );
      }
      const probOutput = graph.metadata['probability_output'] ?? PROBABILITY_OUTPUT;
      if (!session.outputNames.includes(probOutput))
        throw new FailedPreconditionError(
          `${what} has no output "${probOutput}" (outputs: ${session.outputNames.join(', ')})`,
        );
      const positive = Number(graph.metadata['positive_class_index'] ?? '1');
      model = new OnnxModel({
        artifact,
        featureSet,
        session,
        provider,
        metadata: graph.metadata,
        margin: graph.margin,
        explanation: graph.margin
          ? explanationMethod(graph.margin)
          : `none: ${graph.marginUnsupported ?? 'unknown graph'}`,
        probOutput,
        positive: Number.isInteger(positive) && positive >= 0 ? positive : 1,
      });
      if ((options.workers ?? 0) > 0) {
        model.#pool = await WorkerPool.start({
          entry: WORKER_ENTRY,
          size: options.workers!,
          init: { bytes: artifact.bytes, options: used },
          what: 'session worker',
        });
        model.#workers = options.workers!;
      }
      await model.#warmUp(options.warmupBatchSizes, options.workers ?? 0);
      return model;
    } catch (err) {
      if (model) await model.release().catch(() => undefined);
      else await session.release().catch(() => undefined);
      throw err;
    }
  }

  async #warmUp(sizes: readonly number[], workers: number): Promise<void> {
    for (const n of new Set([1, ...sizes])) {
      const x = new Float32Array(n * this.width);
      for (let i = 0; i < n; i++) x.set(this.reference, i * this.width);
      // Concurrent runs so every worker's session sees each size.
      const outs = await Promise.all(Array.from({ length: Math.max(1, workers) }, () => this.run(x, n)));
      const out = outs[0]!;
      for (const p of out.p1) {
        if (!(p >= 0 && p <= 1))
          throw new FailedPreconditionError(
            `${this.name}/${this.version} returned probability ${p} at warm-up; expected [0, 1]`,
          );
      }
    }
  }

  /** One session.run over `rows` rows of row-major `x` (no batching: the batcher calls this). */
  async run(x: Float32Array, rows: number): Promise<RunOutput> {
    if (this.#released) throw new FailedPreconditionError(`${this.name}/${this.version} was unloaded`);
    let tensors: OutputTensor[];
    // The input is copied (not transferred): the caller still reads it for contributions.
    if (this.#pool) tensors = await this.#pool.call({ x, rows, width: this.width });
    else {
      const results = await this.#session.run({ [this.inputName]: new ort.Tensor('float32', x, [rows, this.width]) });
      tensors = [];
      for (const name of this.#session.outputNames) {
        const t = results[name];
        if (t) tensors.push({ name, type: t.type, dims: [...t.dims], data: t.data });
      }
    }
    const prob = tensors.find((t) => t.name === this.#probOutput);
    if (!prob) throw new Error(`session returned no ${this.#probOutput}`);
    const classes = prob.dims[1] ?? 1;
    const data = prob.data as Float32Array;
    const p1 = new Float32Array(rows);
    for (let i = 0; i < rows; i++) p1[i] = classes === 1 ? data[i]! : data[i * classes + this.#positive]!;
    return { p1, tensors };
  }

  /** Contributions (log-odds) of every feature for row `i` of `x`; undefined when the model has none. */
  explain(x: ArrayLike<number>, offset: number): Float64Array | undefined {
    return this.margin ? contributions(this.margin, x, offset, this.reference, this.width) : undefined;
  }

  /**
   * Batches sent to the sessions at once: 1 on the main thread; on worker threads two per
   * worker, one running and the next waiting in the worker's message queue, so a worker starts
   * its next batch the moment one ends instead of idling for the round trip through the main
   * thread (result back, next batch out), which on a busy machine waits for the main thread to
   * be scheduled (Triton's instances likewise take the next batch while one executes).
   */
  get concurrency(): number {
    return this.#workers > 0 ? this.#workers * 2 : 1;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#pool?.close();
    await this.#session.release();
  }
}

/** The input must be one float tensor [N, F]; the probabilities [N, k]. */
function checkSignature(session: ort.InferenceSession, width: number): string | undefined {
  if (session.inputNames.length !== 1)
    return `expected one input, found ${session.inputNames.length} (${session.inputNames.join(', ')})`;
  const input = session.inputMetadata[0];
  if (!input?.isTensor) return 'the input is not a tensor';
  if (input.type !== 'float32') return `input ${input.name} is ${input.type}; float32 expected`;
  if (input.shape.length !== 2) return `input ${input.name} has rank ${input.shape.length}; [N, ${width}] expected`;
  const f = input.shape[1];
  if (typeof f === 'number' && f !== width)
    return `input ${input.name} takes ${f} features but the feature set has ${width}`;
  if (typeof input.shape[0] === 'number' && input.shape[0] !== -1)
    return `input ${input.name} has a fixed batch dimension ${input.shape[0]}; a dynamic one is needed for batching`;
  return undefined;
}

/** Rows [start, start + count) of a row-major tensor. */
export function sliceRows(t: OutputTensor, start: number, count: number): OutputTensor {
  const total = t.dims[0] ?? 0;
  const per = total === 0 ? 0 : (t.data as ArrayLike<unknown>).length / total;
  const data = (t.data as Float32Array).subarray(start * per, (start + count) * per) as ort.Tensor.DataType;
  return { name: t.name, type: t.type, dims: [count, ...t.dims.slice(1)], data };
}
