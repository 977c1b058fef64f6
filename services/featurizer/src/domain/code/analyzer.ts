// code_metrics@v1 and code_file_metrics@v1 of one change, from the touched files' texts
// (before/after, when the blame state knows them) and the lines the change added.

import { createHash } from 'node:crypto';
import { securityFeatureName, securityRuleIds } from '@omen/features';
import type { Parser, Tree, Edit as TreeSitterEdit } from 'web-tree-sitter';
import type { FileMetricsRow, SecurityFinding } from '../history.ts';
import type { CodeAnalysis, CodeFileInput } from './types.ts';
import { findDuplicates } from './duplicates.ts';
import { languageOf } from './languages.ts';
import type { LanguageId } from './languages.ts';
import type { FileCodeMetrics, KindTable, OpenCursor } from './metrics.ts';
import { complexityUnits, measureTree } from './metrics.ts';
import { scanLines } from './security.ts';

/** A grammar ready to parse: its parser and the node-kind table built from its rules. */
export interface LoadedLanguage {
  parser: Parser;
  table: KindTable;
  /** How the metrics walk opens a cursor (default: web-tree-sitter's public TreeCursor). */
  open?: OpenCursor;
}

export type LoadedLanguages = ReadonlyMap<LanguageId, LoadedLanguage>;

/**
 * Files larger than this are not parsed (generated or vendored code; parsing them would stall
 * the stream for metrics nobody reviews). Their added lines are still scanned.
 * @default 1_000_000 characters
 */
export const MAX_PARSE_CHARS = 1_000_000;

/** Metrics of one text, or undefined when the language is not loaded or the text too large. */
export function measureText(languages: LoadedLanguages, path: string, text: string): FileCodeMetrics | undefined {
  const id = languageOf(path);
  const lang = id && languages.get(id);
  if (!lang || text.length > MAX_PARSE_CHARS) return undefined;
  const tree = lang.parser.parse(text);
  if (!tree) return undefined;
  try {
    return measureTree(tree, lang.table, text, lang.open);
  } finally {
    tree.delete();
  }
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** Where `index` (UTF-16 code units, as web-tree-sitter counts) is in `text`: row and column. */
function pointAt(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row += 1;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * The one edit that turns `before` into `after`: everything between their common prefix and
 * common suffix. Exact by construction, which is all tree-sitter needs to reuse the subtrees
 * outside it; a change spread over a file gives a wider edit and so a smaller saving.
 */
export function textEdit(before: string, after: string): Edit {
  const n = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < n && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix += 1;
  // Never split a surrogate pair: the edit's bounds must be whole characters.
  if (prefix > 0 && prefix < n && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix -= 1;
  let suffix = 0;
  while (
    suffix < n - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  )
    suffix += 1;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix -= 1;
  return {
    startIndex: prefix,
    oldEndIndex: before.length - suffix,
    newEndIndex: after.length - suffix,
    startPosition: pointAt(before, prefix),
    oldEndPosition: pointAt(before, before.length - suffix),
    newEndPosition: pointAt(after, after.length - suffix),
  };
}

/** web-tree-sitter's edit description (its Edit class is a plain record of these fields). */
export interface Edit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

/**
 * Parse trees of recent texts, by content key, bounded by their texts' total length. A tree is
 * taken out to be edited into the next version's (an edited tree no longer describes its text),
 * and the new version's tree goes in its place. Trees live in web-tree-sitter's WebAssembly
 * memory, which the GC does not see: each one evicted is deleted here.
 */
class TreeCache {
  readonly #trees = new Map<string, { tree: Tree; chars: number }>();
  #chars = 0;
  constructor(readonly maxChars: number) {}

  take(key: string): Tree | undefined {
    const entry = this.#trees.get(key);
    if (!entry) return undefined;
    this.#trees.delete(key);
    this.#chars -= entry.chars;
    return entry.tree;
  }

  put(key: string, tree: Tree, chars: number): void {
    if (chars > this.maxChars) {
      tree.delete();
      return;
    }
    this.take(key)?.delete();
    this.#trees.set(key, { tree, chars });
    this.#chars += chars;
    for (const [oldest, entry] of this.#trees) {
      if (this.#chars <= this.maxChars) break;
      this.#trees.delete(oldest);
      this.#chars -= entry.chars;
      entry.tree.delete();
    }
  }
}

export interface CodeAnalyzerOptions {
  /**
   * Texts whose metrics are remembered (by content hash). A file's text before a change is
   * usually its text after the previous one, so this saves one of the two parses per edit.
   * @default 512
   */
  cacheSize?: number;
  /**
   * Parse trees kept (by the total length of their texts, in characters) so that a file's next
   * version is parsed incrementally from its previous one: tree-sitter reuses every subtree
   * outside the edit. 0 parses every text from scratch.
   * @default 2_000_000
   */
  treeCacheChars?: number;
  /** Told of every parse: from scratch or from the previous version's tree. */
  onParse?: (mode: 'full' | 'incremental') => void;
}

/** The metrics of one touched file's two texts; undefined where a text is absent or not measured. */
export interface MeasuredFile {
  before: FileCodeMetrics | undefined;
  after: FileCodeMetrics | undefined;
}

/** Measures a file's old and new text (the new one parsed from the old one's tree when it can). */
export type FileMeasurer = (path: string, before: string | null, after: string | null) => MeasuredFile;

/**
 * A measurer with its caches: metrics by content, and parse trees for incremental parsing. The
 * caches pay off when one measurer sees a file's versions in order, so a pool of them must send
 * each path to the same one (adapters/code-workers.ts).
 */
export function createFileMeasurer(languages: LoadedLanguages, options: CodeAnalyzerOptions = {}): FileMeasurer {
  const cacheSize = options.cacheSize ?? 512;
  const cache = new Map<string, FileCodeMetrics | undefined>();
  const trees = new TreeCache(options.treeCacheChars ?? 2_000_000);
  const keyOf = (path: string, text: string): string =>
    `${languageOf(path) ?? ''}:${createHash('sha1').update(text).digest('base64')}`;
  const parse = (path: string, text: string, key: string, base?: { key: string; text: string }) => {
    const id = languageOf(path);
    const lang = id && languages.get(id);
    if (!lang || text.length > MAX_PARSE_CHARS) return undefined;
    const old = base ? trees.take(base.key) : undefined;
    try {
      // Tree.edit reads only the six fields (web-tree-sitter's marshalEdit); its Edit class adds
      // helper methods the edit does not use.
      if (old) old.edit(textEdit(base!.text, text) as TreeSitterEdit);
      options.onParse?.(old ? 'incremental' : 'full');
      const tree = lang.parser.parse(text, old ?? null);
      if (!tree) return undefined;
      let metrics: FileCodeMetrics;
      try {
        metrics = measureTree(tree, lang.table, text, lang.open);
      } catch (err) {
        tree.delete();
        throw err;
      }
      trees.put(key, tree, text.length);
      return metrics;
    } finally {
      old?.delete();
    }
  };
  const measure = (
    path: string,
    text: string,
    key: string,
    base?: { key: string; text: string },
  ): FileCodeMetrics | undefined => {
    if (cache.has(key)) {
      const hit = cache.get(key);
      cache.delete(key); // re-insert: Map order is the LRU order
      cache.set(key, hit);
      return hit;
    }
    const m = parse(path, text, key, base);
    cache.set(key, m);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return m;
  };
  return (path, beforeText, afterText) => {
    // Not a language we parse: nothing to hash or cache (History.md is most of express's text).
    if (languageOf(path) === undefined) return { before: undefined, after: undefined };
    // The old text first: its tree (usually kept from the previous commit) is what the new
    // text is parsed from.
    const base = beforeText === null ? undefined : { key: keyOf(path, beforeText), text: beforeText };
    const before = base && measure(path, base.text, base.key);
    const after = afterText === null ? undefined : measure(path, afterText, keyOf(path, afterText), base);
    return { before, after };
  };
}

/** Code metrics of a change measured on this thread. */
export function createCodeAnalyzer(
  languages: LoadedLanguages,
  options: CodeAnalyzerOptions = {},
): (files: readonly CodeFileInput[]) => CodeAnalysis | null {
  const measure = createFileMeasurer(languages, options);
  return (files) =>
    summarizeChange(
      files,
      files.map((f) => measure(f.path, f.before, f.after)),
    );
}

/**
 * code_metrics@v1 and the per-file rows of a change from its files' measurements (`measured[i]`
 * belongs to `files[i]`), the added lines' security findings and duplicated blocks. Null when
 * nothing could be analysed.
 */
export function summarizeChange(
  files: readonly CodeFileInput[],
  measured: readonly MeasuredFile[],
): CodeAnalysis | null {
  const rows: FileMetricsRow[] = [];
  const findings: SecurityFinding[] = [];
  const duplicateRuns: string[][] = [];
  let parsed = 0;
  let functions = 0;
  let functionsDelta = 0;
  let complexityDelta = 0;
  let maxNesting = 0;
  let sloc = 0;
  let slocDelta = 0;
  let commentLines = 0;
  const units: number[] = [];
  let anything = false;
  for (const [i, f] of files.entries()) {
    const hits = scanLines(f.added);
    for (const h of hits) findings.push({ path: f.path, line: h.line, rule: h.rule });
    if (f.added.length > 0) anything = true;
    if (languageOf(f.path) !== undefined && f.added.length > 0) duplicateRuns.push(f.added.map((l) => l.content));
    const { before, after } = measured[i]!;
    if (!after && !before) continue;
    // A side that exists but was not measured (unknown text) would fake a delta: skip the file.
    if ((f.after !== null && !after) || (f.before !== null && !before)) continue;
    parsed += 1;
    anything = true;
    const afterSum = after ? sum(after.complexities) : 0;
    complexityDelta += afterSum - (before ? sum(before.complexities) : 0);
    functionsDelta += (after?.functions ?? 0) - (before?.functions ?? 0);
    slocDelta += (after?.sloc ?? 0) - (before?.sloc ?? 0);
    if (!after) continue;
    functions += after.functions;
    maxNesting = Math.max(maxNesting, after.maxNesting);
    sloc += after.sloc;
    commentLines += after.commentLines;
    const fileUnits = complexityUnits(after);
    units.push(...fileUnits);
    rows.push({
      path: f.path,
      values: {
        functions: after.functions,
        complexity_max: Math.max(...fileUnits),
        complexity_sum: afterSum,
        complexity_delta: afterSum - (before ? sum(before.complexities) : 0),
        max_nesting: after.maxNesting,
        sloc: after.sloc,
        comment_lines: after.commentLines,
        comment_ratio:
          after.sloc + after.commentLines === 0 ? 0 : after.commentLines / (after.sloc + after.commentLines),
        security_hits: hits.length,
      },
    });
  }
  if (!anything) return null;
  const dup = findDuplicates(duplicateRuns);
  const values: Record<string, number> = {
    files_parsed: parsed,
    duplicate_blocks: dup.blocks,
    duplicated_lines: dup.lines,
    security_hits: findings.length,
  };
  for (const rule of securityRuleIds)
    values[securityFeatureName(rule)] = findings.filter((x) => x.rule === rule).length;
  if (parsed > 0) {
    Object.assign(values, {
      functions,
      functions_delta: functionsDelta,
      complexity_max: units.length > 0 ? Math.max(...units) : 0,
      complexity_mean: units.length > 0 ? sum(units) / units.length : 0,
      complexity_delta: complexityDelta,
      max_nesting: maxNesting,
      sloc,
      sloc_delta: slocDelta,
      comment_ratio: sloc + commentLines === 0 ? 0 : commentLines / (sloc + commentLines),
    });
  }
  return { values, files: rows, findings };
}
