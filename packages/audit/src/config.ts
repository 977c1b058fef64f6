import { durationMs, int, str } from '@omen/config';

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
  /**
   * Records per write (≤ AUDIT_MAX_BUFFERED); this many waiting start a write before the interval.
   * Each INSERT makes a new part in ClickHouse, a file pair per column of the 19-column table:
   * at 1,000 audited calls/s the old 500 cost two inserts a second, this keeps it to one.
   * @default 5000
   */
  AUDIT_FLUSH_SIZE: int({ min: 1, max: 1_000_000, default: 5_000 }),
  /** Longest a record waits in the buffer before a write. @default 1s */
  AUDIT_FLUSH_INTERVAL: durationMs({ minMs: 1, maxMs: 600_000, default: '1s' }),
};
