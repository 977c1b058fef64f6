// The model registry: versions with lineage, aliases with history, artifacts by sha256.
//
// Directory layout (every file write is a temp file + rename, so a reader never sees half a
// file; it is the layout inference's first registry reader used, so both read each other):
//   <root>/blobs/sha256/<hex>                       the ONNX bytes (LocalArtifactStore; or S3)
//   <root>/models/<name>/versions/<version>.json    ModelVersionRecord (immutable once written)
//   <root>/models/<name>/aliases.json               { "champion": "<version>", ... }
//   <root>/models/<name>/alias-events.jsonl         AliasEvent per line, append-only
//
// Writers: ONE process writes a registry root (the trainer-coordinator); readers (inference,
// drift detector, CLI) may be many. Within the writer, register and setAlias are serialised per
// model (an in-process lock), so "read aliases, change, write" cannot interleave. Two writer
// processes on one root are not supported: aliases.json would be last-writer-wins and the
// version counter could hand out a number twice (the second register of an existing version
// with other bytes is refused, so no record is overwritten). Readers are always safe.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, UnavailableError, quote } from '@omen/errors';
import { checkName as checkIdsName, isName } from '@omen/ids';
import { KeyedSerializer } from '@omen/service/serial';
import { LocalArtifactStore, checkSha256, writeAtomic, type ArtifactStore } from './artifact-store.ts';
import type {
  AliasAction,
  AliasChange,
  AliasEvent,
  FeatureSetRef,
  ModelArtifact,
  ModelSelector,
  ModelSource,
  ModelVersionRecord,
} from './types.ts';

/** Throws INVALID_ARGUMENT unless `value` is a safe model name, version or alias (it becomes a path): @omen/ids' grammar. */
export function checkName(what: 'model name' | 'version' | 'alias', value: string): void {
  checkIdsName(value, what.replace(' ', '_'));
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw new UnavailableError(`model registry file ${file} is unreadable: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new UnavailableError(`model registry file ${file} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** "v10" after "v9"; plain strings compare as strings. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Told about every durable change, after it is on disk (the ClickHouse mirror listens). */
export interface RegistryListener {
  onVersion?(record: ModelVersionRecord): Promise<void> | void;
  onAliasEvent?(event: AliasEvent): Promise<void> | void;
}

export interface RegistryOptions {
  /** Where artifacts live. @default LocalArtifactStore(root) */
  artifacts?: ArtifactStore;
  listeners?: RegistryListener[];
  /** A listener failed (the change itself is durable). @default ignore */
  onListenerError?: (err: unknown, what: string) => void;
  /** @default () => new Date() */
  now?: () => Date;
}

export interface RegisterInput extends Omit<
  ModelVersionRecord,
  'version' | 'sha256' | 'createdAt' | 'size' | 'artifactUri'
> {
  /** @default the next `v<N>` of the model */
  version?: string;
  bytes: Uint8Array;
  /** When given, the bytes must hash to it (INVALID_ARGUMENT otherwise). */
  expectedSha256?: string;
}

export interface PublishOptions {
  featureSet: FeatureSetRef;
  reference?: Record<string, number>;
  labels?: Record<string, string>;
  /** Sets these aliases to the new version. @default [] */
  aliases?: string[];
}

export interface SetAliasOptions {
  action?: AliasAction;
  reason?: string;
  actor?: string;
}

/** The registry over a local directory, artifacts in `options.artifacts` (local by default). */
export class LocalModelRegistry implements ModelSource {
  readonly root: string;
  readonly artifacts: ArtifactStore;
  readonly #listeners: RegistryListener[];
  readonly #onListenerError: (err: unknown, what: string) => void;
  readonly #now: () => Date;
  readonly #locks = new KeyedSerializer<string>();
  #lastEventMs = 0;
  #eventSeq = 0;

  constructor(root: string, options: RegistryOptions = {}) {
    this.root = path.resolve(root);
    this.artifacts = options.artifacts ?? new LocalArtifactStore(this.root);
    this.#listeners = [...(options.listeners ?? [])];
    this.#onListenerError = options.onListenerError ?? (() => undefined);
    this.#now = options.now ?? (() => new Date());
  }

  /** Adds a listener (e.g. the ClickHouse mirror once it connected). */
  addListener(listener: RegistryListener): void {
    this.#listeners.push(listener);
  }

  #modelDir(name: string): string {
    return path.join(this.root, 'models', name);
  }

  #versionFile(name: string, version: string): string {
    return path.join(this.#modelDir(name), 'versions', `${version}.json`);
  }

  /** Path of the blob when artifacts are local (what the first reader called blobPath). */
  blobPath(sha256: string): string {
    return new LocalArtifactStore(this.root).uri(sha256);
  }

  /** Runs `fn` after every earlier locked call for `name` settled. */
  #locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(name, fn);
  }

  async #notify(what: string, fn: (l: RegistryListener) => Promise<void> | void): Promise<void> {
    for (const l of this.#listeners) {
      try {
        await fn(l);
      } catch (err) {
        this.#onListenerError(err, what);
      }
    }
  }

  async models(): Promise<string[]> {
    try {
      return (await readdir(path.join(this.root, 'models'))).filter((n) => isName(n)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async aliases(name: string): Promise<Record<string, string>> {
    checkName('model name', name);
    return (await readJson<Record<string, string>>(path.join(this.#modelDir(name), 'aliases.json'))) ?? {};
  }

  /** Version names of a model, oldest first ("v2" before "v10"). */
  async versions(name: string): Promise<string[]> {
    checkName('model name', name);
    try {
      return (await readdir(path.join(this.#modelDir(name), 'versions')))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .filter((v) => isName(v))
        .sort(compareVersions);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  /** Every version record of a model, oldest registration first. */
  async listVersions(name: string): Promise<ModelVersionRecord[]> {
    const records: ModelVersionRecord[] = [];
    for (const v of await this.versions(name)) {
      const r = await readJson<ModelVersionRecord>(this.#versionFile(name, v));
      if (r) records.push(r);
    }
    return records.sort(
      (a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || compareVersions(a.version, b.version),
    );
  }

  async #unknownModel(name: string): Promise<NotFoundError> {
    const known = await this.models();
    return new NotFoundError(`unknown model ${quote(name)} (known: ${known.join(', ') || 'none'})`, `model/${name}`);
  }

  /** The record of one version, without its bytes. */
  async getVersion(name: string, version: string): Promise<ModelVersionRecord> {
    checkName('model name', name);
    checkName('version', version);
    const record = await readJson<ModelVersionRecord>(this.#versionFile(name, version));
    if (record) return record;
    if (!(await this.models()).includes(name)) throw await this.#unknownModel(name);
    throw new NotFoundError(
      `model ${quote(name)} has no version ${quote(version)} (versions: ${(await this.versions(name)).join(', ') || 'none'})`,
      `model/${name}/${version}`,
    );
  }

  /** The version an alias or version selector names. */
  async versionOf(name: string, selector: ModelSelector): Promise<string> {
    checkName('model name', name);
    if ('version' in selector) return selector.version;
    checkName('alias', selector.alias);
    const aliases = await this.aliases(name);
    const v = aliases[selector.alias];
    if (v !== undefined) return v;
    if (!(await this.models()).includes(name)) throw await this.#unknownModel(name);
    throw new NotFoundError(
      `model ${quote(name)} has no alias ${quote(selector.alias)} (aliases: ${Object.keys(aliases).join(', ') || 'none'})`,
      `model/${name}@${selector.alias}`,
    );
  }

  /** A version with its artifact bytes, verified against the recorded sha256 (DATA_LOSS otherwise). */
  async resolve(name: string, selector: ModelSelector): Promise<ModelArtifact> {
    const record = await this.getVersion(name, await this.versionOf(name, selector));
    const bytes = await this.artifacts.get(record.sha256);
    return { ...record, bytes };
  }

  /** The next free `v<N>` of a model. */
  async nextVersion(name: string): Promise<string> {
    let max = 0;
    for (const v of await this.versions(name)) {
      const m = /^v(\d+)$/.exec(v);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return `v${max + 1}`;
  }

  /**
   * Stores the artifact and registers a version. Idempotent: registering the same version with
   * the same bytes again returns the stored record (`created: false`); other bytes under an
   * existing version are refused (ALREADY_EXISTS).
   */
  async register(input: RegisterInput): Promise<{ record: ModelVersionRecord; created: boolean }> {
    const { bytes, expectedSha256, version: wanted, ...rest } = input;
    checkName('model name', rest.name);
    if (wanted !== undefined) checkName('version', wanted);
    if (expectedSha256 !== undefined) checkSha256(expectedSha256, 'expected sha256');
    if (bytes.length === 0) throw new InvalidArgumentError('artifact is empty', 'artifact');
    const result = await this.#locked(rest.name, async () => {
      const stored = await this.artifacts.put(bytes);
      if (expectedSha256 !== undefined && stored.sha256 !== expectedSha256) {
        throw new InvalidArgumentError(
          `artifact has sha256 ${stored.sha256}, but ${expectedSha256} was declared: refusing it`,
          'sha256',
        );
      }
      const version = wanted ?? (await this.nextVersion(rest.name));
      const file = this.#versionFile(rest.name, version);
      const existing = await readJson<ModelVersionRecord>(file);
      if (existing) {
        if (existing.sha256 === stored.sha256) return { record: existing, created: false };
        throw new AlreadyExistsError(
          `model "${rest.name}" already has a version "${version}" with another artifact (sha256 ${existing.sha256})`,
          `model/${rest.name}/${version}`,
        );
      }
      const record: ModelVersionRecord = {
        ...rest,
        version,
        sha256: stored.sha256,
        format: rest.format ?? 'onnx',
        size: stored.size,
        artifactUri: stored.uri,
        createdAt: this.#now().toISOString(),
      };
      await writeAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
      return { record, created: true };
    });
    if (result.created) await this.#notify('version', (l) => l.onVersion?.(result.record));
    return result;
  }

  /** Stores an artifact under its hash and registers a version with optional aliases (the first reader's API). */
  async publish(
    name: string,
    version: string,
    bytes: Uint8Array,
    options: PublishOptions,
  ): Promise<ModelVersionRecord> {
    const { record } = await this.register({
      name,
      version,
      bytes,
      featureSet: options.featureSet,
      ...(options.reference ? { reference: options.reference } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    });
    for (const alias of options.aliases ?? []) await this.setAlias(name, alias, version);
    return record;
  }

  #eventId(at: Date): string {
    const ms = at.getTime();
    this.#eventSeq = ms === this.#lastEventMs ? this.#eventSeq + 1 : 0;
    this.#lastEventMs = ms;
    return `${ms.toString().padStart(15, '0')}-${this.#eventSeq.toString().padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
  }

  /**
   * Points an alias at a version (or removes it with `null`). Idempotent: when the alias already
   * points there nothing is written and `changed` is false. The version must exist.
   */
  async setAlias(
    name: string,
    alias: string,
    version: string | null,
    options: SetAliasOptions = {},
  ): Promise<AliasChange> {
    checkName('model name', name);
    checkName('alias', alias);
    if (version !== null) {
      checkName('version', version);
      await this.getVersion(name, version);
    }
    const change = await this.#locked(name, async (): Promise<AliasChange> => {
      const aliases = await this.aliases(name);
      const previous = aliases[alias] ?? null;
      if (previous === version) return { model: name, alias, version, previousVersion: previous, changed: false };
      if (version === null) delete aliases[alias];
      else aliases[alias] = version;
      const at = this.#now();
      const event: AliasEvent = {
        id: this.#eventId(at),
        model: name,
        alias,
        version,
        previousVersion: previous,
        action: options.action ?? (version === null ? 'clear' : 'set'),
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.actor ? { actor: options.actor } : {}),
        at: at.toISOString(),
      };
      // History first: a crash between the two leaves an event for a change that did not
      // happen, which the next setAlias (reading aliases.json) simply supersedes; the other
      // order could lose the record of a change that did happen.
      await mkdir(this.#modelDir(name), { recursive: true });
      await appendFile(path.join(this.#modelDir(name), 'alias-events.jsonl'), `${JSON.stringify(event)}\n`);
      await writeAtomic(path.join(this.#modelDir(name), 'aliases.json'), `${JSON.stringify(aliases, null, 2)}\n`);
      return { model: name, alias, version, previousVersion: previous, changed: true, event };
    });
    if (change.event) {
      const event = change.event;
      await this.#notify('alias event', (l) => l.onAliasEvent?.(event));
    }
    return change;
  }

  /** Alias changes of a model, oldest first; only `alias`'s when given. */
  async aliasHistory(name: string, alias?: string): Promise<AliasEvent[]> {
    checkName('model name', name);
    let text: string;
    try {
      text = await readFile(path.join(this.#modelDir(name), 'alias-events.jsonl'), 'utf8');
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const events: AliasEvent[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        events.push(JSON.parse(line) as AliasEvent);
      } catch {
        // A torn last line (crash mid-append) is skipped; every complete line is still read.
      }
    }
    return alias === undefined ? events : events.filter((e) => e.alias === alias);
  }
}
