import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { OmenError } from '@omen/errors';

/** Whether a file starts with the gzip magic bytes (1f 8b), whatever its name. */
export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new OmenError(
      err.code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      `cannot read ${path}: ${err.message}`,
    );
  });
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The non-empty lines of a JSONL file, gzip or not, with their 1-based line numbers. Stops
 * between lines once `signal` is aborted; a gzip or read error ends the walk with the line
 * number it reached.
 */
export async function* readJsonLines(
  path: string,
  signal?: AbortSignal,
): AsyncGenerator<{ lineNo: number; text: string }> {
  const gz = await isGzip(path);
  const file = createReadStream(path);
  const input = gz ? file.pipe(createGunzip()) : file;
  if (gz) file.on('error', (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo++;
      if (signal?.aborted) return;
      if (text.trim() !== '') yield { lineNo, text };
    }
  } catch (err) {
    throw new OmenError('INVALID_ARGUMENT', `${path} line ${lineNo + 1}: ${(err as Error).message}`, { cause: err });
  } finally {
    // Closing mid-file tears the streams down; an error they emit then has nobody to tell.
    input.on('error', () => undefined);
    file.on('error', () => undefined);
    lines.close();
    file.destroy();
    if (input !== file) input.destroy();
  }
}

/** How many non-empty lines a JSONL file has (for the progress bar's total). */
export async function countJsonLines(path: string): Promise<number> {
  let n = 0;
  for await (const _ of readJsonLines(path)) n++;
  return n;
}
