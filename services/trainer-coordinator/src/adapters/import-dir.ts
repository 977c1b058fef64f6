// Files a caller names by path are read only inside one configured directory — ImportModel's
// artifact_path in TRAINER_IMPORT_DIR, StartRun's `row_source csv:<path>` in TRAINER_CSV_DIR — so
// a token is not a way to read whatever the trainer's user can (keys, /etc, other tenants'
// volumes). Every refusal is the same message: distinct "no such file" and "not allowed" answers
// would tell a caller which paths exist outside the directory.
import { constants, realpathSync, statSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '@omen/errors';

/** The one answer for a path outside the directory, missing, a symlink out, not a file, or unreadable. */
export function importPathRefusal(cause?: unknown): InvalidArgumentError {
  // The cause (path, errno) is for the server's debug log; the caller sees only the refusal.
  return new InvalidArgumentError(
    "artifact_path must name a readable regular file inside the trainer's import directory (TRAINER_IMPORT_DIR); this one is not",
    'artifact_path',
    cause === undefined ? {} : { cause },
  );
}

/** The one answer for a `row_source csv:<path>` outside TRAINER_CSV_DIR, missing, not a file, or unreadable. */
export function csvPathRefusal(cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    "row_source csv:<path> must name a readable regular file inside the trainer's CSV directory (TRAINER_CSV_DIR); this one is not",
    'row_source',
    cause === undefined ? {} : { cause },
  );
}

/** Whether `child` (already resolved) is `dir` itself or below it. */
export function isInside(dir: string, child: string): boolean {
  const rel = path.relative(dir, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Reads `requested` (absolute, or relative to `dir`) if its real path — every symlink
 * resolved — lies inside `dir`'s real path and is a regular file of at most `maxBytes`.
 * The file is opened with O_NOFOLLOW after the check, so a final component swapped for a
 * symlink between the check and the read is refused rather than followed.
 */
export async function readImportFile(
  dir: string,
  requested: string,
  maxBytes: number,
  refusal: (cause?: unknown) => InvalidArgumentError = importPathRefusal,
): Promise<Uint8Array> {
  if (requested.includes('\0')) throw refusal();
  let root: string;
  let real: string;
  try {
    root = await realpath(dir);
    real = await realpath(path.resolve(root, requested));
  } catch (err) {
    throw refusal(err);
  }
  if (!isInside(root, real)) throw refusal();
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw refusal(err);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refusal();
    if (stat.size > maxBytes) {
      const field = refusal().field ?? 'path';
      throw new InvalidArgumentError(`the file at ${field} is ${stat.size} bytes; at most ${maxBytes}`, field);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The same check as readImportFile without reading, for a request that is validated now and
 * read later (StartRun's CSV): throws `refusal()` unless `requested` is a regular file inside `dir`.
 */
export function checkConfinedFile(
  dir: string | undefined,
  requested: string,
  refusal: (cause?: unknown) => InvalidArgumentError,
): void {
  if (dir === undefined || requested.includes('\0')) throw refusal();
  try {
    const root = realpathSync(dir);
    const real = realpathSync(path.resolve(root, requested));
    if (!isInside(root, real) || !statSync(real).isFile()) throw refusal();
  } catch (err) {
    throw err instanceof InvalidArgumentError ? err : refusal(err);
  }
}
