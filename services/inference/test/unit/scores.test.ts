import { describe, expect, it } from 'vitest';
import { deriveScores, saturate } from '../../src/domain/scores.ts';

describe('deriveScores', () => {
  it('leaves every derived field absent when no code or change metrics are known', () => {
    expect(deriveScores({})).toEqual({ security_risks: [], refactoring_suggestions: [] });
  });

  it('computes the complexity score from the documented weights (0.5 at every threshold)', () => {
    const code = { files_parsed: 2, complexity_max: 10, complexity_mean: 5, max_nesting: 4 };
    expect(deriveScores({ code }).complexity_score).toBeCloseTo(0.5, 12);
    const simple = deriveScores({
      code: { ...code, complexity_max: 1, complexity_mean: 1, max_nesting: 0 },
    }).complexity_score!;
    expect(simple).toBeCloseTo(0.5 * (1 / 11) + 0.3 * (1 / 6), 12);
  });

  it('computes technical debt from duplication share, complexity growth and comment deficit', () => {
    const code = { files_parsed: 1, duplicated_lines: 50, complexity_delta: 10, comment_ratio: 0.075 };
    const got = deriveScores({ code, change: { la: 100, ld: 0 } }).technical_debt_score!;
    expect(got).toBeCloseTo(0.4 * 0.5 + 0.4 * 0.5 + 0.2 * 0.5, 12);
    // A complexity decrease is not debt; a well-commented change has no deficit.
    expect(
      deriveScores({ code: { ...code, duplicated_lines: 0, complexity_delta: -5, comment_ratio: 0.3 } })
        .technical_debt_score,
    ).toBe(0);
  });

  it('prefers a model output of the same name over the rule', () => {
    const code = { files_parsed: 1, complexity_max: 40, complexity_mean: 5, max_nesting: 4 };
    expect(deriveScores({ code, modelScores: { complexity_score: 0.12 } }).complexity_score).toBe(0.12);
  });

  it('reports one security risk per rule with hits and per file with hits, worst first', () => {
    const got = deriveScores({
      code: { sec_hardcoded_secret: 3, sec_weak_hash: 1, sec_eval_exec: 0 },
      files: [
        { path: 'src/a.ts', values: { security_hits: 1 } },
        { path: 'src/b.ts', values: { security_hits: 0 } },
      ],
    });
    expect(got.security_risks.map((r) => [r.category, r.path, r.score])).toEqual([
      ['hardcoded_secret', '', 0.75],
      ['security_pattern', 'src/a.ts', 0.5],
      ['weak_hash', '', 0.5],
    ]);
  });

  it('suggests refactorings past the documented thresholds only', () => {
    const got = deriveScores({
      change: { la: 500, ld: 100, nf: 20, entropy: 3.1 },
      code: { duplicate_blocks: 2 },
      files: [
        { path: 'big.ts', values: { complexity_max: 30, max_nesting: 5 } },
        { path: 'ok.ts', values: { complexity_max: 10, max_nesting: 4 } },
      ],
    });
    expect(got.refactoring_suggestions.map((s) => [s.kind, s.path])).toEqual([
      ['reduce_complexity', 'big.ts'], // 30/40
      ['split_scattered_change', ''], // 20/30
      ['split_large_change', ''], // 600/1000
      ['reduce_nesting', 'big.ts'],
      ['extract_duplicate', ''],
    ]);
    expect(got.refactoring_suggestions[2]!.priority).toBeCloseTo(saturate(600, 400), 12);
    expect(deriveScores({ change: { la: 300, ld: 100, nf: 3, entropy: 1 } }).refactoring_suggestions).toEqual([]);
  });
});
