/**
 * Who did what: every service's audit trail (audit.events.v1 and the ClickHouse audit table).
 *
 *   const trail = startAuditTrail(ctx, 'trainer-coordinator'); // in start(), before addService
 *   annotateAudit(ctx.metadata, { model_name, model_version });  // in a handler (from @omen/grpc)
 */
export { AUDIT_TOPIC, AuditTrail, ensureAuditTable, startAuditTrail } from './trail.ts';
export type { AuditTrailConfig, AuditTrailOptions } from './trail.ts';
export { auditEvent, auditRow, inputsSha256 } from './event.ts';
export { auditConfigSchema } from './config.ts';
export { httpOutcome, httpRequestId, traceIdOfTraceparent } from './http.ts';
