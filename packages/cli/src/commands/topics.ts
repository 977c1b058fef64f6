import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { readStackEnv, repoRoot } from '@omen/stack';
import { allTopics, applyTopics, loadTopicManifest, missingSchemaFiles, type TopicSpec } from '@omen/topics';
import { UsageError, type Command } from '../command.ts';

const usage = `
usage: ./scripts/omen topics list [--manifest FILE] [--json]
       ./scripts/omen topics apply [--dry-run] [--brokers HOST:PORT,...] [--manifest FILE]
                                   [--replication-factor N]

  list    every topic of topics.yaml with its partitions, retention, cleanup policy, value schema
          and consumer groups, then the dead-letter topics derived from the consumers
  apply   create the missing topics on a real Kafka (retention.ms, cleanup.policy); existing
          topics are reported, never recreated; a partition count that differs is reported
  --dry-run             show what apply would create, create nothing
  --brokers             default: KAFKA_BROKERS, else .omen/stack.env
  --manifest            default: topics.yaml at the repository root
  --replication-factor  for new topics (default: the cluster's default.replication.factor)

The dev broker (./scripts/omen stack up) has no CreateTopics API: it gets its topics from
topics.yaml when it starts, so apply against it only finds them all existing.
`;

function table(rows: string[][]): string {
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

function specRow(t: TopicSpec): string[] {
  return [
    t.name,
    String(t.partitions),
    t.retention,
    t.cleanupPolicy,
    t.schema ?? '(raw bytes)',
    t.dlqOf ? `dlq of ${t.dlqOf.group}` : t.consumers.join(',') || '-',
  ];
}

export const topicsCommand: Command = {
  name: 'topics',
  summary: 'list the topic manifest (topics.yaml) or create its topics on a Kafka cluster',
  usage,
  async run(argv) {
    try {
      return await runTopics(argv);
    } catch (err) {
      // Omen's errors (bad config, bad manifest, engine refused) carry a code and a message
      // written for the reader; a stack trace would only bury it.
      const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError((err as Error).message);
      if (typeof code === 'string' && !(err instanceof UsageError)) {
        process.stderr.write(`omen topics: ${(err as Error).message}\n`);
        return 1;
      }
      throw err;
    }
  },
};

async function runTopics(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      brokers: { type: 'string' },
      manifest: { type: 'string' },
      'replication-factor': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [verb, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
  const manifest = loadTopicManifest(values.manifest);
  const root = repoRoot();

  if (verb === 'list') {
    const topics = allTopics(manifest);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(topics, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `${table([['TOPIC', 'PARTITIONS', 'RETENTION', 'CLEANUP', 'SCHEMA', 'CONSUMERS'], ...topics.map(specRow)])}\n`,
    );
    const missing = missingSchemaFiles(manifest, root);
    if (missing.length > 0)
      process.stdout.write(
        `\nschema files named in ${relative(root, manifest.path)} that do not exist: ${missing.join(', ')}\n`,
      );
    return 0;
  }

  if (verb === 'apply') {
    const brokers = (values.brokers ?? readStackEnv().KAFKA_BROKERS ?? '').split(',').filter(Boolean);
    if (brokers.length === 0)
      throw new UsageError('no brokers: pass --brokers, set KAFKA_BROKERS, or run ./scripts/omen stack up');
    let replicationFactor: number | undefined;
    if (values['replication-factor'] !== undefined) {
      replicationFactor = Number(values['replication-factor']);
      if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
        throw new UsageError(`--replication-factor must be a whole number >= 1, got "${values['replication-factor']}"`);
      }
    }
    const dryRun = values['dry-run'];
    const res = await applyTopics(manifest, { brokers, dryRun, ...(replicationFactor ? { replicationFactor } : {}) });
    const lines = [
      `${brokers.join(',')}: ${res.existing.length} exist, ${res.mismatched.length} differ, ${res.create.length} missing`,
    ];
    for (const t of res.create)
      lines.push(
        `  ${dryRun ? 'would create' : res.created.includes(t.name) ? 'created' : 'NOT created'}  ${t.name} (${t.partitions} partitions, retention ${t.retention}, ${t.cleanupPolicy})`,
      );
    for (const m of res.mismatched)
      lines.push(
        `  differs       ${m.spec.name}: ${m.partitions} partitions, topics.yaml says ${m.spec.partitions} (left as is)`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
    const notCreated = dryRun ? [] : res.create.filter((t) => !res.created.includes(t.name));
    return notCreated.length > 0 || res.mismatched.length > 0 ? 1 : 0;
  }

  throw new UsageError(verb === undefined ? 'missing list or apply' : `unknown action "${verb}"`);
}
