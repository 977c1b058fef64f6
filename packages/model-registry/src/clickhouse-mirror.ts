// A copy of the registry in ClickHouse for analysts: every version (with lineage and metrics) in
// `model_versions`, every alias change in `model_alias_events`. The registry directory stays the
// source of truth; the mirror is written after each change and re-synced in full on start, so a
// ClickHouse outage costs freshness, never correctness. Both tables are ReplacingMergeTree keyed
// by identity, so a re-sync inserts duplicates that FINAL (or argMax) hides.
//
// ClickHouse 18.16: no Map, no JSON type, no DateTime64 — metrics are parallel arrays, nested
// structures (lineage params, reference statistics) are JSON strings, times are DateTime plus an
// Int64 epoch-ms column.
import { formatDateTime, type ClickHouse } from '@omen/clickhouse';
import { migrate } from '@omen/clickhouse-schema';
import type { LocalModelRegistry, RegistryListener } from './registry.ts';
import type { AliasEvent, ModelVersionRecord } from './types.ts';

export const MIRROR_TABLES = { versions: 'model_versions', aliasEvents: 'model_alias_events' } as const;

export interface MirrorTables {
  versions: string;
  aliasEvents: string;
}

const ms = (iso: string | undefined): number => {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
};

/** One `model_versions` row; exported for tests and for tools that write the same shape. */
export function versionRow(r: ModelVersionRecord): Record<string, unknown> {
  const created = ms(r.createdAt);
  const metricNames = Object.keys(r.metrics ?? {}).sort();
  const lineage = r.lineage;
  return {
    model: r.name,
    version: r.version,
    sha256: r.sha256,
    artifact_uri: r.artifactUri ?? '',
    size_bytes: r.size ?? 0,
    feature_set: r.featureSet.name,
    feature_set_version: r.featureSet.version,
    feature_names: r.featureNames ?? [],
    source: lineage?.source ?? 'unknown',
    run_id: lineage?.runId ?? '',
    algorithm: lineage?.algorithm ?? '',
    code_version: lineage?.codeVersion ?? '',
    data_from_ms: ms(lineage?.dataRange?.from),
    data_to_ms: ms(lineage?.dataRange?.to),
    cutoff_ms: ms(lineage?.cutoff),
    train_rows: lineage?.rows?.train ?? 0,
    test_rows: lineage?.rows?.test ?? 0,
    label_rate: lineage?.labelRate ?? null,
    metric_names: metricNames,
    metric_values: metricNames.map((k) => r.metrics?.[k] ?? 0),
    gate_passed: r.gate === undefined ? null : r.gate.passed ? 1 : 0,
    params_json: JSON.stringify(lineage?.params ?? {}),
    lineage_json: JSON.stringify(lineage ?? {}),
    reference_json: JSON.stringify(r.referenceStats ?? null),
    created_at: formatDateTime(new Date(created)),
    created_at_ms: created,
  };
}

export function aliasEventRow(e: AliasEvent): Record<string, unknown> {
  const at = ms(e.at);
  return {
    event_id: e.id,
    model: e.model,
    alias: e.alias,
    version: e.version ?? '',
    previous_version: e.previousVersion ?? '',
    action: e.action,
    reason: e.reason ?? '',
    actor: e.actor ?? '',
    at: formatDateTime(new Date(at)),
    at_ms: at,
  };
}

export class ClickHouseRegistryMirror implements RegistryListener {
  readonly tables: MirrorTables;

  constructor(
    readonly ch: ClickHouse,
    tables: Partial<MirrorTables> = {},
  ) {
    this.tables = { ...MIRROR_TABLES, ...tables };
  }

  /**
   * Applies the schema migrations (@omen/clickhouse-schema owns both tables) under this mirror's
   * table names. Idempotent. `client`: one with a longer timeout than the mirror's writes, since
   * cluster DDL waits for every node.
   */
  async ensureSchema(client: ClickHouse = this.ch): Promise<void> {
    await migrate(client, {
      names: { model_versions: this.tables.versions, model_alias_events: this.tables.aliasEvents },
    });
  }

  async onVersion(record: ModelVersionRecord): Promise<void> {
    await this.ch.insert(this.tables.versions, [versionRow(record)]);
  }

  async onAliasEvent(event: AliasEvent): Promise<void> {
    await this.ch.insert(this.tables.aliasEvents, [aliasEventRow(event)]);
  }

  /** Copies every version and alias event of the registry (after an outage, or on start). */
  async sync(registry: LocalModelRegistry): Promise<{ versions: number; aliasEvents: number }> {
    let versions = 0;
    let aliasEvents = 0;
    for (const name of await registry.models()) {
      const records = await registry.listVersions(name);
      await this.ch.insert(this.tables.versions, records.map(versionRow));
      versions += records.length;
      const events = await registry.aliasHistory(name);
      await this.ch.insert(this.tables.aliasEvents, events.map(aliasEventRow));
      aliasEvents += events.length;
    }
    return { versions, aliasEvents };
  }
}
