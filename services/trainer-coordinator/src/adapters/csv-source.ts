// A CSV row source (ISSTA'21-style change metrics: `_id,date,bug,<14 Kamei metrics>`, plain or
// gzipped) for training on published data through the service. Such a file carries final labels
// without the time they became known, so the run cannot enforce "labels known by the cutoff":
// it records that check as not applicable rather than as passed.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from '@omen/errors';
import { parseJitCsv, takeRows, type Dataset } from '../domain/index.ts';

export async function loadCsvRows(file: string, featureNames: readonly string[], cutoffMs: number, fromMs?: number): Promise<{ dataset: Dataset; rowsAfterCutoff: number; rowsBeforeFrom: number }> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw new InvalidArgumentError(`row_source csv:${file} is not readable on the trainer's host: ${(err as Error).message}`, 'row_source', { cause: err });
  }
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const all = parseJitCsv(text);
  if (all.featureNames.join('\u0000') !== featureNames.join('\u0000')) {
    throw new InvalidArgumentError(`row_source csv:${file} has features [${all.featureNames.join(', ')}], not the feature set's [${featureNames.join(', ')}]`, 'row_source');
  }
  const keep: number[] = [];
  let rowsAfterCutoff = 0;
  let rowsBeforeFrom = 0;
  for (let i = 0; i < all.time.length; i++) {
    const ms = all.time[i]! * 1000;
    if (ms > cutoffMs) rowsAfterCutoff++;
    else if (fromMs !== undefined && ms < fromMs) rowsBeforeFrom++;
    else keep.push(i);
  }
  return { dataset: takeRows(all, keep), rowsAfterCutoff, rowsBeforeFrom };
}
