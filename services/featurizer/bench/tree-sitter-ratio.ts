// tree_sitter_ratio: our parse + metrics MB/s ÷ bare web-tree-sitter parse MB/s, over the same
// files in the same process, interleaved round by round so both see the same machine load.
// The files are those of a clone at a revision in a language the featurizer parses (what the
// featurizer parses is these files' versions). Also reports the ratio with web-tree-sitter's
// public TreeCursor (the walk before tree-sitter-cursor.ts), side by side.
import { execFileSync } from 'node:child_process';
import type { LoadedLanguages } from '../src/domain/code/analyzer.ts';
import { languageOf } from '../src/domain/code/languages.ts';
import { measureTree, publicCursor } from '../src/domain/code/metrics.ts';

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export interface TreeSitterRatio {
  files: number;
  megabytes: number;
  rounds: number;
  bare_parse_mb_per_s: number;
  parse_and_metrics_mb_per_s: number;
  tree_sitter_ratio: number;
  public_cursor_mb_per_s: number;
  public_cursor_ratio: number;
}

/** Source files of `path` at `rev` in a language the featurizer parses, with their text. */
export function sourceFiles(path: string, rev: string): { path: string; text: string }[] {
  const names = execFileSync('git', ['-C', path, 'ls-tree', '-r', '--name-only', rev], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
    .split('\n')
    .filter((p) => p !== '' && languageOf(p) !== undefined);
  return names.map((p) => ({
    path: p,
    text: execFileSync('git', ['-C', path, 'show', `${rev}:${p}`], { encoding: 'utf8', maxBuffer: 1 << 28 }),
  }));
}

export function treeSitterRatio(
  languages: LoadedLanguages,
  files: readonly { path: string; text: string }[],
  rounds = 5,
): TreeSitterRatio {
  const work = files.flatMap((f) => {
    const id = languageOf(f.path);
    const lang = id && languages.get(id);
    return lang ? [{ lang, text: f.text }] : [];
  });
  const megabytes = work.reduce((s, f) => s + Buffer.byteLength(f.text), 0) / 1048576;
  const pass = (kind: 'bare' | 'ours' | 'public'): number => {
    const t0 = performance.now();
    for (const { lang, text } of work) {
      const tree = lang.parser.parse(text);
      if (!tree) continue;
      if (kind === 'ours') measureTree(tree, lang.table, text, lang.open);
      else if (kind === 'public') measureTree(tree, lang.table, text, publicCursor);
      tree.delete();
    }
    return (performance.now() - t0) / 1000;
  };
  pass('bare'); // warm-up: JIT and the parsers' allocations
  pass('ours');
  pass('public');
  const total = { bare: 0, ours: 0, public: 0 };
  for (let i = 0; i < rounds; i++) for (const k of ['bare', 'ours', 'public'] as const) total[k] += pass(k);
  const mbps = (s: number): number => (megabytes * rounds) / s;
  return {
    files: work.length,
    megabytes: round(megabytes),
    rounds,
    bare_parse_mb_per_s: round(mbps(total.bare)),
    parse_and_metrics_mb_per_s: round(mbps(total.ours)),
    tree_sitter_ratio: round(total.bare / total.ours),
    public_cursor_mb_per_s: round(mbps(total.public)),
    public_cursor_ratio: round(total.bare / total.public),
  };
}
