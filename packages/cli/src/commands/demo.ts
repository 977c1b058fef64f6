import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createClickHouse, sql } from '@omen/clickhouse';
import { isOmenError } from '@omen/errors';
import { repoRoot, stackDown, stackUp } from '@omen/stack';
import { UsageError, type Command } from '../command.ts';
import {
  inferenceHttpPort,
  ingestHttpPort,
  localAdminToken,
  localSecrets,
  servicesDown,
  servicesUp,
  servicePorts,
  type LocalService,
  type ServiceName,
} from '../local-services.ts';
import { backfillCommand } from './backfill.ts';
import { printCheckSummary } from './check-summary.ts';
import { trainerClient } from './models.ts';
import { predictCommand } from './predict.ts';
import { formatServices, servicesOk } from './services.ts';
import { trainCommand } from './train.ts';

const DEMO_REPO = 'github:expressjs/express';
const MODEL = 'jit-defect';

const usage = `
usage: ./scripts/omen demo [--cluster] [--down] [--history FILE] [--training-csv FILE]
       ./scripts/omen demo --lifecycle

The main job, end to end on one machine:
  1. engines: the embedded Kafka broker, schema registry, ClickHouse, Redis, NATS (stack up)
  2. services: ingest, featurizer and trainer-coordinator, each SERVING on grpc.health.v1
  3. history: the express commit history replayed through ingest (backfill; deduplicated,
     so a second run publishes nothing) and featurized into ClickHouse and Redis
  4. model: when ${MODEL} has no champion, one trained on the published JIT data
     (ISSTA'21 openstack: express's numstat-only history gives no bug-inducing labels) and promoted
  5. inference: started once a champion exists, SERVING, then asked for the risk of the
     newest express commits by commit reference (features from the online store)
  then the model lifecycle's steps (drift → retraining → gate → canary → promote or roll back)
  and where to look at each
Idempotent: what runs is left running, what exists is reused. Prints where everything listens.

--lifecycle runs the lifecycle loop itself, compressed (30 s on a quiet machine, up to 4 minutes under load, hence not part
of the default demo): on the engines, with trainer, inference, drift-detector and ab-router in one
process (services/ab-router/test/integration/lifecycle-loop.test.ts), a labelled project (ISSTA'21
qt) replayed in date order with a shift part-way: drift alert → linked retraining run → gate →
canary → automatic promotion, then a worse challenger's canary → rollback. Prints each step, the
decisions' evidence, and the ClickHouse tables it leaves for a look.

  --cluster            on the engines' clustered forms (stack up --cluster: ClickHouse 2 shards ×
                       2 replicas with ZooKeeper, Redis Cluster, a 3-server NATS cluster); the
                       services then use the Distributed tables, redis-cluster:// and the NATS list.
                       Services already running against the other mode: ./scripts/omen services down first
  --history FILE       default ../shared/data/express-commits.jsonl.gz
  --training-csv FILE  default ../shared/data/jit/issta21/openstack/openstack_k_feature.csv.gz
  --down               stop the services, then the engines
  --lifecycle          the lifecycle loop, compressed (above)
`;

// What closes the loop, and where each step leaves its trace. The local services run with the
// defaults (the trainer promotes what passes its gate, ab-router starts no canary by itself);
// services/ab-router/test/integration/lifecycle-loop.test.ts runs the whole loop on the engines.
const LIFECYCLE = `  1. features.commits.v1 → inference (INFERENCE_STREAM=true) → predictions.v1; labels.commits.v1
  2. drift-detector windows features, predictions and labels against the champion's training reference
     and, when the drift share passes DRIFT_SHARE, sends drift.alert: ./scripts/omen drift list
  3. the trainer's drift trigger starts a run and answers with its id, stored with the report
     (retraining_run_id): ./scripts/omen drift get   ./scripts/omen train list
  4. the run's gate compares the new version with the champion on the newest holdout; with
     TRAINER_AUTO_PROMOTE=false a passing version becomes the challenger: ./scripts/omen models list
  5. ab-router (ABROUTER_AUTO_CANARY=true) starts a canary for the challenger, joins matured labels
     to what each arm served, ramps, and promotes through the trainer or rolls back:
     ./scripts/omen experiments list   ./scripts/omen experiments get ID (decision and evidence)
  dashboards (compose/grafana/dashboards): omen-drift, omen-models, omen-experiments
  (ab-router /metrics: omen_abrouter_canary_decisions_total{action}); ./scripts/omen report drift|experiment
  the whole loop on the engines, both outcomes: ./scripts/omen demo --lifecycle
`;

const LOOP_TEST = 'services/ab-router/test/integration/lifecycle-loop.test.ts';

/**
 * The loop runs as its integration test (the services in one process, random topic and table
 * names, so it never disturbs the local mesh) with OMEN_LIFECYCLE_KEEP=1, which leaves its
 * ClickHouse tables for a look. Its "lifecycle:" lines are the steps; the rest is shown only on failure.
 */
async function runLifecycle(env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const root = repoRoot();
  const child = spawn(resolve(root, 'node_modules', '.bin', 'vitest'), ['run', LOOP_TEST], {
    cwd: root,
    env: { ...process.env, ...env, TEST_MODE: 'integration', OMEN_LIFECYCLE_KEEP: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const other: string[] = [];
  const keep = (line: string) => {
    other.push(line);
    if (other.length > 80) other.shift();
  };
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (raw) => {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    const at = line.indexOf('lifecycle: ');
    if (at >= 0) process.stdout.write(`${line.slice(at + 'lifecycle: '.length)}\n`);
    else if (/^\s*(Tests|Duration)\s/.test(line)) process.stdout.write(`${line.trim()}\n`);
    else keep(line);
  });
  createInterface({ input: child.stderr }).on('line', keep);
  const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
  if (code !== 0)
    process.stdout.write(`\nthe loop failed (vitest exit ${code}); its last lines:\n${other.join('\n')}\n`);
  return code;
}

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function failed(services: readonly LocalService[]): boolean {
  if (servicesOk(services)) return false;
  process.stdout.write(formatServices(services));
  return true;
}

/** Commits in a JSONL history (gzip or not): one per non-empty line. */
function countCommits(file: string): number {
  const bytes = readFileSync(file);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

async function waitForFeatures(clickhouseUrl: string, expected: number, timeoutMs: number): Promise<number> {
  const ch = createClickHouse({ url: clickhouseUrl });
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  try {
    while (Date.now() < deadline) {
      const rows = await ch.query<{ n: string }>(
        sql`SELECT count() AS n FROM commit_features FINAL WHERE repo_id = ${DEMO_REPO} AND feature_set = 'jit_change_metrics'`,
      );
      count = Number(rows[0]?.n ?? 0);
      if (count >= expected) return count;
      await sleep(500);
    }
    return count;
  } finally {
    await ch.close();
  }
}

async function hasChampion(): Promise<boolean> {
  const { trainer } = trainerClient({}, false, 10_000);
  try {
    await trainer.call('GetModel', { model_name: MODEL, alias: 'champion' });
    return true;
  } catch (err) {
    if (isOmenError(err) && err.code === 'NOT_FOUND') return false;
    throw err;
  } finally {
    trainer.close();
  }
}

async function newestShas(clickhouseUrl: string, n: number): Promise<string[]> {
  const ch = createClickHouse({ url: clickhouseUrl });
  try {
    const rows = await ch.query<{ sha: string }>(
      sql`SELECT sha FROM commit_features FINAL WHERE repo_id = ${DEMO_REPO} AND feature_set = 'jit_change_metrics' ORDER BY event_time_ms DESC LIMIT ${n}`,
    );
    return rows.map((r) => r.sha);
  } finally {
    await ch.close();
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the main job: engines, services, history, a model, predictions — and where everything listens',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        down: { type: 'boolean', default: false },
        cluster: { type: 'boolean', default: false },
        lifecycle: { type: 'boolean', default: false },
        history: { type: 'string' },
        'training-csv': { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}`);
    if (values.lifecycle) {
      if (values.down) throw new UsageError('--lifecycle and --down do not go together');
      step('engines');
      const stack = await stackUp({ switchMode: true });
      process.stdout.write(`${stack.engines.map((e) => `${e.name} ${e.state}`).join(', ')}\n`);
      if (!stack.ok) return 1;
      step(
        'the lifecycle loop, compressed: drift → retraining → gate → canary → promote, then a worse challenger → roll back',
      );
      const code = await runLifecycle(stack.env);
      step('where to look');
      process.stdout.write(LIFECYCLE);
      return code;
    }
    if (values.down) {
      process.stdout.write(formatServices(await servicesDown()));
      const stack = await stackDown();
      process.stdout.write(`engines: ${stack.engines.map((e) => `${e.name} ${e.state}`).join(', ')}\n`);
      return stack.ok ? 0 : 1;
    }
    const root = repoRoot();
    const history = resolve(values.history ?? resolve(root, '../shared/data/express-commits.jsonl.gz'));
    const trainingCsv = resolve(
      values['training-csv'] ?? resolve(root, '../shared/data/jit/issta21/openstack/openstack_k_feature.csv.gz'),
    );
    for (const [option, file] of [
      ['--history', history],
      ['--training-csv', trainingCsv],
    ] as const) {
      if (!existsSync(file)) throw new UsageError(`${option}: ${file} does not exist`);
    }

    step(values.cluster ? '1/5 engines (clustered forms)' : '1/5 engines');
    // The demo runs on the mode it names: the other mode's engines of ours stop (data kept).
    const stack = await stackUp({ switchMode: true, ...(values.cluster ? { cluster: true } : {}) });
    for (const e of stack.engines) {
      process.stdout.write(`${e.name.padEnd(16)} ${e.state.padEnd(9)} ${e.address ?? '-'}\n`);
      if (e.state === 'failed' || e.state === 'unhealthy')
        process.stdout.write(`  ${e.detail ?? ''}\n${e.logTail ?? ''}\n`);
    }
    if (!stack.ok) return 1;
    const clickhouseUrl = stack.env.CLICKHOUSE_URL;
    if (!clickhouseUrl) throw new Error('stack up gave no CLICKHOUSE_URL');

    step('2/5 services');
    const pipeline: ServiceName[] = ['ingest', 'featurizer', 'trainer-coordinator'];
    const first = await servicesUp(pipeline);
    process.stdout.write(formatServices(first.filter((s) => pipeline.includes(s.name))));
    if (failed(first.filter((s) => pipeline.includes(s.name)))) return 1;

    step(`3/5 history: ${relative(root, history)} → ingest → featurizer`);
    // The ingest `services up` started (OMEN_GRPC_PORT_BASE moves it), unless INGEST_GRPC_ADDR says otherwise.
    const ingestAddress = process.env['INGEST_GRPC_ADDR'] ?? `127.0.0.1:${servicePorts('ingest').grpc}`;
    const backfill = await backfillCommand.run(['--jsonl', history, '--repo', DEMO_REPO, '--ingest', ingestAddress]);
    if (backfill !== 0) return backfill;
    const expected = countCommits(history);
    const featurized = await waitForFeatures(clickhouseUrl, expected, 180_000);
    process.stdout.write(`ClickHouse commit_features: ${featurized} of ${expected} commits of ${DEMO_REPO}\n`);
    if (featurized < expected) return 1;

    step(`4/5 model ${MODEL}`);
    if (await hasChampion()) {
      process.stdout.write(`${MODEL} has a champion; keeping it (./scripts/omen models list)\n`);
    } else {
      // The trainer reads a CSV only inside its TRAINER_CSV_DIR (a token must not be a way to
      // probe its disk), so the demo puts a copy there and names it relative to that directory.
      const csvDir = process.env['TRAINER_CSV_DIR'] ?? resolve(root, '.omen', 'import');
      mkdirSync(csvDir, { recursive: true });
      copyFileSync(trainingCsv, resolve(csvDir, basename(trainingCsv)));
      const trained = await trainCommand.run([
        'start',
        '--row-source',
        `csv:${basename(trainingCsv)}`,
        '--promote',
        '--watch',
        '--reason',
        'omen demo: first model',
      ]);
      if (trained !== 0) return trained;
    }

    step('5/5 inference, drift-detector, ab-router, scm-checks');
    const all = await servicesUp();
    process.stdout.write(formatServices(all));
    if (failed(all)) return 1;
    const shas = await newestShas(clickhouseUrl, 3);
    process.stdout.write(`\nrisk of the newest ${shas.length} commits of ${DEMO_REPO}:\n`);
    const predicted = await predictCommand.run([
      '--repo',
      DEMO_REPO,
      ...shas.flatMap((s) => ['--sha', s]),
      '--top-k',
      '3',
    ]);

    const { file, token } = localAdminToken();
    // The newest commit as a pull request would show it (scm-checks' check run), via /v1/analyze.
    if (shas[0]) await printCheckSummary({ httpPort: inferenceHttpPort(), token, repoId: DEMO_REPO, sha: shas[0] });
    process.stdout.write(
      `\nwebhooks: http://127.0.0.1:${ingestHttpPort()}/webhooks/github and /webhooks/gitlab (secrets: ${relative(root, localSecrets().file)})\n` +
        `inference HTTP/JSON: http://127.0.0.1:${inferenceHttpPort()}/v2 (Open Inference Protocol REST), POST /v1/analyze, /openapi.json\n` +
        `engine addresses: ${relative(root, stack.envFile)}   admin token: ${relative(root, file)}\n` +
        `try: ./scripts/omen predict --repo ${DEMO_REPO} --sha <sha>   ./scripts/omen models list   ./scripts/omen --help\n` +
        'stop everything: ./scripts/omen demo --down\n',
    );
    step('the lifecycle loop: drift → retraining → gate → canary → promote or roll back');
    process.stdout.write(LIFECYCLE);
    return predicted;
  },
};
