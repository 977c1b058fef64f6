// code_metrics@v1 and code_file_metrics@v1 of one change, from the touched files' texts
// (before/after, when the blame state knows them) and the lines the change added.

import { createHash } from 'node:crypto';
import { securityFeatureName, securityRuleIds } from '@omen/features';
import type { Parser } from 'web-tree-sitter';
import type { FileMetricsRow, SecurityFinding } from '../history.ts';
import type { CodeAnalysis, CodeAnalyzer, CodeFileInput } from './types.ts';
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

export interface CodeAnalyzerOptions {
  /**
   * Texts whose metrics are remembered (by content hash). A file's text before a change is
   * usually its text after the previous one, so this saves one of the two parses per edit.
   * @default 512
   */
  cacheSize?: number;
}

export function createCodeAnalyzer(languages: LoadedLanguages, options: CodeAnalyzerOptions = {}): CodeAnalyzer {
  const cacheSize = options.cacheSize ?? 512;
  const cache = new Map<string, FileCodeMetrics | undefined>();
  const measure = (path: string, text: string): FileCodeMetrics | undefined => {
    const key = `${languageOf(path) ?? ''}:${createHash('sha1').update(text).digest('base64')}`;
    if (cache.has(key)) {
      const hit = cache.get(key);
      cache.delete(key); // re-insert: Map order is the LRU order
      cache.set(key, hit);
      return hit;
    }
    const m = measureText(languages, path, text);
    cache.set(key, m);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return m;
  };
  return (files: readonly CodeFileInput[]): CodeAnalysis | null => {
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
    for (const f of files) {
      const hits = scanLines(f.added);
      for (const h of hits) findings.push({ path: f.path, line: h.line, rule: h.rule });
      if (f.added.length > 0) anything = true;
      if (languageOf(f.path) !== undefined && f.added.length > 0) duplicateRuns.push(f.added.map((l) => l.content));
      const after = f.after === null ? undefined : measure(f.path, f.after);
      const before = f.before === null ? undefined : measure(f.path, f.before);
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
  };
}
