// Where model artifacts come from. Until the trainer's registry publishes its own client, this is
// the contract inference needs from any registry, with a local content-addressed directory
// implementation (DESIGN.md: "model artifacts: a local directory, content-addressed (sha256)";
// an S3-backed source implements the same interface).
//
// Directory layout (every write is a temp file + rename, so a reader never sees half a file):
//   <root>/blobs/sha256/<hex>                       the ONNX bytes, named by their sha256
//   <root>/models/<name>/versions/<version>.json    ModelVersionRecord
//   <root>/models/<name>/aliases.json               { "champion": "<version>", "challenger": "<version>" }
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@omen/errors';

export interface FeatureSetRef {
  name: string;
  version: number;
}

/** What the registry stores about one model version. */
export interface ModelVersionRecord {
  name: string;
  version: string;
  /** Lower-case hex sha256 of the artifact bytes. */
  sha256: string;
  /** The feature set (and so the input order) the model was trained on. */
  featureSet: FeatureSetRef;
  /**
   * Reference value per feature (the training medians), the baseline that tree contributions
   * are measured against. Optional: without it the baseline is all zeros.
   */
  reference?: Record<string, number>;
  /** ISO time the version was registered. */
  createdAt?: string;
  /** Free-form labels (training run id, metrics) passed through to metadata. */
  labels?: Record<string, string>;
}

/** A resolved version with its bytes. The bytes are NOT verified here: the loader hashes them. */
export interface ModelArtifact extends ModelVersionRecord {
  bytes: Uint8Array;
}

export type ModelSelector = { alias: string } | { version: string };

export interface ModelSource {
  /** A version (by alias or version string) with its artifact. NOT_FOUND names what is missing. */
  resolve(name: string, selector: ModelSelector): Promise<ModelArtifact>;
  /** alias → version of one model; empty when the model has none. */
  aliases(name: string): Promise<Record<string, string>>;
  /** Every model name the source knows. */
  models(): Promise<string[]>;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkName(what: 'model name' | 'version' | 'alias', value: string): void {
  if (!SAFE.test(value)) throw new InvalidArgumentError(`${what} must be 1-128 letters, digits, ".", "_" or "-" (not starting with a symbol); got ${JSON.stringify(value)}`, what.replace(' ', '_'));
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw new UnavailableError(`model registry file ${file} is unreadable: ${(err as Error).message}`, { cause: err });
  }
}

export interface PublishOptions {
  featureSet: FeatureSetRef;
  reference?: Record<string, number>;
  labels?: Record<string, string>;
  /** Sets these aliases to the new version. @default [] */
  aliases?: string[];
}

/** The local content-addressed registry directory. */
export class LocalModelRegistry implements ModelSource {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  #modelDir(name: string): string {
    return path.join(this.root, 'models', name);
  }

  blobPath(sha256: string): string {
    return path.join(this.root, 'blobs', 'sha256', sha256);
  }

  async models(): Promise<string[]> {
    try {
      return (await readdir(path.join(this.root, 'models'))).filter((n) => SAFE.test(n)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async aliases(name: string): Promise<Record<string, string>> {
    checkName('model name', name);
    return (await readJson<Record<string, string>>(path.join(this.#modelDir(name), 'aliases.json'))) ?? {};
  }

  async versions(name: string): Promise<string[]> {
    checkName('model name', name);
    try {
      return (await readdir(path.join(this.#modelDir(name), 'versions'))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async resolve(name: string, selector: ModelSelector): Promise<ModelArtifact> {
    checkName('model name', name);
    let version: string;
    if ('alias' in selector) {
      checkName('alias', selector.alias);
      const aliases = await this.aliases(name);
      const v = aliases[selector.alias];
      if (v === undefined) {
        const known = await this.models();
        const what = known.includes(name) ? `model "${name}" has no alias "${selector.alias}" (aliases: ${Object.keys(aliases).join(', ') || 'none'})` : `unknown model "${name}" (known: ${known.join(', ') || 'none'})`;
        throw new NotFoundError(what, `model/${name}@${selector.alias}`);
      }
      version = v;
    } else {
      version = selector.version;
    }
    checkName('version', version);
    const record = await readJson<ModelVersionRecord>(path.join(this.#modelDir(name), 'versions', `${version}.json`));
    if (!record) throw new NotFoundError(`model "${name}" has no version "${version}" in ${this.root}`, `model/${name}/${version}`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.blobPath(record.sha256));
    } catch (err) {
      if (isMissing(err)) throw new NotFoundError(`artifact sha256:${record.sha256} of ${name}/${version} is missing from ${this.root}`, `blob/${record.sha256}`);
      throw new UnavailableError(`artifact of ${name}/${version} is unreadable: ${(err as Error).message}`, { cause: err });
    }
    return { ...record, bytes };
  }

  /** Stores an artifact under its hash and registers a version (tests, bench, the trainer until it has its own). */
  async publish(name: string, version: string, bytes: Uint8Array, options: PublishOptions): Promise<ModelVersionRecord> {
    checkName('model name', name);
    checkName('version', version);
    const sha256 = sha256Hex(bytes);
    await writeAtomic(this.blobPath(sha256), bytes);
    const record: ModelVersionRecord = {
      name,
      version,
      sha256,
      featureSet: options.featureSet,
      ...(options.reference ? { reference: options.reference } : {}),
      createdAt: new Date().toISOString(),
      ...(options.labels ? { labels: options.labels } : {}),
    };
    await writeAtomic(path.join(this.#modelDir(name), 'versions', `${version}.json`), `${JSON.stringify(record, null, 2)}\n`);
    for (const alias of options.aliases ?? []) await this.setAlias(name, alias, version);
    return record;
  }

  /** Points an alias at a version (or removes it with `null`). */
  async setAlias(name: string, alias: string, version: string | null): Promise<void> {
    checkName('model name', name);
    checkName('alias', alias);
    const aliases = await this.aliases(name);
    if (version === null) delete aliases[alias];
    else {
      checkName('version', version);
      aliases[alias] = version;
    }
    await writeAtomic(path.join(this.#modelDir(name), 'aliases.json'), `${JSON.stringify(aliases, null, 2)}\n`);
  }
}
