// The change metrics that a change's own diff decides, without the repository's history: the
// shape of the change (NS, ND, NF, Entropy, LA, LD) and FIX from its message, computed by the
// same functions the featurizer's history walk uses (kamei.ts calls these), so a diff scored by
// inference and the commit featurized from the stream agree on them.
import { isFixMessage } from './fix.ts';
import { directoryOf, subsystemOf } from './paths.ts';

/** Shannon entropy (bits) of the files' shares of modified lines. */
export function changeEntropy(modifiedLinesPerFile: readonly number[]): number {
  const total = modifiedLinesPerFile.reduce((s, n) => s + n, 0);
  if (total === 0) return 0;
  let h = 0;
  for (const n of modifiedLinesPerFile) {
    if (n === 0) continue;
    const p = n / total;
    h -= p * Math.log2(p);
  }
  // -0 and tiny negative rounding for a single file must read as 0.
  return h <= 0 ? 0 : h;
}

/** The jit_change_metrics@v1 features a diff cannot tell: they read the repository's history. */
export const HISTORY_FEATURES = ['lt', 'ndev', 'age', 'nuc', 'exp', 'rexp', 'sexp'] as const;
export type HistoryFeature = (typeof HISTORY_FEATURES)[number];

/** One changed file as the shape metrics see it. */
export interface ChangedFileCounts {
  path: string;
  linesAdded: number;
  linesDeleted: number;
}

/**
 * NS, ND, NF, Entropy, LA, LD of a change and FIX of its message, as jit_change_metrics@v1
 * defines them. A path listed twice counts once with its lines summed (as the featurizer merges
 * split API payloads).
 */
export function changeShapeMetrics(
  files: readonly ChangedFileCounts[],
  message: string,
): Record<'ns' | 'nd' | 'nf' | 'entropy' | 'la' | 'ld' | 'fix', number> {
  const byPath = new Map<string, number>();
  let la = 0;
  let ld = 0;
  for (const f of files) {
    la += f.linesAdded;
    ld += f.linesDeleted;
    byPath.set(f.path, (byPath.get(f.path) ?? 0) + f.linesAdded + f.linesDeleted);
  }
  const paths = [...byPath.keys()];
  return {
    ns: new Set(paths.map(subsystemOf)).size,
    nd: new Set(paths.map(directoryOf)).size,
    nf: paths.length,
    entropy: changeEntropy([...byPath.values()]),
    la,
    ld,
    fix: isFixMessage(message) ? 1 : 0,
  };
}
