// Model operations on the registry: promote, roll back, import, describe. Promote and rollback
// are idempotent on the registry (an alias already in place writes nothing) and announce a change
// on NATS; a call that changes nothing announces nothing (replicas would reload for no reason,
// and anyone holding a token could make every replica do so). The one exception: a repeated
// call after an announcement that failed (UNAVAILABLE) re-announces, without a second alias
// change, so the caller's retry is how a lost announcement gets delivered.
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  OmenError,
  UnavailableError,
  quote,
} from '@omen/errors';
import { featureNames, featureRegistry, featureSetFingerprint, featureSetId, type FeatureSet } from '@omen/features';
import {
  ArtifactIntegrityError,
  MODEL_EVENT_SUBJECTS,
  checkName,
  modelEventPayload,
  sha256Hex,
  type AliasEvent,
  type LocalModelRegistry,
  type ModelVersionRecord,
} from '@omen/model-registry';
import type { Counter, Logger } from '@omen/telemetry';
import type { ControlPlane } from './adapters/nats-control.ts';
import { importPathRefusal, readImportFile } from './adapters/import-dir.ts';
import { onnxSignatureProblems, readOnnxInfo } from './adapters/onnx-runtime.ts';

export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';

export type ModelStage = 'MODEL_STAGE_CANDIDATE' | 'MODEL_STAGE_PRODUCTION' | 'MODEL_STAGE_ARCHIVED';

export interface ModelView {
  record: ModelVersionRecord;
  aliases: string[];
  stage: ModelStage;
  /** Last time the champion alias moved to this version. */
  promotedAt?: string;
}

export interface ModelSummary {
  name: string;
  champion?: string;
  challenger?: string;
  latest?: string;
  versionCount: number;
  updatedAt?: string;
}

export interface PromoteInput {
  model: string;
  version: string;
  alias?: string;
  force?: boolean;
  reason?: string;
  actor?: string;
}

export interface RollbackInput {
  model: string;
  toVersion?: string;
  alias?: string;
  reason?: string;
  actor?: string;
}

export interface ImportInput {
  model: string;
  version?: string;
  bytes?: Uint8Array;
  artifactPath?: string;
  featureSet: string;
  /** 0 or undefined = latest. */
  featureSetVersion?: number;
  featureNames?: string[];
  metrics?: Record<string, number>;
  metadata?: Record<string, string>;
  sha256?: string;
}

export interface ModelOpsDeps {
  registry: LocalModelRegistry;
  control: ControlPlane | undefined;
  logger: Logger;
  /** Largest artifact ImportModel reads from a path. @default 256 MiB */
  maxImportBytes?: number;
  /** The only directory ImportModel reads artifact_path from. @default undefined (by path refused) */
  importDir?: string | undefined;
  aliasChanges?: Counter<'action' | 'alias' | 'changed'>;
}

export class ModelOps {
  readonly #registry: LocalModelRegistry;
  readonly #control: ControlPlane | undefined;
  readonly #logger: Logger;
  readonly #maxImportBytes: number;
  readonly #aliasChanges: Counter<'action' | 'alias' | 'changed'> | undefined;
  readonly #importDir: string | undefined;
  readonly #reading = new Map<string, Promise<Uint8Array>>();
  /** `model\0alias` whose last announcement failed: the next call for it announces even if nothing changed. */
  readonly #unannounced = new Set<string>();

  constructor(deps: ModelOpsDeps) {
    this.#registry = deps.registry;
    this.#control = deps.control;
    this.#logger = deps.logger;
    this.#maxImportBytes = deps.maxImportBytes ?? 256 * 1024 * 1024;
    this.#aliasChanges = deps.aliasChanges;
    this.#importDir = deps.importDir;
  }

  get registry(): LocalModelRegistry {
    return this.#registry;
  }

  /** Announces a change, or repeats one that failed; a call that changed nothing else stays silent. */
  async #announceIf(
    changed: boolean,
    subject: (typeof MODEL_EVENT_SUBJECTS)[keyof typeof MODEL_EVENT_SUBJECTS],
    record: ModelVersionRecord,
    alias: string,
    previousVersion: string | null,
    at: string,
  ): Promise<void> {
    const key = `${record.name}\0${alias}`;
    if (!changed && !this.#unannounced.has(key)) return;
    this.#unannounced.add(key);
    await this.#announce(subject, record, alias, previousVersion, at);
    this.#unannounced.delete(key);
  }

  async #announce(
    subject: (typeof MODEL_EVENT_SUBJECTS)[keyof typeof MODEL_EVENT_SUBJECTS],
    record: ModelVersionRecord,
    alias: string,
    previousVersion: string | null,
    at: string,
  ): Promise<void> {
    const payload = modelEventPayload({
      model: record.name,
      version: record.version,
      sha256: record.sha256,
      alias,
      previousVersion,
      at,
    });
    if (!this.#control) {
      this.#logger.warn(
        { subject, ...payload },
        'NATS_URL not set: %s not announced (replicas pick it up on their registry poll)',
        subject,
      );
      return;
    }
    try {
      await this.#control.announce(subject, payload);
    } catch (err) {
      throw new UnavailableError(
        `${record.name}/${record.version} is ${alias} in the registry, but announcing it on ${subject} failed (${(err as Error).message}); repeat the call to re-announce`,
        { cause: err },
      );
    }
  }

  /**
   * Points `alias` (champion by default) at a version and announces model.promoted. A version
   * the gate refused needs `force` to become champion.
   */
  async promote(
    input: PromoteInput,
  ): Promise<{ record: ModelVersionRecord; previousVersion: string | null; changed: boolean; alias: string }> {
    const alias = input.alias || CHAMPION;
    checkName('alias', alias);
    const record = await this.#registry.getVersion(input.model, input.version);
    if (alias === CHAMPION && record.gate && !record.gate.passed && !input.force) {
      const failed = record.gate.checks
        .filter((c) => !c.passed)
        .map((c) => c.name)
        .join(', ');
      throw new FailedPreconditionError(
        `${input.model}/${input.version} did not pass the gate (${failed}); set force to promote it anyway`,
      );
    }
    const change = await this.#registry.setAlias(input.model, alias, record.version, {
      action: 'promote',
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.actor ? { actor: input.actor } : {}),
    });
    this.#aliasChanges?.inc({ action: 'promote', alias, changed: String(change.changed) });
    this.#logger.info(
      { model: input.model, version: record.version, alias, previous: change.previousVersion, changed: change.changed },
      'promote %s/%s to %s%s',
      input.model,
      record.version,
      alias,
      change.changed ? '' : ' (already)',
    );
    const previousVersion = change.changed
      ? change.previousVersion
      : await this.#previousOf(input.model, alias, record.version);
    await this.#announceIf(
      change.changed,
      MODEL_EVENT_SUBJECTS.promoted,
      record,
      alias,
      previousVersion,
      change.event?.at ?? new Date().toISOString(),
    );
    return { record, previousVersion, changed: change.changed, alias };
  }

  /** The version `alias` had before it last moved to `version` (from the history). */
  async #previousOf(model: string, alias: string, version: string): Promise<string | null> {
    const last = (await this.#registry.aliasHistory(model, alias)).filter((e) => e.version === version).at(-1);
    return last?.previousVersion ?? null;
  }

  /**
   * Moves `alias` back. With `toVersion`, to that version. Without, it undoes the last promotion:
   * back to the version the alias had before its current one was promoted. When the current
   * version got there by a rollback already, an empty-version rollback changes nothing (so a
   * repeated rollback is not a second step back). Announces model.rolledback.
   */
  async rollback(
    input: RollbackInput,
  ): Promise<{ record: ModelVersionRecord; rolledBackVersion: string | null; changed: boolean; alias: string }> {
    const alias = input.alias || CHAMPION;
    checkName('alias', alias);
    const current = (await this.#registry.aliases(input.model))[alias];
    if (current === undefined) {
      await this.#registry.listVersions(input.model).then((v) => {
        if (v.length === 0) throw new NotFoundError(`unknown model ${quote(input.model)}`, `model/${input.model}`);
      });
      throw new FailedPreconditionError(`model "${input.model}" has no ${alias}: nothing to roll back`);
    }
    const history = await this.#registry.aliasHistory(input.model, alias);
    const arrival: AliasEvent | undefined = history.filter((e) => e.version === current).at(-1);
    let target: string;
    if (input.toVersion) {
      target = input.toVersion;
    } else if (arrival?.action === 'rollback') {
      const record = await this.#registry.getVersion(input.model, current);
      await this.#announceIf(
        false,
        MODEL_EVENT_SUBJECTS.rolledBack,
        record,
        alias,
        arrival.previousVersion,
        arrival.at,
      );
      return { record, rolledBackVersion: arrival.previousVersion, changed: false, alias };
    } else if (arrival?.previousVersion) {
      target = arrival.previousVersion;
    } else {
      throw new FailedPreconditionError(
        `${input.model}/${current} is the first ${alias} on record: there is no earlier version to roll back to (name one with to_version)`,
      );
    }
    const record = await this.#registry.getVersion(input.model, target);
    const change = await this.#registry.setAlias(input.model, alias, target, {
      action: 'rollback',
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.actor ? { actor: input.actor } : {}),
    });
    this.#aliasChanges?.inc({ action: 'rollback', alias, changed: String(change.changed) });
    const rolledBack = change.changed ? change.previousVersion : await this.#previousOf(input.model, alias, target);
    this.#logger.info(
      { model: input.model, version: target, alias, rolledBack, changed: change.changed },
      'rollback %s %s → %s',
      input.model,
      rolledBack ?? '-',
      target,
    );
    await this.#announceIf(
      change.changed,
      MODEL_EVENT_SUBJECTS.rolledBack,
      record,
      alias,
      rolledBack,
      change.event?.at ?? new Date().toISOString(),
    );
    return { record, rolledBackVersion: rolledBack, changed: change.changed, alias };
  }

  /**
   * Registers an externally trained ONNX model after checking it against the feature set: one
   * float32 input [N, F] with F the set's width, a probability output, matching recorded names.
   */
  async import(input: ImportInput): Promise<ModelVersionRecord> {
    checkName('model name', input.model);
    if (input.version) checkName('version', input.version);
    if (!input.featureSet)
      throw new InvalidArgumentError(
        "feature_set is required: the model's inputs are checked against it",
        'feature_set',
      );
    let set: FeatureSet;
    try {
      set = featureRegistry.get(input.featureSet, input.featureSetVersion || undefined);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message, 'feature_set', { cause: err });
    }
    const names = featureNames(set);
    if (
      input.featureNames &&
      input.featureNames.length > 0 &&
      input.featureNames.join('\u0000') !== names.join('\u0000')
    ) {
      throw new InvalidArgumentError(
        `feature_names [${input.featureNames.join(', ')}] differ from ${featureSetId(set)}'s order [${names.join(', ')}]`,
        'feature_names',
      );
    }
    const bytes = input.bytes && input.bytes.length > 0 ? input.bytes : await this.#readArtifact(input.artifactPath);
    const sha256 = sha256Hex(bytes);
    if (input.sha256 && input.sha256.toLowerCase() !== sha256) {
      throw new InvalidArgumentError(
        `the artifact has sha256 ${sha256}, but ${input.sha256} was declared: refusing it`,
        'sha256',
      );
    }
    const problems = await onnxSignatureProblems(bytes, names);
    if (problems.length > 0)
      throw new InvalidArgumentError(
        `the ONNX model does not fit ${featureSetId(set)}: ${problems.join('; ')}`,
        'onnx_model',
      );
    const info = readOnnxInfo(bytes);
    const metrics = Object.fromEntries(Object.entries(input.metrics ?? {}).filter(([, v]) => Number.isFinite(v)));
    const { record, created } = await this.#registry.register({
      name: input.model,
      version: input.version || `sha256-${sha256.slice(0, 12)}`,
      bytes,
      expectedSha256: sha256,
      featureSet: { name: set.name, version: set.version },
      featureNames: [...names],
      metrics,
      ...(input.metadata && Object.keys(input.metadata).length > 0 ? { labels: input.metadata } : {}),
      lineage: {
        source: 'imported',
        codeVersion: input.metadata?.['code_version'] ?? 'external',
        algorithm: info.metadata['model_kind'] ?? 'onnx-import',
        params: { producer: info.producer || 'unknown' },
        featureSetFingerprint: featureSetFingerprint(set),
      },
    });
    this.#logger.info(
      { model: record.name, version: record.version, sha256, created },
      'imported %s/%s%s',
      record.name,
      record.version,
      created ? '' : ' (already registered)',
    );
    return record;
  }

  async #readArtifact(p: string | undefined): Promise<Uint8Array> {
    if (!p) throw new InvalidArgumentError('give the model as onnx_model bytes or an artifact_path', 'artifact');
    if (this.#importDir === undefined) throw importPathRefusal();
    return readImportFile(this.#importDir, p, this.#maxImportBytes);
  }

  /** A version (or the one `alias` names) with its aliases and stage. */
  async describe(model: string, selector: { version: string } | { alias: string }): Promise<ModelView> {
    const version = await this.#registry.versionOf(model, selector);
    const record = await this.#registry.getVersion(model, version);
    return this.#view(record, await this.#registry.aliases(model), await this.#registry.aliasHistory(model, CHAMPION));
  }

  /**
   * A version (or the one `alias` names) with its artifact bytes, verified against the recorded
   * sha256 by the artifact store. Concurrent reads of one artifact share a single store read:
   * replicas scaling out together ask for the same bytes at once, and from S3 each read is a
   * download. Nothing is kept once the read settles.
   */
  async artifact(
    model: string,
    selector: { version: string } | { alias: string },
  ): Promise<{ view: ModelView; bytes: Uint8Array }> {
    const view = await this.describe(model, selector);
    const { name, version, sha256 } = view.record;
    let read = this.#reading.get(sha256);
    if (!read) {
      read = this.#registry.artifacts.get(sha256).finally(() => this.#reading.delete(sha256));
      this.#reading.set(sha256, read);
    }
    try {
      return { view, bytes: await read };
    } catch (err) {
      // The store's own messages name its paths or bucket keys; callers get the version instead.
      if (err instanceof ArtifactIntegrityError)
        throw new ArtifactIntegrityError(err.expected, err.actual, `of ${name}/${version}`, { cause: err });
      if (err instanceof NotFoundError)
        throw new OmenError(
          'DATA_LOSS',
          `${name}/${version} is registered with sha256 ${sha256}, but the artifact store has no such artifact`,
          { cause: err },
        );
      throw err;
    }
  }

  #view(record: ModelVersionRecord, aliases: Record<string, string>, championHistory: AliasEvent[]): ModelView {
    const mine = Object.entries(aliases)
      .filter(([, v]) => v === record.version)
      .map(([a]) => a)
      .sort();
    const promotedAt = championHistory.filter((e) => e.version === record.version).at(-1)?.at;
    const stage: ModelStage = mine.includes(CHAMPION)
      ? 'MODEL_STAGE_PRODUCTION'
      : promotedAt
        ? 'MODEL_STAGE_ARCHIVED'
        : 'MODEL_STAGE_CANDIDATE';
    return { record, aliases: mine, stage, ...(promotedAt ? { promotedAt } : {}) };
  }

  /** Every version of a model with aliases and stage, oldest first. */
  async versions(model: string): Promise<ModelView[]> {
    const records = await this.#registry.listVersions(model);
    const aliases = await this.#registry.aliases(model);
    const history = await this.#registry.aliasHistory(model, CHAMPION);
    return records.map((r) => this.#view(r, aliases, history));
  }

  async list(prefix = ''): Promise<ModelSummary[]> {
    const out: ModelSummary[] = [];
    for (const name of await this.#registry.models()) {
      if (!name.startsWith(prefix)) continue;
      const records = await this.#registry.listVersions(name);
      const aliases = await this.#registry.aliases(name);
      const lastEvent = (await this.#registry.aliasHistory(name)).at(-1)?.at;
      const lastCreated = records.at(-1)?.createdAt;
      const updatedAt = [lastEvent, lastCreated]
        .filter((t): t is string => t !== undefined)
        .sort()
        .at(-1);
      out.push({
        name,
        ...(aliases[CHAMPION] ? { champion: aliases[CHAMPION] } : {}),
        ...(aliases[CHALLENGER] ? { challenger: aliases[CHALLENGER] } : {}),
        ...(records.at(-1) ? { latest: records.at(-1)!.version } : {}),
        versionCount: records.length,
        ...(updatedAt ? { updatedAt } : {}),
      });
    }
    return out;
  }
}
