// What the processor hands code analysis and what it gets back: the contract between the
// commit walk (../processor.ts) and the analyzer (./analyzer.ts), kept here so neither imports
// the other for it.
import type { DiffLine } from '../commit.ts';
import type { FileMetricsRow, SecurityFinding } from '../history.ts';

/** One touched file as code analysis sees it. */
export interface CodeFileInput {
  path: string;
  /** Whole text before the change; null when unknown or the file is new. */
  before: string | null;
  /** Whole text after the change; null when unknown or the file was deleted. */
  after: string | null;
  /** Lines the change added (from hunks), numbered in the new file. */
  added: readonly DiffLine[];
}

export interface CodeAnalysis {
  /** code_metrics@v1 values. */
  values: Record<string, number>;
  files: FileMetricsRow[];
  findings: SecurityFinding[];
}

/**
 * Code metrics of a change; null when none of the files could be analysed. A promise when the
 * parsing runs on other threads: the commit walk goes on meanwhile, since code metrics feed no
 * history state, and collects the result before the batch's state is written.
 */
export type CodeAnalyzer = (files: readonly CodeFileInput[]) => CodeAnalysis | null | Promise<CodeAnalysis | null>;
