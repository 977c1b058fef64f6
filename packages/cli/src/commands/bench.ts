import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UsageError, type Command } from '../command.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

// Every bench: name → the script (repo-relative) that runs it. Add a bench with one line here.
// Each runs in a process of its own, so its timings and peak memory are not the CLI's.
const BENCHES: Readonly<Record<string, string>> = {
  trainer: 'services/trainer-coordinator/bench/trainer.ts',
  inference: 'services/inference/bench/inference.ts',
  ingest: 'services/ingest/bench/ingest.ts',
  featurizer: 'services/featurizer/bench/featurizer.ts',
  fuzz: 'packages/contract-fuzz/scripts/fuzz.ts',
  'szz-express': 'services/featurizer/bench/szz-express.ts',
  'features-online': 'services/featurizer/bench/features-online.ts',
  freshness: 'services/featurizer/bench/freshness.ts',
};

/**
 * Runs a TypeScript script under tsx with `args`, stdout/stderr passed through; resolves to its
 * exit code. Shared by verbs whose work lives in a service's folder (they stay out of the
 * CLI's dependency graph).
 */
export function runScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}${script}`, ...args], { stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const usage = `
usage: ./scripts/omen bench NAME [options]

benches:
${Object.entries(BENCHES)
  .map(([name, script]) => `  ${name.padEnd(10)} ${script}`)
  .join('\n')}

Each bench prints its result as JSON on the last line of stdout.
  trainer   GBDT (200 trees) and LR on 100,000 rows × 14 features: time, peak RSS, machine;
            also writes services/trainer-coordinator/bench/results/trainer.json
            options: --data DIR (ISSTA'21 layout to resample; default ../shared/data/jit/issta21),
                     --synthetic, --seed N, --no-write
  inference raw session.run vs PredictBatch / ModelInfer / unary Predict over gRPC, side by side
            options: --quick, --only batched|unary, --batches 1,8,…, --rates 250,500,…,
                     --concurrency N, --workers N, --model FILE, --no-write,
                     --log off|on|both (served-predictions log; both = latency ratio on vs off),
                     --log-rounds N, --cases rows,packed,columns-double,columns,topk3,modelinfer
                     (batched scenarios to run; columns = packed rows as float64 bytes)
  featurizer numstat end to end, state machine, tree-sitter MB/s; with --git PATH (a clone, e.g. of
            ../shared/data/express.bundle) commits with hunks through ingest, tree-sitter and the
            three sinks: commits_per_s, mb_per_s, where the time goes, and the end-to-end
            backfill → features rate (--slice N, --skip-e2e, --no-write)
  fuzz      every RPC in protos/ and ingest's webhooks with hostile input and every kind of
            credential, the six services as processes on the dev stack, then again with
            GRPC_REQUIRE_AUTH=true; JSON: cases and failures per RPC, the auth passes
            options: --cases N (per RPC, default 200), --webhook-cases N, --seed N, --only TEXT, --no-write
  szz-express  SZZ over ../shared/data/express.bundle (domain only): fixes, fixes with a blamed
            origin, bug-inducing commits and label rate per filter; blame state size and time
            options: --window N (FEATURIZER_BLAME_WINDOW)
  features-online  featurizer GetFeatures (its Redis read and over gRPC) and inference's Redis read,
            p50/p99 open-loop at 1,000 and 5,000 rps against raw ioredis HMGET / HGETALL+GET of
            the same keys in the same run: online_p99_ratio_to_raw, absolute p99 beside Feast's 1.5 ms
            options: --rates 1000,5000, --seconds N, --commits N, --rounds N, --no-write
  freshness signed webhook → ingest → featurizer → inference stream → predictions.v1 at steady
            50 and 200 commits/s: p50/p95/p99 end to end split into working and waiting time
            (freshness_p95_ms, waiting_share_p95); options: --rates 50,200, --seconds N, --no-write
The header comment of each script says what it measures and its options.
`;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run a benchmark by name (trainer, …); JSON result on the last line',
  usage,
  async run(argv) {
    const [name, ...rest] = argv;
    if (name === undefined) throw new UsageError('give a bench name');
    const script = BENCHES[name];
    if (!script) throw new UsageError(`unknown bench "${name}" (have: ${Object.keys(BENCHES).join(', ')})`);
    return runScript(script, rest);
  },
};
