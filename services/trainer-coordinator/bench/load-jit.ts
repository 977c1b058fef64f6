import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseJitCsv } from '../src/domain/jit-csv.ts';
import type { Dataset } from '../src/domain/dataset.ts';

/** One project's CSV: `<dir>/<proj>/<proj>_k_feature.csv.gz` (or .csv). */
export interface JitProjectFile {
  readonly project: string;
  readonly path: string;
}

/**
 * Finds projects under `dir` in the ISSTA'21 layout. `dir` may also be one project folder or one
 * CSV file. Throws naming the directory when nothing matches.
 */
export function findJitProjects(dir: string): JitProjectFile[] {
  const st = statSync(dir);
  if (st.isFile()) return [{ project: basename(dir).replace(/_k_feature\.csv(\.gz)?$/, ''), path: dir }];
  const direct = readdirSync(dir).filter((f) => /_k_feature\.csv(\.gz)?$/.test(f));
  if (direct.length > 0)
    return direct.sort().map((f) => ({ project: f.replace(/_k_feature\.csv(\.gz)?$/, ''), path: join(dir, f) }));
  const out: JitProjectFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const sub = join(dir, name);
    if (!statSync(sub).isDirectory()) continue;
    for (const ext of ['.csv.gz', '.csv']) {
      const path = join(sub, `${name}_k_feature${ext}`);
      try {
        if (statSync(path).isFile()) {
          out.push({ project: name, path });
          break;
        }
      } catch {
        /* not this extension */
      }
    }
  }
  if (out.length === 0) throw new Error(`no <project>/<project>_k_feature.csv(.gz) files under ${dir}`);
  return out;
}

export function loadJitProject(path: string): Dataset {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  try {
    return parseJitCsv(text);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
