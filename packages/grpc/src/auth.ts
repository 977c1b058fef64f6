// Authentication, per-method roles and the audit hook, as one server interceptor: it knows who
// called (the principal), whether they were let in, and — for audited methods — how the call
// ended, which is everything an audit record needs besides what the handler adds
// (annotateAudit: model, version, a hash of the inputs).
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { grants, type AuthRefusalReason, type Authenticator, type Principal, type Role } from '@omen/auth';
import { OmenError, toGrpcStatus } from '@omen/errors';
import type { Logger } from '@omen/telemetry';
import { callStates } from './call-state.ts';

/** One audited call, as the interceptor saw it end. */
export interface AuditRecord {
  /** `/pkg.Service/Method`. */
  method: string;
  /** Undefined: no credential was presented, or it did not verify. */
  principal: Principal | undefined;
  /** The status sent, by name (`OK`, `PERMISSION_DENIED`, …). */
  outcome: string;
  /** Epoch ms when the call arrived. */
  at: number;
  /** The caller's `x-request-id` (printable, at most 128 characters), else a fresh UUID. */
  requestId: string;
  traceId: string | undefined;
  peer: string;
  /** What the handler added with annotateAudit. */
  details: Readonly<Record<string, string>>;
}

export interface AuthInterceptorOptions {
  authenticator: Authenticator;
  /** The least role `path` needs; undefined: open (a presented credential is still verified, to know who called). */
  requiredRole: (path: string) => Role | undefined;
  /** Whether calls to `path` are audited. */
  audited?: (path: string) => boolean;
  /** Where audit records go; must not block (push into a bounded buffer). Read at each call's end. */
  auditSink?: () => ((record: AuditRecord) => void) | undefined;
  logger: Logger;
}

// Keyed by the request Metadata object, like callStates: the one object grpc-js hands unchanged
// from the interceptors to the handler.
const principals = new WeakMap<grpc.Metadata, Principal>();
const auditDetails = new WeakMap<grpc.Metadata, Record<string, string>>();

/** The verified caller of the call whose request metadata this is (undefined: anonymous). */
export function callerOf(metadata: grpc.Metadata): Principal | undefined {
  return principals.get(metadata);
}

/** Adds fields (model, version, inputs hash, …) to the call's audit record, if it is audited. */
export function annotateAudit(metadata: grpc.Metadata, fields: Record<string, string>): void {
  const current = auditDetails.get(metadata);
  if (current) Object.assign(current, fields);
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

function requestIdOf(metadata: grpc.Metadata): string {
  const v = metadata.get('x-request-id')[0];
  const s = typeof v === 'string' ? v : undefined;
  // A caller's id is kept only if it is safe to store and show; anything else gets our own.
  return s !== undefined && REQUEST_ID.test(s) ? s : randomUUID();
}

/**
 * Checks the credential against the method's role (UNAUTHENTICATED: none or not valid;
 * PERMISSION_DENIED: valid but lacking the role, or not the admin token), records the principal
 * for the handler (callerOf), and reports audited calls — admitted or refused — to the sink.
 */
export function authInterceptor(options: AuthInterceptorOptions): grpc.ServerInterceptor {
  const { authenticator, logger } = options;
  return (methodDescriptor, call) => {
    const path = methodDescriptor.path;
    const needed = options.requiredRole(path);
    const audited = options.audited?.(path) ?? false;
    let audit: Omit<AuditRecord, 'outcome'> | undefined;
    let reported = false;
    const report = (code: grpc.status) => {
      if (!audit || reported) return;
      reported = true;
      const sink = options.auditSink?.();
      if (sink) sink({ ...audit, outcome: grpc.status[code] ?? String(code) });
      else
        logger.warn(
          { rpc: path, principal: audit.principal?.subject, code: grpc.status[code] },
          'audited call with no audit sink configured: recorded in this log only',
        );
    };
    // A refusal is an OmenError through the one status mapping, so it carries the same
    // google.rpc.Status details (ErrorInfo reason, the method's role) as every other error.
    const refuse = (
      code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'UNAVAILABLE',
      reason: AuthRefusalReason,
      message: string,
      principal: Principal | undefined,
    ) => {
      const status = toGrpcStatus(
        new OmenError(code, message, { reason, info: { method: path, ...(needed ? { required_role: needed } : {}) } }),
      );
      logger.warn(
        { rpc: path, peer: call.getPeer(), code, reason, principal: principal?.subject },
        'rpc refused: %s',
        status.details,
      );
      if (audit) audit = { ...audit, ...(principal ? { principal } : {}) };
      report(status.code);
      call.sendStatus(status);
    };

    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (audited) {
          const details: Record<string, string> = {};
          auditDetails.set(metadata, details);
          const span = callStates.get(metadata)?.span ?? trace.getActiveSpan();
          const traceId = span?.spanContext().traceId;
          audit = {
            method: path,
            principal: undefined,
            at: Date.now(),
            requestId: requestIdOf(metadata),
            traceId: traceId && !/^0+$/.test(traceId) ? traceId : undefined,
            peer: call.getPeer(),
            details,
          };
        }
        const header = metadata.get('authorization')[0];
        if (header === undefined || !authenticator.configured) {
          if (needed === undefined) return next(metadata);
          // HTTP/2 drops a header value with whitespace at either end (RFC 9113 §8.2.1) before any
          // code here sees it, so a padded token arrives as none: the message names that cause.
          if (header === undefined)
            return refuse(
              'UNAUTHENTICATED',
              'MISSING_CREDENTIAL',
              'this method needs "authorization: Bearer <token>" metadata, and none arrived (HTTP/2 drops a header value that starts or ends with whitespace, such as a token with a trailing space)',
              undefined,
            );
        }
        authenticator.authenticate(header === undefined ? '' : header.toString()).then(
          (outcome) => {
            if (!outcome.ok) return refuse(outcome.code, outcome.reason, outcome.message, undefined);
            const principal = outcome.principal;
            if (needed !== undefined && !grants(principal.roles, needed)) {
              return refuse(
                'PERMISSION_DENIED',
                'ROLE_REQUIRED',
                `this method needs the ${needed} role; the caller has ${principal.roles.length > 0 ? principal.roles.join(', ') : 'no role'}`,
                principal,
              );
            }
            principals.set(metadata, principal);
            if (audit) audit.principal = principal;
            next(metadata);
          },
          (err: unknown) => {
            logger.error({ err, rpc: path }, 'authentication failed unexpectedly');
            refuse(
              'UNAVAILABLE',
              'CREDENTIAL_UNVERIFIABLE',
              'the credential could not be checked now; retry',
              undefined,
            );
          },
        );
      })
      .withOnCancel(() => report(grpc.status.CANCELLED))
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        report(status.code);
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}
