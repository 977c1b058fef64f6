// omen.drift.v1.DriftDetector: reads of the report store. Bad requests get INVALID_ARGUMENT
// naming the field; a model, version or repo without reports gets NOT_FOUND saying which.
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, quote } from '@omen/errors';
import { checkName } from '@omen/ids';
import { unary } from '@omen/grpc';
import type { driftV1 } from '@omen/contracts';
import { reportMessage, timestamp } from '../domain/report.ts';
import { ALL_REPOS } from '../domain/window.ts';
import type { ReportQuery, ReportStore } from '../adapters/report-store.ts';
import type { PerformanceQuery, WindowPerformance } from '../adapters/performance-store.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export interface DriftServiceDeps {
  store: ReportStore;
  /** The performance table's reads; undefined without ClickHouse. */
  performance?: { list(q: PerformanceQuery): Promise<WindowPerformance[]> } | undefined;
  /** The serving version of a model now (what an empty model_version means), if known. */
  servingVersion: (model: string) => string | undefined;
}

type Ts = { seconds?: string | number | null; nanos?: number | null } | null | undefined;

function millis(ts: Ts, field: string): number | undefined {
  if (!ts) return undefined;
  const ms = Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`${field} is not a valid timestamp`, field);
  return ms;
}

const MAX_ID_CHARS = 200;

function modelName(value: string | undefined): string {
  const name = (value ?? '').trim();
  return checkName(name, 'model_name');
}

// Every filter goes into a ClickHouse query; one of a megabyte made the query too large for the
// server and the caller got INTERNAL (found by the contract fuzz).
function bounded(value: string, field: string): string {
  if (value.length > MAX_ID_CHARS)
    throw new InvalidArgumentError(`${field} is longer than ${MAX_ID_CHARS} characters`, field);
  return value;
}

/** Page tokens are opaque to callers: the offset of the next page, base64url. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function decodePageToken(token: string): number {
  if (token === '') return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new InvalidArgumentError('page_token is not a token this service returned', 'page_token');
  return Number(m[1]);
}

export function driftHandlers(deps: DriftServiceDeps) {
  return {
    GetDriftReport: unary<driftV1.GetDriftReportRequest__Output, driftV1.DriftReport>(async (req) => {
      const model = modelName(req.model_name);
      const repo = req.repo_id === '' ? ALL_REPOS : bounded(req.repo_id, 'repo_id');
      const version =
        req.model_version !== '' ? bounded(req.model_version, 'model_version') : deps.servingVersion(model);
      const { reports } = await deps.store.list({ model, version, repo, offset: 0, limit: 1 });
      const latest = reports[0];
      if (!latest) {
        const what = `model ${quote(model)}${version ? ` version ${quote(version)}` : ''}${repo === ALL_REPOS ? ' over all repositories' : ` in repo ${quote(repo)}`}`;
        throw new NotFoundError(
          `no drift report for ${what} yet: no window has closed with at least the minimum sample size`,
          `drift-report/${model}`,
        );
      }
      return reportMessage(latest);
    }),
    ListDriftReports: unary<driftV1.ListDriftReportsRequest__Output, driftV1.ListDriftReportsResponse>(async (req) => {
      const model = modelName(req.model_name);
      if (req.page_size < 0) throw new InvalidArgumentError('page_size must not be negative', 'page_size');
      if (req.page_size > MAX_PAGE_SIZE)
        throw new InvalidArgumentError(`page_size must be at most ${MAX_PAGE_SIZE}`, 'page_size');
      const limit = req.page_size === 0 ? DEFAULT_PAGE_SIZE : req.page_size;
      const offset = decodePageToken(req.page_token);
      const since = millis(req.since, 'since');
      const until = millis(req.until, 'until');
      if (since !== undefined && until !== undefined && since > until)
        throw new InvalidArgumentError('since is after until', 'since');
      const q: ReportQuery = {
        model,
        version: req.model_version === '' ? undefined : bounded(req.model_version, 'model_version'),
        feature: req.feature === '' ? undefined : bounded(req.feature, 'feature'),
        since,
        until,
        driftedOnly: req.drifted_only,
        offset,
        limit,
      };
      const page = await deps.store.list(q);
      return {
        reports: page.reports.map(reportMessage),
        next_page_token: page.more ? encodePageToken(offset + limit) : '',
      };
    }),
    ListPerformance: unary<driftV1.ListPerformanceRequest__Output, driftV1.ListPerformanceResponse>(async (req) => {
      const model = modelName(req.model_name);
      if (req.page_size < 0 || req.page_size > MAX_PAGE_SIZE)
        throw new InvalidArgumentError(`page_size must be between 0 and ${MAX_PAGE_SIZE}`, 'page_size');
      if (!deps.performance)
        throw new FailedPreconditionError(
          'performance estimation is kept in ClickHouse: this drift-detector runs without CLICKHOUSE_URL',
        );
      const windows = await deps.performance.list({
        model,
        version: req.model_version === '' ? undefined : bounded(req.model_version, 'model_version'),
        repo: req.repo_id === '' ? ALL_REPOS : bounded(req.repo_id, 'repo_id'),
        limit: req.page_size === 0 ? DEFAULT_PAGE_SIZE : req.page_size,
      });
      return { windows: windows.map(performanceMessage) };
    }),
  };
}

export function performanceMessage(w: WindowPerformance): driftV1.WindowPerformance {
  return {
    model_name: w.model,
    model_version: w.version,
    repo_id: w.repo,
    window_start: timestamp(w.windowStart),
    window_end: timestamp(w.windowEnd),
    predictions: String(w.predictions),
    ...(w.expectedAuc !== null ? { expected_auc: w.expectedAuc } : {}),
    scored: String(w.scored),
    labelled: String(w.labelled),
    positives: String(w.positives),
    ...(w.realisedAuc !== null ? { realised_auc: w.realisedAuc } : {}),
    computed_at: timestamp(w.computedAt),
    ...(w.realisedAt !== null ? { realised_at: timestamp(w.realisedAt) } : {}),
  };
}
