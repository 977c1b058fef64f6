// The audit trail into the real ClickHouse: records pushed by "calls" arrive, a batch written
// twice counts once under FINAL, and the README's analyst queries run verbatim (ClickHouse 18.16
// here) and answer what they say.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouse, ident, raw, sql } from '@omen/clickhouse';
import type { AuditRecord } from '@omen/grpc';
import { randomName, stackEnv } from '@omen/testing';
import { AuditTrail, ensureAuditTable } from '../../src/index.ts';

const ch = createClickHouse({ url: stackEnv('CLICKHOUSE_URL').CLICKHOUSE_URL });
const table = randomName('audit').replace(/-/g, '_');
afterAll(async () => {
  await ch.command(sql`DROP TABLE IF EXISTS ${ident(table)}`);
  await ch.close();
});

/** The README's ```sql blocks of the ClickHouse section, in order, on this test's table. */
function readmeQueries(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## The ClickHouse audit table'));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\baudit_events\b/g, table));
}

const now = Date.now();
const alice = {
  subject: 'alice@example.com',
  roles: ['admin' as const],
  via: 'jwt' as const,
  issuer: 'https://idp.test',
};
const bob = { subject: 'bob-ci', roles: ['reader' as const], via: 'jwt' as const, issuer: 'https://idp.test' };
const record = (r: Partial<AuditRecord>): AuditRecord => ({
  method: '/omen.trainer.v1.Trainer/Promote',
  principal: alice,
  outcome: 'OK',
  at: now,
  requestId: randomName('req'),
  traceId: undefined,
  peer: 'ipv4:10.0.0.1:5000',
  details: {},
  ...r,
});

describe('the ClickHouse audit table', () => {
  it('holds each record once under FINAL and answers the README queries', async () => {
    await ensureAuditTable(ch, table);
    const trail = new AuditTrail({
      service: 'trainer-coordinator',
      clickhouse: { client: () => ch, table },
      maxBuffered: 100,
      flushSize: 10,
      flushIntervalMs: 50,
    });
    trail.record(
      record({ details: { model_name: 'jit', model_version: 'v2', alias: 'champion', previous_version: 'v1' } }),
    );
    trail.record(
      record({ at: now - 40 * 86_400_000, details: { model_name: 'jit', model_version: 'v1', alias: 'champion' } }),
    ); // outside 30 days
    // Earlier than alice's promote: the newest-first query lists hers first.
    trail.record(record({ principal: bob, outcome: 'PERMISSION_DENIED', at: now - 60_000 }));
    trail.record(record({ principal: bob, outcome: 'PERMISSION_DENIED', at: now - 120_000 }));
    trail.record(
      record({ principal: undefined, outcome: 'UNAUTHENTICATED', method: '/omen.trainer.v1.Trainer/ImportModel' }),
    );
    const served = new AuditTrail({
      service: 'inference',
      clickhouse: { client: () => ch, table },
      maxBuffered: 100,
      flushSize: 10,
      flushIntervalMs: 50,
    });
    for (const inputs of ['a', 'a', 'b'])
      served.record(
        record({
          method: '/omen.inference.v1.Inference/Predict',
          principal: bob,
          details: { model_name: 'jit', model_version: 'v2', inputs_sha256: inputs.repeat(64) },
        }),
      );
    await trail.close(5000);
    await served.close(5000);

    // A retried batch: the same events written again.
    await ch.command(raw(`INSERT INTO ${ident(table).text} SELECT * FROM ${ident(table).text}`));
    const counts = await ch.query<{ all: string; final: string }>(
      raw(
        `SELECT (SELECT count() FROM ${ident(table).text}) AS all, (SELECT count() FROM ${ident(table).text} FINAL) AS final`,
      ),
    );
    expect(counts).toEqual([{ all: '16', final: '8' }]);

    const [aliases, refused, predictions] = readmeQueries().map((q) => raw(q));
    expect(await ch.query(aliases!)).toEqual([
      expect.objectContaining({
        subject: 'alice@example.com',
        auth: 'jwt',
        outcome: 'OK',
        model_name: 'jit',
        model_version: 'v2',
        alias: 'champion',
        previous_version: 'v1',
      }),
      expect.objectContaining({
        subject: 'bob-ci',
        outcome: 'PERMISSION_DENIED',
        model_name: null,
        alias: '',
        previous_version: '',
      }),
      expect.objectContaining({ subject: 'bob-ci', outcome: 'PERMISSION_DENIED' }),
    ]);
    expect(await ch.query(refused!)).toEqual([
      expect.objectContaining({
        subject: 'bob-ci',
        method: '/omen.trainer.v1.Trainer/Promote',
        outcome: 'PERMISSION_DENIED',
        calls: '2',
      }),
      expect.objectContaining({
        subject: 'anonymous',
        method: '/omen.trainer.v1.Trainer/ImportModel',
        outcome: 'UNAUTHENTICATED',
        calls: '1',
      }),
    ]);
    expect(await ch.query(predictions!)).toEqual([
      { subject: 'bob-ci', model: 'jit', version: 'v2', calls: '3', distinct_inputs: '2' },
    ]);
  });
});
