import type { FeatureDefinition, FeatureSet } from './types.ts';

const count = (name: string, description: string, unit?: string): FeatureDefinition =>
  unit === undefined
    ? { name, type: 'integer', description, min: 0 }
    : { name, type: 'integer', description, unit, min: 0 };

/**
 * Kamei et al.'s 14 just-in-time change metrics (TSE 2013), in the column order of the public
 * JIT data sets (ns … sexp), so a model trained on those files and one trained on omen's rows
 * take the same input vector.
 *
 * Conventions shared by the history metrics, chosen so that a commit has one answer whichever
 * source delivered it (a webhook, `backfill --git`, `backfill --jsonl`, a Kafka producer):
 * - "Prior" means earlier in the repository's canonical order: parents before children; among
 *   the commits whose parents are all placed, the earliest commit time first, ties by sha. A
 *   function of the commit graph, not of the order a source lists commits in; the backfill
 *   sources publish in it, and the featurizer applies a repository's commits in stream order.
 * - Only what every source carries decides: numstat line counts and renames. History follows
 *   renames (a renamed file keeps its lines, authors and changes) and ends when a change adds
 *   nothing and deletes every line the history knows (a numstat deletion); explicit
 *   added/deleted statuses, which numstat sources lack, are not used.
 * - A merge commit (two or more parents) counts no files (LA, LD, NF, ... are 0; EXP, REXP and
 *   FIX still apply) and adds nothing to the history: its changes arrived through the merged
 *   commits, and `git log --numstat` lists no files for it.
 * - Times are commit times.
 */
export const jitChangeMetricsV1: FeatureSet = {
  name: 'jit_change_metrics',
  version: 1,
  scope: 'commit',
  description:
    "Kamei et al.'s 14 just-in-time change metrics of one commit, from its file list and the repository's prior history.",
  features: [
    count(
      'ns',
      'Subsystems touched: distinct first path components of the touched files; files at the repository root form one subsystem of their own.',
      'subsystems',
    ),
    count(
      'nd',
      'Directories touched: distinct parent directories of the touched files (the root is one directory).',
      'directories',
    ),
    count('nf', 'Files touched: distinct paths the commit changed, binary files included.', 'files'),
    {
      name: 'entropy',
      type: 'real',
      description:
        'Spread of the change over files: -sum(p_k * log2 p_k), p_k = (added_k + deleted_k) / (lines added + deleted over all files); files without modified lines are left out; 0 when no line changed.',
      unit: 'bits',
      min: 0,
    },
    count('la', 'Lines added, summed over the touched files (0 for binary files).', 'lines'),
    count('ld', 'Lines deleted, summed over the touched files (0 for binary files).', 'lines'),
    count(
      'lt',
      "Lines in the touched files before the change: for each file, the sum of (added - deleted) over its prior changes, floored at 0 (a renamed file's count comes from its old path; a file without prior changes counts 0).",
      'lines',
    ),
    {
      name: 'fix',
      type: 'boolean',
      description: 'The commit message says it fixes a defect (bug-fix keyword patterns of the featurizer, version 1).',
    },
    count('ndev', 'Developers (distinct author ids) of the prior changes to the touched files.', 'developers'),
    {
      name: 'age',
      type: 'real',
      description:
        "Mean, over touched files that have prior changes, of the days between the file's last prior change and this commit (negative intervals from clock skew count 0); 0 when no touched file has a prior change.",
      unit: 'days',
      min: 0,
    },
    count('nuc', 'Unique prior changes: distinct prior commits that changed at least one touched file.', 'commits'),
    count('exp', "Author's experience: the author's prior commits in the repository.", 'commits'),
    {
      name: 'rexp',
      type: 'real',
      description:
        "Author's recent experience: sum over the author's prior commits of 1/(n+1), n = whole years (365.25 days, floored, at least 0) between that commit and this one.",
      unit: 'commits',
      min: 0,
    },
    count(
      'sexp',
      "Author's subsystem experience: the author's prior commits that touched at least one subsystem this commit touches.",
      'commits',
    ),
  ],
};

/** Ids of the security rules the featurizer runs on changed code; one count feature each. */
export const securityRuleIds = [
  'hardcoded_secret',
  'eval_exec',
  'sql_concat',
  'weak_hash',
  'weak_cipher',
  'tls_disabled',
] as const;
export type SecurityRuleId = (typeof securityRuleIds)[number];

const securityRuleDescriptions: Record<SecurityRuleId, string> = {
  hardcoded_secret:
    'a credential-looking literal assigned to a secret-named identifier, or a known key format (AWS, GitHub, private key block)',
  eval_exec:
    'dynamic code or shell execution (eval, new Function, exec/system/popen, child_process.exec, Runtime.exec)',
  sql_concat: 'SQL text built by string concatenation or interpolation with a non-literal',
  weak_hash: 'MD5 or SHA-1 used as a hash',
  weak_cipher: 'DES, 3DES, RC4, Blowfish or ECB mode',
  tls_disabled: 'certificate or host-name verification turned off',
};

/** Name of the count feature of one security rule. */
export function securityFeatureName(rule: SecurityRuleId): string {
  return `sec_${rule}`;
}

/**
 * Code metrics of the files a commit touched, from parsing them (tree-sitter) before and after
 * the change. Present only when file contents were known; absent otherwise (never 0-filled).
 */
export const codeMetricsV1: FeatureSet = {
  name: 'code_metrics',
  version: 1,
  scope: 'commit',
  description:
    'Static code metrics of the touched source files after the change, their change against the parent, and security-pattern hits in added lines.',
  features: [
    count('files_parsed', 'Touched files in a supported language whose contents were known and parsed.', 'files'),
    count('functions', 'Functions and methods in the parsed files after the change.', 'functions'),
    {
      name: 'functions_delta',
      type: 'integer',
      description: 'Functions after minus functions before the change, over the parsed files.',
      unit: 'functions',
    },
    count(
      'complexity_max',
      "Largest cyclomatic complexity (1 + decision points: branches, loops, catch, conditional expressions, case labels, short-circuit operators) of any unit in the parsed files after the change; a unit is a function, or a file's top-level code when it branches or the file has no functions.",
      'paths',
    ),
    {
      name: 'complexity_mean',
      type: 'real',
      description:
        "Mean cyclomatic complexity over the units of the parsed files after the change: their functions, plus a file's top-level code when it branches or the file has no functions.",
      unit: 'paths',
      min: 0,
    },
    {
      name: 'complexity_delta',
      type: 'integer',
      description:
        'Total cyclomatic complexity after minus before the change, over the parsed files (top-level code included).',
      unit: 'paths',
    },
    count(
      'max_nesting',
      'Deepest nesting of control-flow blocks (if, loops, switch, try, catch) in the parsed files after the change.',
      'levels',
    ),
    count(
      'sloc',
      'Source lines of code after the change: lines holding code, not blank and not only comment.',
      'lines',
    ),
    { name: 'sloc_delta', type: 'integer', description: 'SLOC after minus SLOC before the change.', unit: 'lines' },
    {
      name: 'comment_ratio',
      type: 'real',
      description: 'Comment lines / (comment lines + SLOC) of the parsed files after the change; 0 for empty files.',
      min: 0,
      max: 1,
    },
    count(
      'duplicate_blocks',
      'Duplicated blocks within the change: maximal runs of added source lines (whitespace-normalised, blank/bracket/comment lines dropped) repeating a window of 6 such lines that appeared earlier in the change.',
      'blocks',
    ),
    count('duplicated_lines', 'Added source lines inside those duplicated runs.', 'lines'),
    count('security_hits', 'Security-pattern hits in added lines, all rules together.', 'hits'),
    ...securityRuleIds.map((rule) =>
      count(
        securityFeatureName(rule),
        `Security-pattern hits of rule ${rule}: ${securityRuleDescriptions[rule]}.`,
        'hits',
      ),
    ),
  ],
};

/**
 * Per-file code metrics (`file_metrics` of features.commits.v1): one row per parsed touched
 * file, after the change.
 */
export const codeFileMetricsV1: FeatureSet = {
  name: 'code_file_metrics',
  version: 1,
  scope: 'file',
  description: 'Static code metrics of one touched source file after the change.',
  features: [
    count('functions', 'Functions and methods in the file.', 'functions'),
    count(
      'complexity_max',
      'Largest cyclomatic complexity of a unit of the file (its functions, plus its top-level code when that branches or there are no functions).',
      'paths',
    ),
    count(
      'complexity_sum',
      'Sum of the cyclomatic complexities of the functions and the top-level code (which counts at least 1).',
      'paths',
    ),
    {
      name: 'complexity_delta',
      type: 'integer',
      description: 'complexity_sum after minus before the change (before is 0 for an added file).',
      unit: 'paths',
    },
    count('max_nesting', 'Deepest nesting of control-flow blocks.', 'levels'),
    count('sloc', 'Lines holding code.', 'lines'),
    count('comment_lines', 'Lines holding only comment.', 'lines'),
    {
      name: 'comment_ratio',
      type: 'real',
      description: 'comment_lines / (comment_lines + sloc); 0 for an empty file.',
      min: 0,
      max: 1,
    },
    count('security_hits', 'Security-pattern hits in the lines this change added to the file.', 'hits'),
  ],
};
