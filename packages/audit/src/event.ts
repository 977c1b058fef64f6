// What one audited call becomes on audit.events.v1 and in the ClickHouse table. Pure.
import { createHash, randomUUID } from 'node:crypto';
import { eventColumns } from '@omen/clickhouse';
import type { AuditEvent } from '@omen/contracts';
import type { AuditRecord } from '@omen/grpc';

/** Handler details that become columns of their own; the rest stay in `details`. */
const COLUMNS = ['repo_id', 'model_name', 'model_version', 'inputs_sha256'] as const;

/** JSON with object keys sorted, typed arrays as arrays: equal inputs, equal text. */
function canonical(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * sha256 (hex) of a prediction's inputs (feature values, commit references), so an audit row
 * identifies what was asked without holding it: feature values can be proprietary metrics.
 */
export function inputsSha256(inputs: unknown): string {
  // A tensor (KServe's rows) is hashed as its bytes: no per-number work on the request path.
  if (ArrayBuffer.isView(inputs))
    return createHash('sha256')
      .update(new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength))
      .digest('hex');
  return createHash('sha256')
    .update(JSON.stringify(canonical(inputs)) ?? 'null')
    .digest('hex');
}

export function auditEvent(service: string, r: AuditRecord, newId: () => string = randomUUID): AuditEvent {
  const details = { ...r.details };
  for (const c of COLUMNS) delete details[c];
  const p = r.principal;
  return {
    event_id: newId(),
    event_time: r.at,
    repo_id: r.details['repo_id'] || '*',
    service,
    method: r.method,
    subject: p?.subject ?? 'anonymous',
    auth: p?.via ?? 'none',
    issuer: p?.issuer ?? null,
    roles: p?.roles ?? [],
    outcome: r.outcome,
    request_id: r.requestId,
    trace_id: r.traceId ?? null,
    peer: r.peer,
    model_name: r.details['model_name'] || null,
    model_version: r.details['model_version'] || null,
    inputs_sha256: r.details['inputs_sha256'] || null,
    details,
  };
}

export function auditRow(e: AuditEvent): Record<string, unknown> {
  return {
    ...eventColumns(e),
    service: e.service,
    method: e.method,
    subject: e.subject,
    auth: e.auth,
    issuer: e.issuer,
    roles: e.roles,
    outcome: e.outcome,
    request_id: e.request_id,
    trace_id: e.trace_id,
    peer: e.peer,
    model_name: e.model_name,
    model_version: e.model_version,
    inputs_sha256: e.inputs_sha256,
    details_keys: Object.keys(e.details),
    details_values: Object.values(e.details),
  };
}
