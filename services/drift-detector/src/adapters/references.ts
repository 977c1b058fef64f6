// Which reference each watched model is compared against: the training statistics
// (referenceStats) of the version its serving alias points at. Re-read on model.promoted /
// model.rolledback and on a poll; the registry stays the source of truth, so a missed event heals.
import type { FeatureSetRef, ModelSource, ModelVersionRecord, ReferenceStatistics } from '@omen/model-registry';
import type { Logger } from '@omen/telemetry';
import type { Reference } from '../domain/window.ts';

/** What a reference needs from a registry: aliases, and a version's feature set and statistics. */
export interface ReferenceSource {
  aliases(name: string): Promise<Record<string, string>>;
  record(
    name: string,
    version: string,
  ): Promise<{ featureSet: FeatureSetRef; referenceStats?: ReferenceStatistics | undefined }>;
}

/**
 * A ModelSource as a ReferenceSource. LocalModelRegistry has `getVersion` (the record alone);
 * any other ModelSource is read through `resolve`, whose artifact bytes are then dropped.
 */
export function referenceSourceOf(source: ModelSource): ReferenceSource {
  const direct = (source as Partial<{ getVersion(n: string, v: string): Promise<ModelVersionRecord> }>).getVersion;
  return {
    aliases: (name) => source.aliases(name),
    async record(name, version) {
      if (typeof direct === 'function') return direct.call(source, name, version);
      const { bytes: _bytes, ...record } = await source.resolve(name, { version });
      return record;
    },
  };
}

export type ReferenceState = { state: 'ok'; reference: Reference } | { state: 'missing'; reason: string };

export class ReferenceTracker {
  readonly #current = new Map<string, ReferenceState>();

  readonly #source: ReferenceSource;
  readonly #alias: string;
  readonly #logger: Logger;

  constructor(source: ReferenceSource, alias: string, logger: Logger) {
    this.#source = source;
    this.#alias = alias;
    this.#logger = logger;
  }

  /** The reference of `model` now, if it has a serving version with reference statistics. */
  get(model: string): Reference | undefined {
    const s = this.#current.get(model);
    return s?.state === 'ok' ? s.reference : undefined;
  }

  state(model: string): ReferenceState | undefined {
    return this.#current.get(model);
  }

  /** Re-reads the alias and, if it moved, the version's record. Resolves with what is current. */
  async refresh(model: string): Promise<ReferenceState> {
    const version = (await this.#source.aliases(model))[this.#alias];
    const before = this.#current.get(model);
    if (!version)
      return this.#set(model, before, { state: 'missing', reason: `model "${model}" has no "${this.#alias}" alias` });
    if (before?.state === 'ok' && before.reference.version === version) return before;
    const record = await this.#source.record(model, version);
    if (!record.referenceStats)
      return this.#set(model, before, {
        state: 'missing',
        reason: `${model}/${version} has no referenceStats (trained before the registry stored them, or imported)`,
      });
    return this.#set(model, before, {
      state: 'ok',
      reference: { model, version, featureSet: record.featureSet, stats: record.referenceStats },
    });
  }

  #set(model: string, before: ReferenceState | undefined, next: ReferenceState): ReferenceState {
    this.#current.set(model, next);
    const was = before?.state === 'ok' ? before.reference.version : before?.reason;
    const now = next.state === 'ok' ? next.reference.version : next.reason;
    if (was !== now) {
      if (next.state === 'ok')
        this.#logger.info(
          { model, version: next.reference.version, previous: was },
          'drift reference for %s is now %s/%s',
          model,
          model,
          next.reference.version,
        );
      else this.#logger.warn({ model, reason: next.reason }, 'no drift reference for %s: %s', model, next.reason);
    }
    return next;
  }
}
