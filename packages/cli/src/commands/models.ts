import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import type { trainerV1 } from '@omen/contracts';
import { errorCodeForGrpc, isOmenError } from '@omen/errors';
import { callUnary } from '@omen/grpc';
import { TrainerClient, type TrainerMethod } from '@omen/model-registry';
import { UsageError, type Command } from '../command.ts';
import { localAdminToken, servicePorts } from '../local-services.ts';

// The trainer-coordinator's client side, shared by `models` and `train`: every call goes over
// gRPC to the running service (./scripts/omen services up), never around it to the registry.

export const CONNECTION_OPTIONS = {
  addr: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const CONNECTION_USAGE = `
  --addr HOST:PORT  the trainer-coordinator (default: TRAINER_ADDR, else 127.0.0.1:${servicePorts('trainer-coordinator').grpc})
  --token TOKEN     admin token for changes (default: ADMIN_TOKEN, else .omen/admin-token)
  --json            print the response as JSON`;

export interface Connection {
  /** The generated client, for streaming calls (WatchRun). */
  client: trainerV1.TrainerClient;
  address: string;
  trainer: TrainerClient;
}

/** A client of the trainer; `admin` adds the token (only state-changing calls need it). */
export function trainerClient(
  values: { addr?: string | undefined; token?: string | undefined },
  admin: boolean,
  deadlineMs = 60_000,
): Connection {
  const address = values.addr ?? process.env['TRAINER_ADDR'] ?? `127.0.0.1:${servicePorts('trainer-coordinator').grpc}`;
  const token = admin ? (values.token ?? process.env['ADMIN_TOKEN'] ?? localAdminToken().token) : undefined;
  const trainer = new TrainerClient({ address, deadlineMs, ...(token ? { token } : {}) });
  return { client: trainer.grpc, address, trainer };
}

/** A unary call; a gRPC failure becomes one line naming the status and the service's message. */
export async function call<Res>(conn: Connection, method: TrainerMethod, request: unknown): Promise<Res> {
  try {
    return await conn.trainer.call<Res>(method, request);
  } catch (err) {
    if (!isOmenError(err)) throw err;
    // The trainer's own words (the gRPC details), not the client's UNAVAILABLE sentence: the hint says where.
    const cause = err.cause as Partial<grpc.ServiceError> | undefined;
    const details = typeof cause?.details === 'string' ? cause.details : err.message;
    const hint =
      err.code === 'UNAVAILABLE'
        ? ` (is the trainer-coordinator up at ${conn.address}? ./scripts/omen services up)`
        : '';
    throw new CliFailure(`${method}: ${err.code}: ${details}${hint}`);
  }
}

/** A unary call on another service's client (drift-detector, …); failures read as `call`'s do. */
export async function callService<Res>(
  conn: { client: grpc.Client; address: string; service: string },
  method: string,
  request: unknown,
): Promise<Res> {
  try {
    return await callUnary<Res>(conn.client, method, request);
  } catch (err) {
    const e = err as grpc.ServiceError;
    if (typeof e.code === 'number') {
      const hint =
        e.code === (14 as grpc.status)
          ? ` (is the ${conn.service} up at ${conn.address}? ./scripts/omen services up)`
          : '';
      throw new CliFailure(`${method}: ${statusName(e.code)}: ${e.details}${hint}`);
    }
    throw err;
  }
}

/** The name of a gRPC status code (UNAVAILABLE for 14), as @omen/errors spells it. */
export const statusName = (code: number): string => errorCodeForGrpc(code);

/** A failure to print as one line (exit 1), not a usage mistake. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/** Runs a verb body: usage mistakes from parseArgs become UsageError, CliFailure prints and exits 1. */
export async function runVerb(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
    if (err instanceof CliFailure) {
      process.stderr.write(`omen ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function isoOf(ts: { seconds: string | number; nanos?: number } | null | undefined): string {
  if (!ts || Number(ts.seconds) === 0) return '-';
  return new Date(Number(ts.seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

export const fmt = (v: number | undefined, digits = 4): string =>
  v === undefined || !Number.isFinite(v) ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(digits);

/** `k=v` pairs (repeatable options) as a map; refuses an item without "=". */
export function pairs(items: readonly string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--${option} takes KEY=VALUE; got "${item}"`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const usage = `
usage: ./scripts/omen models list [--prefix P]
       ./scripts/omen models versions MODEL
       ./scripts/omen models get MODEL [--version V | --alias A]
       ./scripts/omen models promote MODEL VERSION [--alias A] [--force] [--reason TEXT]
       ./scripts/omen models rollback MODEL [--to VERSION] [--alias A] [--reason TEXT]
       ./scripts/omen models import MODEL FILE.onnx --feature-set NAME[@VERSION] [--version V]
                                  [--sha256 HEX] [--metric K=V]... [--meta K=V]... [--by-path]

  list      models with their champion, challenger, latest version and version count
  versions  every version of MODEL: stage, aliases, holdout AUC, gate verdict, run, sha256
  get       one version (default: the champion) with lineage, metrics and gate checks
  promote   point an alias (default champion) at VERSION; a version the gate refused needs --force;
            repeating it changes nothing and re-announces model.promoted
  rollback  undo the last promotion of the alias (or go --to a version); repeating it is a no-op
  import    register an externally trained ONNX model (PyTorch, XGBoost, scikit-learn export):
            its input must be float32 [N, F] in the feature set's order and it needs a
            "probabilities" output (or metadata probability_output); --sha256 refuses other bytes;
            --by-path sends the file's path instead of its bytes (the file must be inside the
            trainer's TRAINER_IMPORT_DIR, default .omen/import; automatic above 3 MiB, gRPC's
            default message limit being 4 MiB)
${CONNECTION_USAGE}
`;

function versionRow(v: trainerV1.ModelVersion__Output): string[] {
  return [
    v.version,
    v.stage.replace('MODEL_STAGE_', '').toLowerCase(),
    v.aliases.join(',') || '-',
    fmt(v.metrics['auc']),
    v.gate ? (v.gate.passed ? 'passed' : 'refused') : '-',
    v.algorithm || '-',
    v.run_id || '(imported)',
    isoOf(v.created_at),
    v.artifact_sha256.slice(0, 12),
  ];
}

function printVersion(v: trainerV1.ModelVersion__Output): void {
  const lines = [
    `${v.model_name}/${v.version}  ${v.stage.replace('MODEL_STAGE_', '').toLowerCase()}${v.aliases.length > 0 ? `  (${v.aliases.join(', ')})` : ''}`,
    `  artifact      ${v.format} ${v.size_bytes} bytes  sha256 ${v.artifact_sha256}`,
    `                ${v.artifact_uri}`,
    `  features      ${v.feature_set}@v${v.feature_set_version}: ${v.feature_names.join(', ')}`,
    `  trained       ${v.run_id ? `run ${v.run_id}` : 'imported'}, ${v.algorithm || '-'}, code ${v.code_version || '-'}, created ${isoOf(v.created_at)}${v.promoted_at ? `, champion since ${isoOf(v.promoted_at)}` : ''}`,
    `  data          ${isoOf(v.data_from)} .. ${isoOf(v.data_to)}; ${v.train_rows} train / ${v.test_rows} test rows; label rate ${fmt(v.label_rate)}`,
    `  metrics       ${
      Object.entries(v.metrics)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => `${k} ${fmt(x)}`)
        .join(', ') || '-'
    }`,
  ];
  if (v.gate)
    lines.push(
      `  gate          ${v.gate.passed ? 'passed' : 'refused'}: ${v.gate.checks.map((c) => `${c.name} ${c.passed ? 'ok' : 'FAILED'} (${fmt(c.value)} vs ${fmt(c.threshold)})`).join('; ')}`,
    );
  if (Object.keys(v.params).length > 0)
    lines.push(
      `  params        ${Object.entries(v.params)
        .map(([k, x]) => `${k}=${x}`)
        .join(' ')}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runModels(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      prefix: { type: 'string' },
      version: { type: 'string' },
      alias: { type: 'string' },
      force: { type: 'boolean', default: false },
      reason: { type: 'string' },
      to: { type: 'string' },
      'feature-set': { type: 'string' },
      sha256: { type: 'string' },
      metric: { type: 'string', multiple: true },
      meta: { type: 'string', multiple: true },
      'by-path': { type: 'boolean', default: false },
    },
  });
  const [verb, ...args] = positionals;
  const need = (n: number, what: string): string[] => {
    if (args.length !== n) throw new UsageError(`models ${verb} takes ${what}`);
    return args;
  };

  switch (verb) {
    case 'list': {
      need(0, 'no positional arguments');
      const conn = trainerClient(values, false);
      const res = await call<trainerV1.ListModelsResponse__Output>(conn, 'ListModels', {
        name_prefix: values.prefix ?? '',
      });
      if (values.json) printJson(res.models);
      else if (res.models.length === 0) process.stdout.write('no models registered\n');
      else
        process.stdout.write(
          `${table([['MODEL', 'CHAMPION', 'CHALLENGER', 'LATEST', 'VERSIONS', 'UPDATED'], ...res.models.map((m) => [m.model_name, m.production_version || '-', m.challenger_version || '-', m.latest_version || '-', String(m.version_count), isoOf(m.updated_at)])])}\n`,
        );
      return 0;
    }
    case 'versions': {
      const [model] = need(1, 'MODEL');
      const res = await call<trainerV1.ListVersionsResponse__Output>(trainerClient(values, false), 'ListVersions', {
        model_name: model,
      });
      if (values.json) printJson(res.versions);
      else
        process.stdout.write(
          `${table([['VERSION', 'STAGE', 'ALIASES', 'AUC', 'GATE', 'ALGORITHM', 'RUN', 'CREATED', 'SHA256'], ...res.versions.map(versionRow)])}\n`,
        );
      return 0;
    }
    case 'get': {
      const [model] = need(1, 'MODEL');
      if (values.version && values.alias) throw new UsageError('give --version or --alias, not both');
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, false), 'GetModel', {
        model_name: model,
        version: values.version ?? '',
        alias: values.alias ?? '',
      });
      if (values.json)
        printJson({
          ...v,
          reference_stats: v.reference_stats_json ? (JSON.parse(v.reference_stats_json) as unknown) : null,
          evaluation: v.evaluation_json ? (JSON.parse(v.evaluation_json) as unknown) : null,
          reference_stats_json: undefined,
          evaluation_json: undefined,
        });
      else printVersion(v);
      return 0;
    }
    case 'promote': {
      const [model, version] = need(2, 'MODEL VERSION');
      const res = await call<trainerV1.PromoteResponse__Output>(trainerClient(values, true), 'Promote', {
        model_name: model,
        version,
        alias: values.alias ?? '',
        force: values.force,
        reason: values.reason ?? '',
      });
      if (values.json) printJson(res);
      else
        process.stdout.write(
          `${model}/${version} is ${res.alias}${res.changed ? ` (was ${res.previous_version || 'none'})` : ' already (nothing changed; re-announced)'}\n`,
        );
      return 0;
    }
    case 'rollback': {
      const [model] = need(1, 'MODEL');
      const res = await call<trainerV1.RollbackResponse__Output>(trainerClient(values, true), 'Rollback', {
        model_name: model,
        to_version: values.to ?? '',
        alias: values.alias ?? '',
        reason: values.reason ?? '',
      });
      if (values.json) printJson(res);
      else
        process.stdout.write(
          `${model}: ${res.current?.version} is ${values.alias ?? 'champion'}${res.changed ? ` again (rolled back ${res.rolled_back_version})` : ' already (nothing changed; re-announced)'}\n`,
        );
      return 0;
    }
    case 'import': {
      const [model, file] = need(2, 'MODEL FILE.onnx');
      const fs = values['feature-set'];
      if (!fs)
        throw new UsageError("--feature-set NAME[@VERSION] is required (the model's input is checked against it)");
      const m = /^([a-z][a-z0-9_]*)(?:@v?(\d+))?$/.exec(fs);
      if (!m) throw new UsageError(`--feature-set must be NAME or NAME@VERSION; got "${fs}"`);
      const path = resolve(file!);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        throw new CliFailure(`no file ${path}`);
      }
      const metrics = Object.fromEntries(
        Object.entries(pairs(values.metric, 'metric')).map(([k, v]) => {
          const x = Number(v);
          if (!Number.isFinite(x)) throw new UsageError(`--metric ${k} must be a number; got "${v}"`);
          return [k, x];
        }),
      );
      const byPath = values['by-path'] || size > 3 * 1024 * 1024;
      const v = await call<trainerV1.ModelVersion__Output>(trainerClient(values, true, 120_000), 'ImportModel', {
        model_name: model,
        version: values.version ?? '',
        ...(byPath ? { artifact_path: path } : { onnx_model: readFileSync(path) }),
        feature_set: m[1],
        feature_set_version: m[2] ? Number(m[2]) : 0,
        sha256: values.sha256 ?? '',
        metrics,
        metadata: pairs(values.meta, 'meta'),
      });
      if (values.json) printJson(v);
      else process.stdout.write(`imported ${v.model_name}/${v.version} (sha256 ${v.artifact_sha256}) as a candidate\n`);
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'which models verb?' : `unknown models verb "${verb}"`);
  }
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list, inspect, promote, roll back and import model versions (trainer-coordinator)',
  usage,
  run: (argv) => runVerb('models', () => runModels(argv)),
};
