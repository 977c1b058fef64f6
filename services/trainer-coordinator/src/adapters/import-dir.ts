// ImportModel by path reads only inside one configured directory (TRAINER_IMPORT_DIR), so an
// admin token is not a way to read whatever the trainer's user can (keys, /etc, other tenants'
// volumes). Every refusal is the same message: distinct "no such file" and "not allowed" answers
// would tell a caller which paths exist outside the directory.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from '@omen/errors';

/** The one answer for a path outside the directory, missing, a symlink out, not a file, or unreadable. */
export function importPathRefusal(cause?: unknown): InvalidArgumentError {
  // The cause (path, errno) is for the server's debug log; the caller sees only the refusal.
  return new InvalidArgumentError('artifact_path must name a readable regular file inside the trainer\'s import directory (TRAINER_IMPORT_DIR); this one is not', 'artifact_path', cause === undefined ? {} : { cause });
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
export async function readImportFile(dir: string, requested: string, maxBytes: number): Promise<Uint8Array> {
  if (requested.includes('\0')) throw importPathRefusal();
  let root: string;
  let real: string;
  try {
    root = await realpath(dir);
    real = await realpath(path.resolve(root, requested));
  } catch (err) {
    throw importPathRefusal(err);
  }
  if (!isInside(root, real)) throw importPathRefusal();
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw importPathRefusal(err);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw importPathRefusal();
    if (stat.size > maxBytes) throw new InvalidArgumentError(`the file at artifact_path is ${stat.size} bytes; at most ${maxBytes}`, 'artifact_path');
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
