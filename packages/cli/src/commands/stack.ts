import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALL_ENGINE_NAMES,
  CLUSTER_PORT_BASE,
  ENGINE_NAMES,
  isEngineName,
  modeEngineNames,
  PORT_VARIABLES,
  readStackEnv,
  repoRoot,
  stackDown,
  stackStatus,
  stackUp,
  STACK_ENV_KEYS,
  STACK_FILE_KEYS,
  type StackResult,
} from '@omen/stack';
import { UsageError, type Command } from '../command.ts';

const ports = Object.values(PORT_VARIABLES)
  .map((p) => `${p.variable}=${p.default}`)
  .join(' ');

const usage = `
usage: ./scripts/omen stack up [ENGINE...] [--cluster] [--switch] [--timeout SECONDS] [--json]
       ./scripts/omen stack down [ENGINE...] [--json]
       ./scripts/omen stack status [--cluster] [--json]
       ./scripts/omen stack env

Runs the engines omen needs on 127.0.0.1, each as a detached process that outlives this command.
ENGINE: ${ENGINE_NAMES.join(', ')} (default: all).
With --cluster: ${modeEngineNames(true).join(', ')}.

  up      start what is not running and wait until each answers; running ones are left alone;
          writes .omen/stack.env (${STACK_FILE_KEYS.join(', ')})
  down    stop our engines (SIGTERM, then SIGKILL); data stays under .omen/stack/
  status  each engine: running, stopped, external or skipped, with address and pid
  env     print the addresses as export lines: eval "$(./scripts/omen stack env)"

  --cluster          the engines' clustered forms: ClickHouse as 2 shards × 2 replicas (cluster
                     "omen", ON CLUSTER DDL, ReplicatedMergeTree) with one ZooKeeper, Redis
                     Cluster (3 masters + 3 replicas), 3 NATS servers with routes and JetStream.
                     stack.env then has CLICKHOUSE_URL (shard 1 replica 1), CLICKHOUSE_CLUSTER=omen,
                     REDIS_URL=redis-cluster://host:port,..., NATS_URL as a comma-separated list
                     and OMEN_CLUSTER=1. up checks the ClickHouse topology and an ON CLUSTER DDL
                     round trip. down stops either mode; status shows the cluster when one of its
                     engines runs
  --switch           up of a whole mode while our engines of the other mode run (say the
                     single-node ClickHouse, Redis, NATS before up --cluster): stop them first.
                     Without it that up is refused and names them; their data is kept either way
  --timeout SECONDS  up: how long one engine may take to answer (default 60)
  --json             print the structured result

An engine whose variable is set in the environment (${STACK_ENV_KEYS.join(', ')}) is external:
never started or stopped here. Ports: ${ports}.
Cluster ports from ${CLUSTER_PORT_BASE.variable}=${CLUSTER_PORT_BASE.default}: ClickHouse node i (0-3) http base+10i, tcp
base+10i+1, interserver base+10i+2; Redis/NATS cluster nodes base+40..79; ZooKeeper base+80.
State: .omen/stack/<engine>/ (data), .omen/stack/logs/<engine>.log, .omen/stack/run/<engine>.pid.
The dev Kafka broker is librdkafka's mock cluster (3 brokers): random loopback ports (read them
from .omen/stack.env), records in memory only (lost when it stops), topics created from
topics.yaml when it starts; topics unknown to topics.yaml are auto-created with 4 partitions.
`;

function print(result: StackResult, verb: string): void {
  const root = repoRoot();
  const rows = result.engines.map((e) => [e.name, e.state, e.address ?? '-', e.pid === null ? '-' : String(e.pid)]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(...[['ENGINE', 'STATE', 'ADDRESS'][i] ?? '', ...rows.map((r) => r[i] ?? '')].map((s) => s.length)),
  );
  const line = (cols: string[]): string => cols.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join('  ');
  const out = [line(['ENGINE', 'STATE', 'ADDRESS', 'PID'])];
  for (const [i, e] of result.engines.entries()) {
    out.push(line(rows[i] ?? []));
    if (e.detail) out.push(`  ${e.detail}`);
    if (e.logTail) {
      out.push(`  last lines of ${e.logFile ? relative(root, e.logFile) : 'its log'}:`);
      out.push(...e.logTail.split('\n').map((l) => `    ${l}`));
    }
  }
  for (const c of result.checks) out.push(`check ${c.name}: ${c.problem === null ? 'ok' : `FAILED: ${c.problem}`}`);
  if (verb !== 'status') out.push('', `wrote ${relative(root, result.envFile)}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export const stackCommand: Command = {
  name: 'stack',
  summary: 'start, stop or inspect the local engines (Kafka, registry, ClickHouse, Redis, NATS)',
  usage,
  async run(argv) {
    try {
      return await runStack(argv);
    } catch (err) {
      // Omen's errors (bad config, bad manifest, engine refused) carry a code and a message
      // written for the reader; a stack trace would only bury it.
      const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
      if (typeof code === 'string' && !(err instanceof UsageError)) {
        process.stderr.write(`omen stack: ${(err as Error).message}\n`);
        return 1;
      }
      throw err;
    }
  },
};

async function runStack(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      cluster: { type: 'boolean' },
      switch: { type: 'boolean', default: false },
    },
  });
  const [verb, ...engines] = positionals;
  const unknown = engines.filter((e) => !isEngineName(e));
  if (unknown.length > 0)
    throw new UsageError(`unknown engine ${unknown.join(', ')}; engines are ${ALL_ENGINE_NAMES.join(', ')}`);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!Number.isFinite(s) || s <= 0 || s > 3600)
      throw new UsageError(`--timeout must be seconds between 1 and 3600, got "${values.timeout}"`);
    timeoutMs = s * 1000;
  }
  let result: StackResult;
  switch (verb) {
    case 'up':
      result = await stackUp({
        engines,
        ...(values.cluster ? { cluster: true } : {}),
        ...(values.switch ? { switchMode: true } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      });
      break;
    case 'down':
      result = await stackDown({ engines, ...(values.cluster ? { cluster: true } : {}) });
      break;
    case 'status':
      if (engines.length > 0) throw new UsageError('status takes no engine names');
      result = await stackStatus(values.cluster ? { cluster: true } : {});
      break;
    case 'env': {
      const env = readStackEnv();
      process.stdout.write(
        STACK_FILE_KEYS.filter((k) => env[k])
          .map((k) => `export ${k}=${env[k]}\n`)
          .join(''),
      );
      return 0;
    }
    case undefined:
      throw new UsageError('missing up, down, status or env');
    default:
      throw new UsageError(`unknown action "${verb}"`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else print(result, verb);
  return result.ok ? 0 : 1;
}
