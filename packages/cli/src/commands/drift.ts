import { parseArgs } from 'node:util';
import { loadGrpcObject, type driftV1 } from '@omen/contracts';
import { createClient } from '@omen/grpc';
import { UsageError, type Command } from '../command.ts';
import { servicePorts } from '../local-services.ts';
import { callService as call, fmt, isoOf, printJson, runVerb, table } from './models.ts';

// The drift-detector's reads over gRPC (omen.drift.v1.DriftDetector): reports of past windows,
// one report with every test and its retraining link, and the expected-vs-realised AUC.

const usage = `
usage: ./scripts/omen drift list [MODEL] [--version V] [--feature F] [--drifted] [--since ISO] [--until ISO] [--limit N]
       ./scripts/omen drift get [MODEL] [--version V] [--repo REPO] [--all-tests]
       ./scripts/omen drift performance [MODEL] [--version V] [--repo REPO] [--limit N]

  MODEL defaults to jit-defect.
  list         reports, newest window first: drift share, drifted, decisive tests that drifted,
               and the retraining run the alert started (or why none started)
  get          the latest report (default: the champion's version, all repositories) with its
               decisive tests; --all-tests adds the informational ones (PSI, the other distances)
  performance  per prediction window: CBPE expected ROC AUC (no labels needed) and the realised
               ROC AUC once the window's labels matured

  --addr HOST:PORT  the drift-detector (default: DRIFT_ADDR, else 127.0.0.1:${servicePorts('drift-detector').grpc})
  --json            print the response as JSON
`;

function driftClient(addr: string | undefined) {
  const address = addr ?? process.env['DRIFT_ADDR'] ?? `127.0.0.1:${servicePorts('drift-detector').grpc}`;
  const { DriftDetector } = loadGrpcObject('drift').omen.drift.v1;
  return { client: createClient(DriftDetector, address, { deadlineMs: 30_000 }), address, service: 'drift-detector' };
}

const statName = (s: string): string => s.replace('DRIFT_STATISTIC_', '').toLowerCase();
const targetName = (t: string): string => t.replace('DRIFT_TARGET_', '').toLowerCase();

function retraining(r: driftV1.DriftReport__Output): string {
  if (r.retraining_status === '') return '-';
  return r.retraining_run_id ? `run ${r.retraining_run_id}` : r.retraining_status;
}

function timestampOf(iso: string | undefined, option: string): { seconds: string; nanos: number } | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new UsageError(`--${option} must be an ISO date or time; got "${iso}"`);
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

function limitOf(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`--limit must be an integer from 1 to 1000; got "${v}"`);
  return n;
}

function printReport(r: driftV1.DriftReport__Output, allTests: boolean): void {
  const lines = [
    `${r.report_id}  ${r.drifted ? 'DRIFTED' : 'no drift'}`,
    `  window        ${isoOf(r.window_start)} .. ${isoOf(r.window_end)}  ${r.repo_id === '*' ? 'all repositories' : r.repo_id}`,
    `  reference     ${r.model_name}/${r.reference_version}  computed ${isoOf(r.computed_at)}`,
    `  drift share   ${r.drift_share !== undefined && r.drift_share !== null ? `${fmt(r.drift_share, 3)} of features` : '-'}`,
    `  retraining    ${r.retraining_status === '' ? '-' : `${r.retraining_status}${r.retraining_run_id ? ` run ${r.retraining_run_id}` : ''}${r.retraining_detail ? `: ${r.retraining_detail}` : ''}`}`,
  ];
  const tests = r.features.filter((f) => allTests || f.decisive);
  const rows = [
    [
      'TARGET',
      'FEATURE',
      'STATISTIC',
      'VALUE',
      'P',
      'P ADJ',
      'THRESHOLD',
      'DRIFTED',
      'N',
      ...(allTests ? ['DECISIVE'] : []),
    ],
  ];
  for (const f of tests) {
    rows.push([
      targetName(f.target),
      f.feature,
      statName(f.statistic),
      fmt(f.value),
      f.p_value !== undefined && f.p_value !== null ? f.p_value.toExponential(2) : '-',
      f.p_value_adjusted !== undefined && f.p_value_adjusted !== null ? f.p_value_adjusted.toExponential(2) : '-',
      fmt(f.threshold),
      f.drifted ? 'yes' : 'no',
      String(f.sample_size),
      ...(allTests ? [f.decisive ? 'yes' : 'no'] : []),
    ]);
  }
  process.stdout.write(`${lines.join('\n')}\n${table(rows).replace(/^/gm, '  ')}\n`);
}

async function runDrift(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      addr: { type: 'string' },
      json: { type: 'boolean', default: false },
      version: { type: 'string' },
      repo: { type: 'string' },
      feature: { type: 'string' },
      drifted: { type: 'boolean', default: false },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      'all-tests': { type: 'boolean', default: false },
    },
  });
  const [verb, ...args] = positionals;
  if (verb === undefined) throw new UsageError('which drift verb?');
  if (!['list', 'get', 'performance'].includes(verb)) throw new UsageError(`unknown drift verb "${verb}"`);
  if (args.length > 1) throw new UsageError(`drift ${verb} takes at most one MODEL`);
  const model = args[0] ?? 'jit-defect';
  const conn = driftClient(values.addr);
  try {
    switch (verb) {
      case 'list': {
        const res = await call<driftV1.ListDriftReportsResponse__Output>(conn, 'ListDriftReports', {
          model_name: model,
          model_version: values.version ?? '',
          feature: values.feature ?? '',
          since: timestampOf(values.since, 'since'),
          until: timestampOf(values.until, 'until'),
          drifted_only: values.drifted,
          page_size: limitOf(values.limit),
        });
        if (values.json) printJson(res.reports);
        else if (res.reports.length === 0) process.stdout.write(`no drift reports for ${model}\n`);
        else {
          const rows = res.reports.map((r) => [
            isoOf(r.window_end),
            r.model_version,
            r.repo_id,
            r.drift_share !== undefined && r.drift_share !== null ? fmt(r.drift_share, 2) : '-',
            r.drifted ? 'yes' : 'no',
            r.features
              .filter((f) => f.decisive && f.drifted)
              .map((f) => `${f.feature}:${statName(f.statistic)}`)
              .join(',') || '-',
            retraining(r),
          ]);
          process.stdout.write(
            `${table([['WINDOW END', 'VERSION', 'REPO', 'SHARE', 'DRIFTED', 'DRIFTED TESTS', 'RETRAINING'], ...rows])}\n`,
          );
        }
        return 0;
      }
      case 'get': {
        const r = await call<driftV1.DriftReport__Output>(conn, 'GetDriftReport', {
          model_name: model,
          model_version: values.version ?? '',
          repo_id: values.repo ?? '',
        });
        if (values.json) printJson(r);
        else printReport(r, values['all-tests']);
        return 0;
      }
      default: {
        const res = await call<driftV1.ListPerformanceResponse__Output>(conn, 'ListPerformance', {
          model_name: model,
          model_version: values.version ?? '',
          repo_id: values.repo ?? '',
          page_size: limitOf(values.limit),
        });
        if (values.json) printJson(res.windows);
        else if (res.windows.length === 0) process.stdout.write(`no prediction windows for ${model}\n`);
        else {
          const rows = res.windows.map((w) => [
            isoOf(w.window_end),
            w.model_version,
            w.repo_id,
            String(w.predictions),
            fmt(w.expected_auc ?? undefined),
            w.realised_at ? fmt(w.realised_auc ?? undefined) : 'labels not mature',
            w.realised_at ? `${w.labelled}/${w.scored} (${w.positives} bug)` : '-',
          ]);
          process.stdout.write(
            `${table([['WINDOW END', 'VERSION', 'REPO', 'PREDICTIONS', 'EXPECTED AUC', 'REALISED AUC', 'LABELLED']].concat(rows))}\n`,
          );
        }
        return 0;
      }
    }
  } finally {
    conn.client.close();
  }
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'drift reports, their retraining runs, and expected vs realised AUC (drift-detector)',
  usage,
  run: (argv) => runVerb('drift', () => runDrift(argv)),
};
