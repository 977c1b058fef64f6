// The response's code-quality fields next to the model's bug probability. A model output of the
// same name always wins (a future model may predict them); otherwise they are derived from the
// commit's code metrics (code_metrics@v1, code_file_metrics@v1) and change metrics
// (jit_change_metrics@v1) by the fixed, documented rules below — rules, not learned models,
// so every number can be traced to a metric and a threshold:
//
// - saturation s(v, h) = v / (v + h): 0 at 0, 0.5 at the threshold h, → 1 beyond.
// - complexity_score = 0.5·s(complexity_max, 10) + 0.3·s(complexity_mean, 5) + 0.2·s(max_nesting, 4);
//   10 is McCabe's threshold for a unit that needs splitting.
// - technical_debt_score = 0.4·duplication + 0.4·s(max(complexity_delta, 0), 10) + 0.2·comment deficit,
//   duplication = duplicated_lines / la (or s(duplicated_lines, 20) without la), comment deficit =
//   clamp(1 − comment_ratio / 0.15, 0, 1).
// - security_risks: one per security rule with hits in added lines (score s(hits, 1)), and one per
//   file with hits (code_file_metrics.security_hits).
// - refactoring_suggestions: split_large_change when la + ld > 400 (review effectiveness drops past
//   ~400 changed lines), split_scattered_change when nf > 10 and entropy > 2 bits, reduce_complexity /
//   reduce_nesting per file over 10 / 4, extract_duplicate when the change repeats blocks.
// Absent metrics leave the corresponding field absent (never a made-up 0).

export interface SecurityRisk {
  category: string;
  path: string;
  score: number;
  description: string;
}

export interface RefactoringSuggestion {
  path: string;
  kind: string;
  message: string;
  priority: number;
}

export interface QualityScores {
  complexity_score?: number;
  technical_debt_score?: number;
  security_risks: SecurityRisk[];
  refactoring_suggestions: RefactoringSuggestion[];
}

export interface ScoreInputs {
  /** jit_change_metrics values, when known. */
  change?: Readonly<Record<string, number>> | undefined;
  /** code_metrics values, when known. */
  code?: Readonly<Record<string, number>> | undefined;
  /** code_file_metrics rows, when known. */
  files?: readonly { path: string; values: Readonly<Record<string, number>> }[] | null | undefined;
  /** Named model outputs (a model that predicts complexity_score overrides the rule). */
  modelScores?: Readonly<Record<string, number>> | undefined;
}

export const saturate = (v: number, half: number): number => (v <= 0 ? 0 : v / (v + half));
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const has = (m: Readonly<Record<string, number>> | undefined, k: string): m is Readonly<Record<string, number>> =>
  m !== undefined && typeof m[k] === 'number' && Number.isFinite(m[k]);

export const SECURITY_RULE_PREFIX = 'sec_';

/**
 * The quality fields of one prediction by the rules above. `messages: false` leaves every
 * message and description empty, for answers that carry only kinds and scores (packed columns):
 * the text is most of the cost of a row's findings.
 */
export function deriveScores(inputs: ScoreInputs, { messages = true }: { messages?: boolean } = {}): QualityScores {
  const { change, code, files, modelScores } = inputs;
  const out: QualityScores = { security_risks: [], refactoring_suggestions: [] };

  if (has(modelScores, 'complexity_score')) out.complexity_score = clamp01(modelScores['complexity_score']!);
  else if (
    has(code, 'complexity_max') &&
    has(code, 'complexity_mean') &&
    has(code, 'max_nesting') &&
    (code['files_parsed'] ?? 1) > 0
  ) {
    out.complexity_score =
      0.5 * saturate(code['complexity_max']!, 10) +
      0.3 * saturate(code['complexity_mean']!, 5) +
      0.2 * saturate(code['max_nesting']!, 4);
  }

  if (has(modelScores, 'technical_debt_score'))
    out.technical_debt_score = clamp01(modelScores['technical_debt_score']!);
  else if (
    has(code, 'duplicated_lines') &&
    has(code, 'complexity_delta') &&
    has(code, 'comment_ratio') &&
    (code['files_parsed'] ?? 1) > 0
  ) {
    const dup = has(change, 'la')
      ? clamp01(code['duplicated_lines']! / Math.max(1, change['la']!))
      : saturate(code['duplicated_lines']!, 20);
    const growth = saturate(Math.max(0, code['complexity_delta']!), 10);
    const deficit = clamp01(1 - code['comment_ratio']! / 0.15);
    out.technical_debt_score = 0.4 * dup + 0.4 * growth + 0.2 * deficit;
  }

  if (code) {
    for (const [name, hits] of Object.entries(code)) {
      if (!name.startsWith(SECURITY_RULE_PREFIX) || !(hits > 0)) continue;
      const rule = name.slice(SECURITY_RULE_PREFIX.length);
      out.security_risks.push({
        category: rule,
        path: '',
        score: saturate(hits, 1),
        description: messages ? `${hits} added line(s) match security rule ${rule}` : '',
      });
    }
  }
  for (const f of files ?? []) {
    const hits = f.values['security_hits'];
    if (hits !== undefined && hits > 0) {
      out.security_risks.push({
        category: 'security_pattern',
        path: f.path,
        score: saturate(hits, 1),
        description: messages ? `${hits} security-pattern hit(s) in lines this change added to the file` : '',
      });
    }
  }
  out.security_risks.sort(
    (a, b) => b.score - a.score || a.category.localeCompare(b.category) || a.path.localeCompare(b.path),
  );

  const s = out.refactoring_suggestions;
  if (has(change, 'la') && has(change, 'ld')) {
    const lines = change['la']! + change['ld']!;
    if (lines > 400)
      s.push({
        path: '',
        kind: 'split_large_change',
        message: messages
          ? `${lines} changed lines: changes over ~400 lines are reviewed less effectively; split it`
          : '',
        priority: saturate(lines, 400),
      });
  }
  if (has(change, 'nf') && has(change, 'entropy') && change['nf']! > 10 && change['entropy']! > 2) {
    s.push({
      path: '',
      kind: 'split_scattered_change',
      message: messages
        ? `the change is spread over ${change['nf']} files (entropy ${change['entropy']!.toFixed(2)} bits); group it by concern`
        : '',
      priority: saturate(change['nf']!, 10),
    });
  }
  if (has(code, 'duplicate_blocks') && code['duplicate_blocks']! > 0) {
    s.push({
      path: '',
      kind: 'extract_duplicate',
      message: messages ? `${code['duplicate_blocks']} duplicated block(s) added; extract the repeated code` : '',
      priority: saturate(code['duplicate_blocks']!, 2),
    });
  }
  for (const f of files ?? []) {
    const c = f.values['complexity_max'];
    if (c !== undefined && c > 10)
      s.push({
        path: f.path,
        kind: 'reduce_complexity',
        message: messages ? `a unit has cyclomatic complexity ${c} (over 10)` : '',
        priority: saturate(c, 10),
      });
    const n = f.values['max_nesting'];
    if (n !== undefined && n > 4)
      s.push({
        path: f.path,
        kind: 'reduce_nesting',
        message: messages ? `control flow nests ${n} levels deep (over 4)` : '',
        priority: saturate(n, 4),
      });
  }
  s.sort((a, b) => b.priority - a.priority || a.kind.localeCompare(b.kind) || a.path.localeCompare(b.path));
  return out;
}
