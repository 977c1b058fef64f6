/**
 * The pure functions that turn a change into feature values, shared by the featurizer (which
 * adds the repository's history and parsed code) and inference (which scores a diff sent to
 * POST /v1/analyze): path rules, the bug-fix message rule, the change's shape metrics, the
 * security scan and duplicate finding on added lines, the supported languages, and a unified
 * diff parser.
 *
 * ```ts
 * import { parseUnifiedDiff, changeShapeMetrics } from '@omen/features/change';
 * const { files, message } = parseUnifiedDiff(text);
 * const shape = changeShapeMetrics(files, message); // ns, nd, nf, entropy, la, ld, fix
 * ```
 */
export { ROOT, directoryOf, subsystemOf } from './paths.ts';
export { closedIssues, isFixMessage, referencedIssues } from './fix.ts';
export { isBlameworthy } from './lines.ts';
export { scanLines, securityRules } from './security.ts';
export type { SecurityHit } from './security.ts';
export { DUPLICATE_WINDOW, findDuplicates } from './duplicates.ts';
export type { DuplicateStats } from './duplicates.ts';
export { languageOf, languageRules } from './languages.ts';
export type { LanguageId, LanguageRules } from './languages.ts';
export { HISTORY_FEATURES, changeEntropy, changeShapeMetrics } from './metrics.ts';
export type { ChangedFileCounts, HistoryFeature } from './metrics.ts';
export { parseUnifiedDiff } from './diff.ts';
export type { DiffFile, DiffFileStatus, DiffLimits, DiffLine, ParsedDiff } from './diff.ts';
export { diffCodeFindings } from './findings.ts';
export type { DiffCodeFindings } from './findings.ts';
