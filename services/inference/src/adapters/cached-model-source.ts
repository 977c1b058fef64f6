// A ModelSource that remembers what another one answered, on disk, so a replica that starts (or
// restarts) while the trainer is down can still load the versions it last saw instead of staying
// NOT_SERVING. Only a transient failure of the inner source (isRetryable: UNAVAILABLE, a deadline)
// falls back to the cache; NOT_FOUND and every other definitive answer pass through, because the
// registry saying "no such version" must never be hidden behind an old copy.
//
// Layout under the directory (every write is temp file + rename, so a crash leaves either the old
// or the new file, never half of one):
//   blobs/<sha256>                         artifact bytes, content-addressed
//   models/<name>/versions/<version>.json  { cachedAt, record }
//   models/<name>/aliases.json             the last aliases the inner source answered
//   models.json                            the last model list
// Cached bytes are hashed again on every read: a file that no longer matches its sha256 is
// deleted and not served.
import { readFile, readdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isRetryable } from '@omen/errors';
import {
  sha256Hex,
  writeAtomic,
  type ModelArtifact,
  type ModelSelector,
  type ModelSource,
  type ModelVersionRecord,
  isSha256Hex,
} from '@omen/model-registry';
import { KeyedSerializer } from '@omen/service';
import type { Logger } from '@omen/telemetry';

export interface CachedModelSourceOptions {
  /** The cache directory (an emptyDir or PVC per pod); created when missing. */
  dir: string;
  logger?: Logger | undefined;
  /** Versions kept per model besides those the cached aliases point at, most recently cached first. @default 8 */
  keepRecent?: number;
}

interface CachedVersion {
  cachedAt: number;
  record: ModelVersionRecord;
}

// Model names and versions become path segments; encoding keeps '/' and '..' from escaping the directory.
const segment = (s: string): string => encodeURIComponent(s).replace(/^\.+/, (dots) => '%2E'.repeat(dots.length));

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    // A missing or unreadable cache file is as good as none: the inner source's error is the answer.
    return undefined;
  }
}

export class CachedModelSource implements ModelSource {
  readonly dir: string;
  readonly #inner: ModelSource;
  readonly #logger: Logger | undefined;
  readonly #keepRecent: number;
  // Writes and pruning run one at a time, so a prune never deletes a blob another write is about to reference.
  readonly #writes = new KeyedSerializer<'cache'>();

  constructor(inner: ModelSource, options: CachedModelSourceOptions) {
    this.#inner = inner;
    this.dir = options.dir;
    this.#logger = options.logger;
    this.#keepRecent = options.keepRecent ?? 8;
  }

  async resolve(name: string, selector: ModelSelector): Promise<ModelArtifact> {
    let artifact: ModelArtifact;
    try {
      artifact = await this.#inner.resolve(name, selector);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const cached = await this.#cachedArtifact(name, selector);
      if (!cached) throw err;
      this.#logger?.warn(
        { err, model: name, version: cached.version, sha256: cached.sha256 },
        'model source unavailable; serving the cached version',
      );
      return cached;
    }
    await this.#write(async () => {
      await this.#storeArtifact(artifact);
      if ('alias' in selector) {
        const aliases = (await readJson<Record<string, string>>(this.#aliasesFile(name))) ?? {};
        if (aliases[selector.alias] !== artifact.version)
          await writeAtomic(
            this.#aliasesFile(name),
            JSON.stringify({ ...aliases, [selector.alias]: artifact.version }),
          );
      }
      await this.#prune(name);
    });
    return artifact;
  }

  async aliases(name: string): Promise<Record<string, string>> {
    let aliases: Record<string, string>;
    try {
      aliases = await this.#inner.aliases(name);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const cached = await readJson<Record<string, string>>(this.#aliasesFile(name));
      if (!cached) throw err;
      this.#logger?.warn(
        { err, model: name, aliases: cached },
        'model source unavailable; answering the cached aliases',
      );
      return cached;
    }
    await this.#write(async () => {
      await writeAtomic(this.#aliasesFile(name), JSON.stringify(aliases));
      await this.#prune(name);
    });
    return aliases;
  }

  async models(): Promise<string[]> {
    let models: string[];
    try {
      models = await this.#inner.models();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const cached = await readJson<string[]>(path.join(this.dir, 'models.json'));
      if (!cached) throw err;
      this.#logger?.warn({ err }, 'model source unavailable; answering the cached model list');
      return cached;
    }
    await this.#write(() => writeAtomic(path.join(this.dir, 'models.json'), JSON.stringify(models)));
    return models;
  }

  #modelDir(name: string): string {
    return path.join(this.dir, 'models', segment(name));
  }

  #aliasesFile(name: string): string {
    return path.join(this.#modelDir(name), 'aliases.json');
  }

  #versionFile(name: string, version: string): string {
    return path.join(this.#modelDir(name), 'versions', `${segment(version)}.json`);
  }

  #blobFile(sha256: string): string {
    return path.join(this.dir, 'blobs', sha256);
  }

  /** A failed cache write costs the fallback, never the answer the inner source gave. */
  async #write(fn: () => Promise<unknown>): Promise<void> {
    await this.#writes
      .run('cache', fn)
      .catch((err: unknown) => this.#logger?.warn({ err, dir: this.dir }, 'model cache write failed'));
  }

  async #storeArtifact(artifact: ModelArtifact): Promise<void> {
    const { bytes, ...record } = artifact;
    const sha = record.sha256.toLowerCase();
    if (!isSha256Hex(sha)) return;
    const blob = this.#blobFile(sha);
    const existing = await readFile(blob).catch(() => undefined);
    if (!existing || sha256Hex(existing) !== sha) await writeAtomic(blob, bytes);
    const entry: CachedVersion = { cachedAt: Date.now(), record };
    await writeAtomic(this.#versionFile(record.name, record.version), JSON.stringify(entry));
  }

  async #cachedArtifact(name: string, selector: ModelSelector): Promise<ModelArtifact | undefined> {
    const version =
      'version' in selector
        ? selector.version
        : (await readJson<Record<string, string>>(this.#aliasesFile(name)))?.[selector.alias];
    if (version === undefined) return undefined;
    const entry = await readJson<CachedVersion>(this.#versionFile(name, version));
    const record = entry?.record;
    if (!record || record.name !== name || record.version !== version || typeof record.sha256 !== 'string')
      return undefined;
    const sha = record.sha256.toLowerCase();
    if (!isSha256Hex(sha)) return undefined;
    const blob = this.#blobFile(sha);
    const bytes = await readFile(blob).catch(() => undefined);
    if (!bytes) return undefined;
    const actual = sha256Hex(bytes);
    if (actual !== sha) {
      this.#logger?.warn(
        { model: name, version, expected: sha, actual, file: blob },
        'cached model artifact is damaged; deleted, not served',
      );
      await unlink(blob).catch(() => undefined);
      return undefined;
    }
    return { ...record, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  /**
   * Keeps the versions the cached aliases point at plus the `keepRecent` most recently cached;
   * then deletes every blob no kept record of any model names.
   */
  async #prune(name: string): Promise<void> {
    const versionsDir = path.join(this.#modelDir(name), 'versions');
    const files = (await readdir(versionsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
    const aliases = (await readJson<Record<string, string>>(this.#aliasesFile(name))) ?? {};
    const pinned = new Set(Object.values(aliases));
    const entries: { file: string; version: string; cachedAt: number }[] = [];
    for (const file of files) {
      const entry = await readJson<CachedVersion>(path.join(versionsDir, file));
      entries.push({ file, version: entry?.record.version ?? '', cachedAt: entry?.cachedAt ?? 0 });
    }
    const recent = entries.filter((e) => !pinned.has(e.version)).sort((a, b) => b.cachedAt - a.cachedAt);
    for (const stale of recent.slice(this.#keepRecent)) await rm(path.join(versionsDir, stale.file), { force: true });
    await this.#collectBlobs();
  }

  async #collectBlobs(): Promise<void> {
    const referenced = new Set<string>();
    const modelsDir = path.join(this.dir, 'models');
    for (const model of await readdir(modelsDir).catch(() => [] as string[])) {
      const versionsDir = path.join(modelsDir, model, 'versions');
      for (const file of await readdir(versionsDir).catch(() => [] as string[])) {
        if (!file.endsWith('.json')) continue;
        const sha = (await readJson<CachedVersion>(path.join(versionsDir, file)))?.record.sha256;
        if (typeof sha === 'string') referenced.add(sha.toLowerCase());
      }
    }
    const blobsDir = path.join(this.dir, 'blobs');
    for (const blob of await readdir(blobsDir).catch(() => [] as string[])) {
      // Writes are queued behind this one, so a *.tmp here is a crashed write's leftover.
      if (!referenced.has(blob)) await rm(path.join(blobsDir, blob), { force: true });
    }
  }
}
