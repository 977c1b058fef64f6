import { describe, expect, it } from 'vitest';
import {
  conclusionFor,
  externalId,
  md,
  noteBody,
  NOTE_MARKER,
  render,
  supersedes,
  type RiskReport,
} from '../../src/domain/summary.ts';
import { retryAfterMs } from '../../src/adapters/gitlab.ts';

const report: RiskReport = {
  repoId: 'github:acme/widgets',
  sha: 'ab'.repeat(20),
  modelName: 'jit-defect',
  modelVersion: 'v3',
  bugProbability: 0.734,
  complexityScore: 0.41,
  contributions: [
    { feature: 'la', value: 900, contribution: 1.2 },
    { feature: 'exp', value: 2.5, contribution: -0.31 },
  ],
  securityRisks: [
    { category: 'secrets', path: 'config/prod.env', score: 0.9, description: 'a literal that looks like a key' },
  ],
  refactoringSuggestions: [
    { path: 'lib/router.js', kind: 'split_large_change', message: 'Split this change', priority: 0.8 },
  ],
  predictedAt: 1,
};

describe('render', () => {
  it('concludes action_required at or above the threshold, neutral below', () => {
    expect(conclusionFor(0.5, 0.5)).toBe('action_required');
    expect(conclusionFor(0.4999, 0.5)).toBe('neutral');
    expect(render(report, 0.5)).toMatchObject({ conclusion: 'action_required', gitlabState: 'failed' });
    expect(render(report, 0.8)).toMatchObject({ conclusion: 'neutral', gitlabState: 'success' });
  });

  it('shows the probability, contributions, security risks and suggestions', () => {
    const r = render(report, 0.5);
    expect(r.title).toBe('Bug risk 73.4% — at or above the 50.0% threshold');
    expect(r.summary).toContain('| la | 900 | +1.200 |');
    expect(r.summary).toContain('| exp | 2.500 | −0.310 |');
    expect(r.summary).toContain('**secrets** in config/prod.env (score 0.90)');
    expect(r.summary).toContain('lib/router.js: Split this change (split\\_large\\_change, priority 0.80)');
    expect(r.description.length).toBeLessThanOrEqual(255);
    expect(noteBody(report, r).startsWith(NOTE_MARKER)).toBe(true);
  });

  it('escapes what came from a repository so it cannot break the table or inject markup', () => {
    const hostile = {
      ...report,
      securityRisks: [{ category: 'x', path: 'a|b<script>\n`c`', score: 1, description: '[link](javascript:1)' }],
    };
    const r = render(hostile, 0.5);
    expect(r.summary).not.toContain('<script>');
    expect(r.summary).toContain('a\\|b\\<script\\> \\`c\\`');
    expect(r.summary).toContain('\\[link\\]\\(javascript:1\\)');
    expect(md('x'.repeat(500)).length).toBeLessThanOrEqual(200);
  });

  it('is deterministic', () => {
    expect(render(report, 0.5)).toEqual(render(report, 0.5));
  });
});

describe('supersedes (idempotent by repository, sha, model version)', () => {
  it('publishes the first answer, skips the same version, takes a newer one, ignores an older one', () => {
    expect(supersedes(report, undefined)).toBe(true);
    const done = { modelName: 'jit-defect', modelVersion: 'v3', predictedAt: 10 };
    expect(supersedes({ ...report, predictedAt: 99 }, done)).toBe(false);
    expect(supersedes({ ...report, modelVersion: 'v4', predictedAt: 11 }, done)).toBe(true);
    expect(supersedes({ ...report, modelVersion: 'v2', predictedAt: 9 }, done)).toBe(false);
    expect(externalId(report)).toBe('omen:jit-defect:v3');
  });

  it('redoes a publication that lacked the findings, for the same version too', () => {
    const done = { modelName: 'jit-defect', modelVersion: 'v3', predictedAt: 10, incomplete: true };
    expect(supersedes({ ...report, predictedAt: 10 }, done)).toBe(true);
    expect(supersedes({ ...report, predictedAt: 10 }, { ...done, incomplete: false })).toBe(false);
  });
});

describe('findings that were not analysed', () => {
  it('says why instead of claiming none were found', () => {
    const r = render(
      {
        ...report,
        securityRisks: [],
        refactoringSuggestions: [],
        findingsMissing: 'inference did not answer (UNAVAILABLE)',
      },
      0.5,
    );
    expect(r.summary).not.toContain('None found.');
    expect(r.summary.split('Not analysed: inference did not answer \\(UNAVAILABLE\\).')).toHaveLength(3);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
