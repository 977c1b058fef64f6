import { DatasetError, type Dataset } from './dataset.ts';
import { KAMEI_FEATURES } from './features.ts';

// The ISSTA'21 files spell entropy "entrophy"; anything else is read by its own name.
const ALIASES: Readonly<Record<string, string>> = { entrophy: 'entropy' };

function parseCell(raw: string, line: number, name: string): number {
  const s = raw.trim();
  if (s === 'True' || s === 'true') return 1;
  if (s === 'False' || s === 'false') return 0;
  const v = Number(s);
  if (s === '' || !Number.isFinite(v))
    throw new DatasetError('DATASET_VALUE', `line ${line}: column "${name}" is not a number: "${raw}"`);
  return v;
}

/**
 * Parses an ISSTA'21 `<project>_k_feature.csv` (columns: index, _id, date, bug, __, then the 14
 * Kamei metrics). Only `_id`, `date`, `bug` and the metrics are read. `__` is never read: in all
 * four ISSTA'21 projects it equals `bug` on every row, so using it would leak the label.
 * Rows keep file order; the split sorts by `date`.
 */
export function parseJitCsv(text: string): Dataset {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const header = (lines[0] ?? '').split(',').map((h) => ALIASES[h.trim()] ?? h.trim());
  const col = (name: string): number => {
    const j = header.indexOf(name);
    if (j < 0)
      throw new DatasetError('DATASET_SHAPE', `CSV header has no column "${name}" (header: ${header.join(',')})`);
    return j;
  };
  const idCol = header.indexOf('_id');
  const dateCol = col('date');
  const bugCol = col('bug');
  const featCols = KAMEI_FEATURES.map(col);
  const n = lines.length - 1;
  if (n <= 0) throw new DatasetError('DATASET_EMPTY', 'CSV has a header but no rows');
  const f = featCols.length;
  const x = new Float64Array(n * f);
  const y = new Uint8Array(n);
  const time = new Float64Array(n);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1]!.split(',');
    if (cells.length !== header.length) {
      throw new DatasetError('DATASET_SHAPE', `line ${i + 2}: ${cells.length} cells; header has ${header.length}`);
    }
    const label = parseCell(cells[bugCol]!, i + 2, 'bug');
    if (label !== 0 && label !== 1)
      throw new DatasetError('DATASET_VALUE', `line ${i + 2}: bug must be 0 or 1, got ${label}`);
    y[i] = label;
    time[i] = parseCell(cells[dateCol]!, i + 2, 'date');
    for (let j = 0; j < f; j++) x[i * f + j] = parseCell(cells[featCols[j]!]!, i + 2, KAMEI_FEATURES[j]!);
    ids.push(idCol >= 0 ? cells[idCol]! : String(i));
  }
  return { featureNames: [...KAMEI_FEATURES], x, y, time, ids };
}
