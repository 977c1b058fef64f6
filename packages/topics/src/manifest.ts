import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { OmenError } from '@omen/errors';
import { dlqTopic, DLQ_INFIX, GROUP_PATTERN, MAX_TOPIC_NAME_LENGTH } from './names.ts';

/** `topics.yaml` at the repository root. */
export const DEFAULT_MANIFEST_PATH = fileURLToPath(new URL('../../../topics.yaml', import.meta.url));

/**
 * Kafka itself allows far more, but on one topic more than this is almost surely a typo, and the
 * dev broker keeps every partition in memory.
 */
export const MAX_PARTITIONS = 1024;

export type CleanupPolicy = 'delete' | 'compact';

/** One topic with every default applied. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** As written in the manifest (`7d`, `forever`). */
  readonly retention: string;
  /** Kafka's `retention.ms`; -1 means forever. */
  readonly retentionMs: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** Repository-relative `.avsc` that types the values; null for dead-letter topics (raw bytes). */
  readonly schema: string | null;
  /** Consumer groups that read it, in manifest order. */
  readonly consumers: readonly string[];
  /** Set on derived dead-letter topics: which topic and group it belongs to. */
  readonly dlqOf: { readonly topic: string; readonly group: string } | null;
}

export interface DlqSettings {
  readonly partitions: number;
  readonly retention: string;
  readonly retentionMs: number;
}

export interface TopicManifest {
  /** Absolute path it was read from. */
  readonly path: string;
  /** The declared topics, in manifest order; `allTopics` adds the dead-letter topics. */
  readonly topics: readonly TopicSpec[];
  readonly dlq: DlqSettings;
}

/** One thing wrong with a manifest, located by its path inside the file (and line, when known). */
export interface ManifestIssue {
  /** `topics[2].partitions` */
  readonly path: string;
  readonly message: string;
  readonly line: number | null;
}

/** The manifest cannot be read, is not YAML, or breaks a rule; `issues` lists every problem. */
export class TopicManifestError extends OmenError<'INVALID_ARGUMENT'> {
  constructor(
    readonly file: string,
    readonly issues: readonly ManifestIssue[],
  ) {
    super(
      'INVALID_ARGUMENT',
      `${file}: invalid topic manifest:\n${issues.map((i) => `  ${i.line === null ? '' : `line ${i.line}: `}${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RETENTION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

/** `7d` → 604800000; `forever` → -1 (Kafka's "no time limit"). */
export function parseRetention(text: string): number {
  if (text === 'forever') return -1;
  const m = RETENTION_PATTERN.exec(text);
  const unit = m?.[2] === undefined ? undefined : UNIT_MS[m[2]];
  if (!m || unit === undefined)
    throw new Error(`retention must be a number with a unit (ms, s, m, h, d) or "forever", got "${text}"`);
  return Number(m[1]) * unit;
}

// Same convention as DESIGN.md: <domain>.<entity>.v<N>; `predictions.v1` (no entity) is allowed.
const TOPIC_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9_-]*)*\.v[1-9][0-9]*$/;
const SCHEMA_PATTERN = /^schemas\/[A-Za-z0-9_./-]+\.avsc$/;

const partitions = z
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_PARTITIONS, `must be at most ${MAX_PARTITIONS}`);
const retention = z
  .string('must be a string like 7d or "forever"')
  .refine(
    (s) => s === 'forever' || (RETENTION_PATTERN.test(s) && Number(RETENTION_PATTERN.exec(s)?.[1]) > 0),
    'must be a positive number with a unit (ms, s, m, h, d), e.g. 7d, or "forever"',
  );
const cleanupPolicy = z.enum(['delete', 'compact'], 'must be "delete" or "compact"');
const group = z
  .string('must be a string')
  .regex(GROUP_PATTERN, `must match ${String(GROUP_PATTERN)} (lower-case words joined by "-")`);

const topicSchema = z.strictObject({
  name: z
    .string('must be a string')
    .regex(TOPIC_PATTERN, `must be <domain>.<entity>.v<N> in lower case (${String(TOPIC_PATTERN)})`)
    .max(MAX_TOPIC_NAME_LENGTH, `must be at most ${MAX_TOPIC_NAME_LENGTH} characters`)
    .refine(
      (n) => !n.includes(DLQ_INFIX),
      `must not contain "${DLQ_INFIX}": dead-letter topics are derived from consumers, not listed`,
    ),
  schema: z.string('must be a string').regex(SCHEMA_PATTERN, 'must be a path like schemas/<name>.avsc'),
  partitions: partitions.optional(),
  retention: retention.optional(),
  cleanupPolicy: cleanupPolicy.optional(),
  consumers: z.array(group, 'must be a list of consumer group names').default([]),
});

const manifestSchema = z
  .strictObject({
    defaults: z
      .strictObject({
        partitions: partitions.default(6),
        retention: retention.default('7d'),
        cleanupPolicy: cleanupPolicy.default('delete'),
      })
      .default({ partitions: 6, retention: '7d', cleanupPolicy: 'delete' }),
    dlq: z
      .strictObject({ partitions: partitions.default(1), retention: retention.default('14d') })
      .default({ partitions: 1, retention: '14d' }),
    topics: z.array(topicSchema, 'must be a list of topics').min(1, 'must list at least one topic'),
  })
  .superRefine((m, ctx) => {
    const seen = new Map<string, number>();
    m.topics.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['topics', i, 'name'],
          message: `duplicate topic "${t.name}" (first at topics[${first}])`,
        });
      } else seen.set(t.name, i);
      const groups = new Set<string>();
      t.consumers.forEach((g, j) => {
        if (groups.has(g))
          ctx.addIssue({
            code: 'custom',
            path: ['topics', i, 'consumers', j],
            message: `duplicate consumer group "${g}"`,
          });
        groups.add(g);
        const dlq = `${t.name}${DLQ_INFIX}${g}`;
        if (dlq.length > MAX_TOPIC_NAME_LENGTH) {
          ctx.addIssue({
            code: 'custom',
            path: ['topics', i, 'consumers', j],
            message: `dead-letter topic "${dlq}" would exceed Kafka's ${MAX_TOPIC_NAME_LENGTH} characters`,
          });
        }
      });
    });
  });

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** Parses and validates manifest text; `file` is only used in messages and `manifest.path`. */
export function parseTopicManifest(text: string, file = '<topics.yaml>'): TopicManifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopicManifestError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `YAML: ${(e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')}`,
        line: e.linePos?.[0].line ?? null,
      })),
    );
  }
  const result = manifestSchema.safeParse(doc.toJS(), { reportInput: true });
  if (!result.success) {
    const lineOf = (path: readonly PropertyKey[]): number | null => {
      // A missing key has no node: point at the nearest enclosing one instead.
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return null;
    };
    throw new TopicManifestError(
      file,
      result.error.issues.map((issue) => {
        const got =
          'input' in issue && issue.input !== undefined && typeof issue.input !== 'object'
            ? ` (got ${JSON.stringify(issue.input)})`
            : '';
        return { path: formatPath(issue.path), message: `${issue.message}${got}`, line: lineOf(issue.path) };
      }),
    );
  }
  const m = result.data;
  return {
    path: file,
    dlq: { partitions: m.dlq.partitions, retention: m.dlq.retention, retentionMs: parseRetention(m.dlq.retention) },
    topics: m.topics.map((t) => {
      const r = t.retention ?? m.defaults.retention;
      return {
        name: t.name,
        partitions: t.partitions ?? m.defaults.partitions,
        retention: r,
        retentionMs: parseRetention(r),
        cleanupPolicy: t.cleanupPolicy ?? m.defaults.cleanupPolicy,
        schema: t.schema,
        consumers: t.consumers,
        dlqOf: null,
      };
    }),
  };
}

/**
 * Reads and validates the topic manifest.
 * @param path defaults to `topics.yaml` at the repository root ({@link DEFAULT_MANIFEST_PATH})
 * @throws TopicManifestError naming each offending path inside the file, its line and the bound
 */
export function loadTopicManifest(path: string = DEFAULT_MANIFEST_PATH): TopicManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TopicManifestError(path, [{ path: '', message: `cannot read: ${(err as Error).message}`, line: null }]);
  }
  return parseTopicManifest(text, path);
}

/** The declared topics followed by one dead-letter topic per (topic, consumer group). */
export function allTopics(manifest: TopicManifest): TopicSpec[] {
  const dlqs = manifest.topics.flatMap((t) =>
    t.consumers.map((group): TopicSpec => ({
      name: dlqTopic(t.name, group),
      partitions: manifest.dlq.partitions,
      retention: manifest.dlq.retention,
      retentionMs: manifest.dlq.retentionMs,
      cleanupPolicy: 'delete',
      schema: null,
      consumers: [],
      dlqOf: { topic: t.name, group },
    })),
  );
  return [...manifest.topics, ...dlqs];
}

/** Schema files the manifest names that do not exist under `root` (repository-relative paths). */
export function missingSchemaFiles(manifest: TopicManifest, root: string): string[] {
  return manifest.topics.map((t) => t.schema).filter((s): s is string => s !== null && !existsSync(join(root, s)));
}
