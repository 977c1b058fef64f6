// Content-addressed artifact storage. An artifact is named by the sha256 of its bytes, so a
// write is idempotent, two versions with the same bytes share one blob, and every read can be
// checked: bytes whose hash is not their name are refused (ArtifactIntegrityError), never
// served.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, OmenError, UnavailableError, type OmenErrorOptions } from '@omen/errors';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An artifact digest as the registry names artifacts: 64 lower-case hex characters. */
export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** Throws INVALID_ARGUMENT unless `sha256` is 64 lower-case hex characters. */
export function checkSha256(sha256: string, field = 'sha256'): void {
  if (!isSha256Hex(sha256))
    throw new InvalidArgumentError(
      `${field} must be 64 lower-case hex characters; got ${JSON.stringify(sha256)}`,
      field,
    );
}

/** Stored bytes do not hash to the name they are stored under: corruption or substitution. */
export class ArtifactIntegrityError extends OmenError<'DATA_LOSS'> {
  constructor(
    readonly expected: string,
    readonly actual: string,
    where: string,
    options: OmenErrorOptions = {},
  ) {
    super(
      'DATA_LOSS',
      `artifact ${where} has sha256 ${actual}, expected ${expected}: refusing a corrupted or substituted artifact`,
      options,
    );
  }
}

export interface ArtifactStore {
  /** Stores bytes under their sha256 (a no-op when present); returns the hash and where it lives. */
  put(bytes: Uint8Array): Promise<{ sha256: string; uri: string; size: number }>;
  /** The bytes stored under `sha256`, verified: NOT_FOUND when absent, DATA_LOSS when they do not hash to it. */
  get(sha256: string): Promise<Uint8Array>;
  has(sha256: string): Promise<boolean>;
  /** Where `sha256` is (or would be) stored: a path or an s3:// URI. */
  uri(sha256: string): string;
}

/** Throws ArtifactIntegrityError unless `bytes` hash to `expected`. */
export function verifyArtifact(bytes: Uint8Array, expected: string, where: string): Uint8Array {
  const actual = sha256Hex(bytes);
  if (actual !== expected) throw new ArtifactIntegrityError(expected, actual, where);
  return bytes;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Writes through a temp file and a rename, so a reader never sees half a file. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** `<root>/blobs/sha256/<hex>`: the layout inference's first registry reader expects. */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  uri(sha256: string): string {
    checkSha256(sha256);
    return path.join(this.root, 'blobs', 'sha256', sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.uri(sha256));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; uri: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    const file = this.uri(sha256);
    // A present blob is kept only if it is intact; a damaged one is replaced by the good bytes.
    let intact: boolean;
    try {
      intact = sha256Hex(await readFile(file)) === sha256;
    } catch (err) {
      if (!isMissing(err)) throw err;
      intact = false;
    }
    if (!intact) await writeAtomic(file, bytes);
    return { sha256, uri: file, size: bytes.length };
  }

  async get(sha256: string): Promise<Uint8Array> {
    const file = this.uri(sha256);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if (isMissing(err))
        throw new NotFoundError(
          `artifact sha256:${sha256} is not in ${path.join(this.root, 'blobs')}`,
          `blob/${sha256}`,
        );
      throw new UnavailableError(`artifact sha256:${sha256} is unreadable: ${(err as Error).message}`, { cause: err });
    }
    return verifyArtifact(bytes, sha256, file);
  }
}
