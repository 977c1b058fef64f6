import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '@omen/grpc';
import { auditEvent, auditRow, inputsSha256 } from '../../src/index.ts';

const base: AuditRecord = {
  method: '/omen.trainer.v1.Trainer/Promote',
  principal: { subject: 'alice@example.com', roles: ['admin'], via: 'jwt', issuer: 'https://idp.test' },
  outcome: 'OK',
  at: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  requestId: 'req-1',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  peer: 'ipv4:127.0.0.1:5000',
  details: { model_name: 'jit', model_version: 'v3', alias: 'champion', repo_id: '' },
};

describe('auditEvent', () => {
  it('maps who, what, when and outcome; model fields become columns, the rest stays in details', () => {
    expect(auditEvent('trainer-coordinator', base, () => 'id-1')).toEqual({
      event_id: 'id-1',
      event_time: base.at,
      repo_id: '*',
      service: 'trainer-coordinator',
      method: '/omen.trainer.v1.Trainer/Promote',
      subject: 'alice@example.com',
      auth: 'jwt',
      issuer: 'https://idp.test',
      roles: ['admin'],
      outcome: 'OK',
      request_id: 'req-1',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      peer: 'ipv4:127.0.0.1:5000',
      model_name: 'jit',
      model_version: 'v3',
      inputs_sha256: null,
      details: { alias: 'champion' },
    });
  });

  it('an unidentified caller is "anonymous" with no roles', () => {
    const e = auditEvent('inference', { ...base, principal: undefined, outcome: 'UNAUTHENTICATED', details: {} });
    expect(e).toMatchObject({
      subject: 'anonymous',
      auth: 'none',
      issuer: null,
      roles: [],
      model_name: null,
      model_version: null,
    });
    expect(e.event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('becomes a ClickHouse row: seconds for humans, milliseconds kept, details as parallel arrays', () => {
    const row = auditRow(
      auditEvent('trainer-coordinator', { ...base, details: { ...base.details, reason: 'better' } }, () => 'id-2'),
    );
    expect(row).toMatchObject({
      event_time: '2026-01-02 03:04:05',
      event_time_ms: base.at,
      details_keys: ['alias', 'reason'],
      details_values: ['champion', 'better'],
    });
  });
});

describe('inputsSha256', () => {
  it('is the same for the same inputs whatever the key order, different for different inputs, and never the values', () => {
    const a = inputsSha256({ features: { values: { la: 1, ld: 2 } } });
    expect(inputsSha256({ features: { values: { ld: 2, la: 1 } } })).toBe(a);
    expect(inputsSha256({ features: { values: { la: 1, ld: 3 } } })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(inputsSha256(Float32Array.of(1, 2))).toBe(inputsSha256(Float32Array.of(1, 2)));
    expect(inputsSha256(Float32Array.of(1, 2))).not.toBe(inputsSha256(Float32Array.of(2, 1)));
  });
});
