// The code_metrics@v1 values a diff alone decides — security-pattern hits and duplicated blocks
// in the added lines — and the per-file hit counts, computed as the featurizer's code analyzer
// computes them. The parse-based metrics (complexity, nesting, SLOC, comments) need whole file
// texts, which a diff lacks: they are left out, never filled with 0 (files_parsed is 0).
import { securityFeatureName, securityRuleIds } from '../sets.ts';
import { findDuplicates } from './duplicates.ts';
import { languageOf } from './languages.ts';
import { scanLines } from './security.ts';
import type { DiffFile } from './diff.ts';

export interface DiffCodeFindings {
  /** code_metrics@v1 values: files_parsed (0), duplicate_blocks, duplicated_lines, security_hits, sec_<rule>. */
  values: Record<string, number>;
  /** Per file with hits: code_file_metrics@v1's security_hits. */
  files: { path: string; values: Record<string, number> }[];
}

export function diffCodeFindings(files: readonly Pick<DiffFile, 'path' | 'addedHunks'>[]): DiffCodeFindings {
  const perRule = new Map<string, number>();
  const rows: DiffCodeFindings['files'] = [];
  const duplicateRuns: string[][] = [];
  let total = 0;
  for (const f of files) {
    const added = f.addedHunks.flat();
    const hits = scanLines(added);
    for (const h of hits) perRule.set(h.rule, (perRule.get(h.rule) ?? 0) + 1);
    total += hits.length;
    if (hits.length > 0) rows.push({ path: f.path, values: { security_hits: hits.length } });
    // As the analyzer does: one run per source file, so a block repeated across files counts.
    if (languageOf(f.path) !== undefined && added.length > 0) duplicateRuns.push(added.map((l) => l.content));
  }
  const dup = findDuplicates(duplicateRuns);
  const values: Record<string, number> = {
    files_parsed: 0,
    duplicate_blocks: dup.blocks,
    duplicated_lines: dup.lines,
    security_hits: total,
  };
  for (const rule of securityRuleIds) values[securityFeatureName(rule)] = perRule.get(rule) ?? 0;
  return { values, files: rows };
}
