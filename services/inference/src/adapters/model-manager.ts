// The models inference serves: per model name, a version per alias (champion, challenger),
// each with its own dynamic batcher. Promotions and rollbacks load the new version beside the
// old one and swap the alias in one assignment; requests already holding the old version finish
// on it, and it is released once its queue drains. A failed load leaves the alias as it was and
// is reported (log, metric, lastErrors()).
import { NotFoundError, escapeText, isOmenError, quote } from '@omen/errors';
import { checkName } from '@omen/ids';
import { KeyedSerializer } from '@omen/service';
import type { Logger } from '@omen/telemetry';
import { DynamicBatcher, type BatcherOptions, type Scheduler, type SubmitOptions } from '../domain/batcher.ts';
import type { InferenceMetrics } from '../metrics.ts';
import type { ModelEvent, ModelSource } from '@omen/model-registry';
import { OnnxModel, sliceRows, type RunOutput, type SessionOptions } from './onnx-session.ts';

export interface RowsInput {
  /** Row-major float32 features, `rows × width`. */
  x: Float32Array;
  rows: number;
}

/** A loaded version and the queue in front of its session. */
export class ServedModel {
  readonly model: OnnxModel;
  readonly #batcher: DynamicBatcher<RowsInput, RunOutput>;
  #leases = 0;
  #onUnleased: (() => void)[] = [];

  constructor(model: OnnxModel, batcher: BatcherOptions, scheduler: Scheduler, metrics: InferenceMetrics | undefined) {
    this.model = model;
    const label = { model: `${model.name}/${model.version}` };
    this.#batcher = new DynamicBatcher<RowsInput, RunOutput>(
      // One batch per session at a time: the worker sessions run side by side.
      { ...batcher, maxConcurrentBatches: model.concurrency },
      async (inputs) => {
        const rows = inputs.reduce((s, it) => s + it.rows, 0);
        let x: Float32Array;
        if (inputs.length === 1) x = inputs[0]!.x;
        else {
          x = new Float32Array(rows * model.width);
          let at = 0;
          for (const it of inputs) {
            x.set(it.x.subarray(0, it.rows * model.width), at);
            at += it.rows * model.width;
          }
        }
        const end = metrics?.computeDuration.startTimer(label);
        const out = await model.run(x, rows);
        end?.();
        if (inputs.length === 1) return [out];
        let start = 0;
        return inputs.map((it) => {
          const part: RunOutput = {
            p1: out.p1.subarray(start, start + it.rows),
            tensors: out.tensors.map((t) => sliceRows(t, start, it.rows)),
          };
          start += it.rows;
          return part;
        });
      },
      scheduler,
      (event) => {
        if (!metrics) return;
        metrics.batchSize.observe(label, event.rows);
        for (const us of event.queueDelaysUs) metrics.queueDuration.observe(label, us / 1e6);
      },
    );
  }

  get name(): string {
    return this.model.name;
  }

  get version(): string {
    return this.model.version;
  }

  get queuedRows(): number {
    return this.#batcher.queuedRows;
  }

  /** Queues rows for the next batch; rejects RESOURCE_EXHAUSTED when the queue is full. */
  infer(input: RowsInput, options: Omit<SubmitOptions, 'rows'> = {}): Promise<RunOutput> {
    return this.#batcher.submit(input, { ...options, rows: input.rows });
  }

  /**
   * Marks the model in use by a request that has resolved it but not yet queued its rows (a
   * Redis lookup may sit in between); retire() waits for every lease. Returns the release.
   */
  lease(): () => void {
    this.#leases++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#leases === 0) for (const fn of this.#onUnleased.splice(0)) fn();
    };
  }

  /** Stops taking work once no request holds it, lets queued and running batches finish, then releases the session. */
  async retire(): Promise<void> {
    if (this.#leases > 0) await new Promise<void>((resolve) => this.#onUnleased.push(resolve));
    await this.#batcher.idle();
    this.#batcher.close(
      new NotFoundError(
        `${this.model.name}/${this.model.version} was unloaded`,
        `model/${this.model.name}/${this.model.version}`,
      ),
    );
    await this.model.release();
  }
}

/** The registry's promotion event (@omen/model-registry); a given sha256 must match the loaded artifact. */
export type { ModelEvent };

export interface LoadFailure extends ModelEvent {
  error: string;
  at: string;
}

export interface ModelManagerOptions {
  source: ModelSource;
  session: SessionOptions;
  batcher: BatcherOptions;
  scheduler: Scheduler;
  logger: Logger;
  metrics?: InferenceMetrics;
  /** The alias an empty version means. @default 'champion' */
  defaultAlias?: string;
}

interface Entry {
  aliases: Map<string, ServedModel>;
}

export class ModelManager {
  readonly #o: ModelManagerOptions;
  readonly #models = new Map<string, Entry>();
  readonly #failures = new Map<string, LoadFailure>();
  /** Serialises swaps of one model so the last event applied is the one that sticks. */
  readonly #applying = new KeyedSerializer<string>();
  readonly #defaultAlias: string;
  #closed = false;

  constructor(options: ModelManagerOptions) {
    this.#o = options;
    this.#defaultAlias = options.defaultAlias ?? 'champion';
  }

  get defaultAlias(): string {
    return this.#defaultAlias;
  }

  #entry(name: string): Entry {
    let e = this.#models.get(name);
    if (!e) {
      e = { aliases: new Map() };
      this.#models.set(name, e);
    }
    return e;
  }

  /**
   * Loads each alias the registry has for `name` (of `aliases`). The default alias failing is an
   * error (the caller retries); another alias failing is reported and skipped.
   */
  async loadAliases(name: string, aliases: readonly string[]): Promise<void> {
    const known = await this.#o.source.aliases(name);
    for (const alias of aliases) {
      const version = known[alias];
      if (version === undefined) {
        if (alias === this.#defaultAlias)
          throw new NotFoundError(
            `model ${quote(name)} has no ${escapeText(alias)} in the registry`,
            `model/${name}@${alias}`,
          );
        continue;
      }
      try {
        await this.apply({ model: name, version, alias });
      } catch (err) {
        if (alias === this.#defaultAlias) throw err;
      }
    }
  }

  /**
   * Serves `version` under `alias` (a promotion, or a rollback to an older version). Reuses the
   * loaded instance when that version is already served; otherwise loads, verifies and warms it
   * up first. On failure the alias keeps its old version and the failure is recorded.
   */
  apply(event: ModelEvent): Promise<ServedModel> {
    const entry = this.#entry(event.model);
    return this.#applying.run(event.model, () => this.#apply(entry, event));
  }

  async #apply(entry: Entry, event: ModelEvent): Promise<ServedModel> {
    const { logger, metrics } = this.#o;
    const key = `${event.model}@${event.alias}`;
    const labels = { model: event.model, version: event.version, alias: event.alias };
    const current = entry.aliases.get(event.alias);
    if (current && current.version === event.version && (!event.sha256 || current.model.sha256 === event.sha256)) {
      this.#failures.delete(key);
      return current;
    }
    let served: ServedModel;
    try {
      const existing = [...entry.aliases.values()].find(
        (s) => s.version === event.version && (!event.sha256 || s.model.sha256 === event.sha256),
      );
      if (existing) served = existing;
      else {
        const artifact = await this.#o.source.resolve(event.model, { version: event.version });
        if (event.sha256 && artifact.sha256.toLowerCase() !== event.sha256.toLowerCase()) {
          throw new NotFoundError(
            `${event.model}/${event.version} in the registry has sha256 ${artifact.sha256}, the event announced ${event.sha256}`,
            `model/${event.model}/${event.version}`,
          );
        }
        const model = await OnnxModel.load(artifact, this.#o.session, logger);
        served = new ServedModel(model, this.#o.batcher, this.#o.scheduler, metrics);
        metrics?.modelEvents.inc({ ...labels, event: 'load' });
        logger.info(
          { ...labels, sha256: model.sha256, provider: model.provider, explanation: model.explanation },
          'loaded %s/%s',
          event.model,
          event.version,
        );
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#failures.set(key, { ...event, error: message, at: new Date().toISOString() });
      metrics?.modelEvents.inc({ ...labels, event: 'load_failed' });
      logger.error(
        { ...labels, err, keeps: current?.version ?? null },
        'loading %s/%s for %s failed; %s',
        event.model,
        event.version,
        event.alias,
        current ? `still serving ${current.version}` : 'nothing served under that alias',
      );
      throw err;
    }
    if (this.#closed) {
      await served.retire();
      throw new NotFoundError('the model manager is closed');
    }
    // The swap: one assignment. Requests that already hold `current` finish on it.
    entry.aliases.set(event.alias, served);
    this.#failures.delete(key);
    if (current) {
      metrics?.modelInfo.remove({
        model: event.model,
        version: current.version,
        alias: event.alias,
        provider: current.model.provider,
      });
    }
    metrics?.modelInfo.set(
      { model: event.model, version: served.version, alias: event.alias, provider: served.model.provider },
      1,
    );
    metrics?.modelEvents.inc({ ...labels, event: 'swap' });
    logger.info(
      { ...labels, previous: current?.version ?? null },
      '%s now serves %s/%s',
      event.alias,
      event.model,
      event.version,
    );
    if (current && ![...entry.aliases.values()].includes(current)) {
      metrics?.modelEvents.inc({ model: event.model, version: current.version, alias: event.alias, event: 'retire' });
      current
        .retire()
        .catch((err: unknown) =>
          logger.warn({ err, model: event.model, version: current.version }, 'releasing the replaced version failed'),
        );
    }
    return served;
  }

  /**
   * The served model for a request: `version` empty = the default alias; otherwise a loaded
   * version, or an alias name. NOT_FOUND lists what is served.
   */
  get(name: string, version = ''): ServedModel {
    // Caller-supplied: refused by the shared grammar before they reach a message or a key.
    checkName(name, 'model_name');
    if (version !== '') checkName(version, 'model_version');
    const entry = this.#models.get(name);
    const served = entry
      ? version === ''
        ? entry.aliases.get(this.#defaultAlias)
        : ([...entry.aliases.values()].find((s) => s.version === version) ?? entry.aliases.get(version))
      : undefined;
    if (served) return served;
    if (!entry || entry.aliases.size === 0) {
      const names = [...this.#models].filter(([, e]) => e.aliases.size > 0).map(([n]) => n);
      throw new NotFoundError(
        `model ${quote(name)} is not served here (served: ${names.join(', ') || 'none'})`,
        `model/${name}`,
      );
    }
    const versions = [...entry.aliases].map(([alias, s]) => `${s.version} (${alias})`).join(', ');
    throw new NotFoundError(
      version === ''
        ? `model "${name}" has no ${this.#defaultAlias} loaded (served: ${versions})`
        : `model "${name}" has no version "${version}" loaded (served: ${versions})`,
      `model/${name}/${version || this.#defaultAlias}`,
    );
  }

  /** Every served (model, alias, version). */
  served(): { model: string; alias: string; served: ServedModel }[] {
    return [...this.#models].flatMap(([model, e]) =>
      [...e.aliases].map(([alias, served]) => ({ model, alias, served })),
    );
  }

  /** Whether `name` has its default alias loaded. */
  isReady(name: string): boolean {
    return this.#models.get(name)?.aliases.has(this.#defaultAlias) ?? false;
  }

  /** Loads that failed and have not been superseded by a successful one. */
  lastErrors(): LoadFailure[] {
    return [...this.#failures.values()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = new Set(this.served().map((s) => s.served));
    this.#models.clear();
    await Promise.all([...all].map((s) => s.retire().catch(() => undefined)));
  }
}

/** Whether an error from apply() is the registry not having what was asked (vs. a broken artifact). */
export function isNotFound(err: unknown): boolean {
  return isOmenError(err) && err.code === 'NOT_FOUND';
}
