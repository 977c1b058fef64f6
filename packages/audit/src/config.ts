import { int, str } from '@omen/config';

/**
 * The audit trail's variables, merged into the schema of each service that has audited methods
 * (trainer-coordinator, inference, ab-router). Kafka and ClickHouse come from the service's own
 * KAFKA_BROKERS / SCHEMA_REGISTRY_URL / CLICKHOUSE_URL.
 */
export const auditConfigSchema = {
  /** ClickHouse table of audit records. @default audit_events */
  AUDIT_TABLE: str({
    default: 'audit_events',
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    describe: 'a table name ([A-Za-z_][A-Za-z0-9_]*)',
  }),
  /** Records held while the sinks are slow or down; beyond it the oldest are dropped (and counted). @default 10000 */
  AUDIT_MAX_BUFFERED: int({ min: 1, max: 1_000_000, default: 10_000 }),
};
