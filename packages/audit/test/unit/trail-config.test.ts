import { describe, expect, it } from 'vitest';
import { loadConfig } from '@omen/config';
import { ConfigError } from '@omen/errors';
import type { ServiceContext } from '@omen/service';
import { auditConfigSchema, startAuditTrail, type AuditTrailConfig } from '../../src/index.ts';

describe('audit trail configuration', () => {
  it('defaults to writes of up to 5,000 records, at least every second, from a buffer of 10,000', () => {
    const config = loadConfig(auditConfigSchema, {});
    expect(config).toMatchObject({ AUDIT_FLUSH_SIZE: 5000, AUDIT_FLUSH_INTERVAL: 1000, AUDIT_MAX_BUFFERED: 10_000 });
  });

  it('refuses a flush size above the buffer, naming both variables', () => {
    const config: AuditTrailConfig = {
      ...loadConfig(auditConfigSchema, { AUDIT_MAX_BUFFERED: '1000' }),
      CLICKHOUSE_URL: 'http://127.0.0.1:1',
    };
    const ctx = { config, logger: undefined, metrics: undefined } as unknown as ServiceContext<AuditTrailConfig>;
    const start = () => startAuditTrail(ctx, 'inference');
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/AUDIT_FLUSH_SIZE.*AUDIT_MAX_BUFFERED \(1000\).*5000/s);
  });
});
