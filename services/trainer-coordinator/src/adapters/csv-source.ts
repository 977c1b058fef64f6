// A CSV row source (ISSTA'21-style change metrics: `_id,date,bug,<14 Kamei metrics>`, plain or
// gzipped) for training on published data through the service. Such a file carries final labels
// without the time they became known, so the run cannot enforce "labels known by the cutoff":
// it records that check as not applicable rather than as passed.
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from '@omen/errors';
import { parseJitCsv, takeRows, type Dataset } from '../domain/index.ts';
import { csvPathRefusal, readImportFile } from './import-dir.ts';

/** Most bytes a CSV row source may have on disk (the largest ISSTA'21 project is ~30 MB). */
const MAX_CSV_BYTES = 512 * 1024 * 1024;

/** Reads `file` (absolute, or relative to `dir`) only inside `dir`, TRAINER_CSV_DIR. */
export async function loadCsvRows(
  dir: string | undefined,
  file: string,
  featureNames: readonly string[],
  cutoffMs: number,
  fromMs?: number,
): Promise<{ dataset: Dataset; rowsAfterCutoff: number; rowsBeforeFrom: number }> {
  if (dir === undefined) throw csvPathRefusal();
  const raw = Buffer.from(await readImportFile(dir, file, MAX_CSV_BYTES, csvPathRefusal));
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const all = parseJitCsv(text);
  if (all.featureNames.join('\u0000') !== featureNames.join('\u0000')) {
    throw new InvalidArgumentError(
      `row_source csv:${file} has features [${all.featureNames.join(', ')}], not the feature set's [${featureNames.join(', ')}]`,
      'row_source',
    );
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
