// What a pull/merge request shows of a prediction: the check run's conclusion, title and markdown
// summary (GitHub), the commit status's state and description and the note (GitLab). Pure: the
// same prediction renders the same bytes, so an update with nothing new changes nothing. Text
// that came from a repository (file paths, feature values) is escaped: it must not break out of
// a table cell or inject markup into the SCM's page.

/** What inference's Predict adds to a predictions.v1 record: findings from the commit's code metrics. */
export interface QualityFindings {
  complexityScore?: number | undefined;
  technicalDebtScore?: number | undefined;
  securityRisks: readonly { category: string; path: string; score: number; description: string }[];
  refactoringSuggestions: readonly { path: string; kind: string; message: string; priority: number }[];
}

/** The parts of a Predict answer (or a predictions.v1 record) a summary shows. */
export interface RiskReport {
  repoId: string;
  sha: string;
  modelName: string;
  modelVersion: string;
  bugProbability: number;
  complexityScore?: number | undefined;
  technicalDebtScore?: number | undefined;
  contributions: readonly { feature: string; value: number; contribution: number }[];
  securityRisks: readonly { category: string; path: string; score: number; description: string }[];
  refactoringSuggestions: readonly { path: string; kind: string; message: string; priority: number }[];
  /** When the prediction was made, epoch ms: of two answers for one commit the newer wins. */
  predictedAt: number;
  /**
   * Why security risks and refactoring suggestions are not known, when they are not (no
   * inference to ask, or it did not answer): shown instead of "None found", which would claim
   * an analysis that did not happen.
   */
  findingsMissing?: string | undefined;
}

export type Conclusion = 'neutral' | 'action_required';

export interface Rendered {
  conclusion: Conclusion;
  title: string;
  summary: string;
  /** GitLab commit status: `failed` above the threshold, else `success`. */
  gitlabState: 'success' | 'failed';
  /** One line, at most 255 characters (GitLab's limit for a status description). */
  description: string;
}

/** Check-run name and GitLab status name: one per commit, updated in place. */
export const CHECK_NAME = 'omen / defect risk';
/** First line of the merge-request note, how a later run finds the note to edit. */
export const NOTE_MARKER = '<!-- omen:defect-risk -->';
/** GitHub caps output.summary at 65535 characters. */
const SUMMARY_MAX = 65_000;

/** A check run's `external_id`: what (repository, sha, model version) it shows. */
export function externalId(r: Pick<RiskReport, 'modelName' | 'modelVersion'>): string {
  return `omen:${r.modelName}:${r.modelVersion}`;
}

export function conclusionFor(bugProbability: number, threshold: number): Conclusion {
  return bugProbability >= threshold ? 'action_required' : 'neutral';
}

/** Markdown-safe text: no table breaks, no HTML, no code-span escapes, one line, bounded. */
export function md(text: string, max = 200): string {
  const one = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ');
  const cut = one.length > max ? `${one.slice(0, max - 1)}…` : one;
  return cut.replace(/[\\`*_{}[\]()#+!|<>~&]/g, (c) => `\\${c}`);
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const value = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));

export function render(r: RiskReport, threshold: number): Rendered {
  const conclusion = conclusionFor(r.bugProbability, threshold);
  const above = conclusion === 'action_required';
  const title = `Bug risk ${pct(r.bugProbability)} — ${above ? 'at or above' : 'below'} the ${pct(threshold)} threshold`;
  const lines: string[] = [
    `**${pct(r.bugProbability)}** probability that commit \`${r.sha.slice(0, 12)}\` introduces a bug (${above ? '**review recommended**' : 'no action needed'}; threshold ${pct(threshold)}).`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| bug probability | ${pct(r.bugProbability)} |`,
    ...(r.complexityScore !== undefined ? [`| complexity score | ${r.complexityScore.toFixed(2)} |`] : []),
    ...(r.technicalDebtScore !== undefined ? [`| technical debt score | ${r.technicalDebtScore.toFixed(2)} |`] : []),
    `| model | ${md(r.modelName, 128)} ${md(r.modelVersion, 128)} |`,
    '',
    '#### Top contributing features',
    '',
  ];
  if (r.contributions.length === 0) lines.push('The model gave no explanation for this prediction.');
  else {
    lines.push('| feature | value | contribution to the log-odds |', '| --- | --- | --- |');
    for (const c of r.contributions.slice(0, 10))
      lines.push(`| ${md(c.feature, 64)} | ${value(c.value)} | ${signed(c.contribution)} |`);
  }
  lines.push('', '#### Security risks', '');
  if (r.findingsMissing !== undefined) lines.push(`Not analysed: ${md(r.findingsMissing, 300)}.`);
  else if (r.securityRisks.length === 0) lines.push('None found.');
  for (const s of [...r.securityRisks].sort((a, b) => b.score - a.score).slice(0, 20)) {
    lines.push(
      `- **${md(s.category, 64)}**${s.path ? ` in ${md(s.path)}` : ''} (score ${s.score.toFixed(2)}): ${md(s.description, 300)}`,
    );
  }
  lines.push('', '#### Refactoring suggestions', '');
  if (r.findingsMissing !== undefined) lines.push(`Not analysed: ${md(r.findingsMissing, 300)}.`);
  else if (r.refactoringSuggestions.length === 0) lines.push('None.');
  for (const s of [...r.refactoringSuggestions].sort((a, b) => b.priority - a.priority).slice(0, 20)) {
    lines.push(
      `- ${s.path ? `${md(s.path)}: ` : ''}${md(s.message, 300)} (${md(s.kind, 64)}, priority ${s.priority.toFixed(2)})`,
    );
  }
  let summary = lines.join('\n');
  if (summary.length > SUMMARY_MAX)
    summary = `${summary.slice(0, SUMMARY_MAX)}\n\n… (cut at ${SUMMARY_MAX} characters)`;
  const description =
    `Bug risk ${pct(r.bugProbability)} (threshold ${pct(threshold)}), ${r.modelName} ${r.modelVersion}`.slice(0, 255);
  return { conclusion, title, summary, gitlabState: above ? 'failed' : 'success', description };
}

/** The merge-request note: the marker, a heading, the summary. */
export function noteBody(r: RiskReport, rendered: Rendered): string {
  return `${NOTE_MARKER}\n### ${CHECK_NAME}: ${rendered.title}\n\n${rendered.summary}\n\n<sub>${md(r.modelName)} ${md(r.modelVersion)} · updated in place on a newer model</sub>`;
}

/**
 * Whether `incoming` should replace what was published for the same commit. A publication that
 * lacked findings because inference did not answer (`incomplete`) is redone by the next record
 * of the same version (a redelivery, a served prediction), so an outage heals instead of
 * leaving "not analysed" on the request for good.
 */
export function supersedes(
  incoming: Pick<RiskReport, 'modelName' | 'modelVersion' | 'predictedAt'>,
  published:
    { modelName: string; modelVersion: string; predictedAt: number; incomplete?: boolean | undefined } | undefined,
): boolean {
  if (!published) return true;
  if (published.modelName === incoming.modelName && published.modelVersion === incoming.modelVersion)
    return published.incomplete === true;
  return incoming.predictedAt >= published.predictedAt;
}

/** A Predict answer (gRPC or POST /v1/analyze JSON) as a report, for `predictedAt` epoch ms. */
export interface PredictAnswer {
  repo_id: string;
  entity_id: string;
  model_name: string;
  model_version: string;
  bug_probability: number;
  complexity_score?: number | null | undefined;
  technical_debt_score?: number | null | undefined;
  top_contributions?: readonly { feature: string; value: number; contribution: number }[];
  security_risks?: readonly { category: string; path: string; score: number; description: string }[];
  refactoring_suggestions?: readonly { path: string; kind: string; message: string; priority: number }[];
}

export function reportFromPredict(a: PredictAnswer, predictedAt: number): RiskReport {
  return {
    repoId: a.repo_id,
    sha: a.entity_id,
    modelName: a.model_name,
    modelVersion: a.model_version,
    bugProbability: a.bug_probability,
    complexityScore: a.complexity_score ?? undefined,
    technicalDebtScore: a.technical_debt_score ?? undefined,
    contributions: a.top_contributions ?? [],
    securityRisks: a.security_risks ?? [],
    refactoringSuggestions: a.refactoring_suggestions ?? [],
    predictedAt,
  };
}
