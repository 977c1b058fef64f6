import { getProtoPath, loadSync } from 'google-proto-files';
import type { Root, Type } from 'protobufjs';

/**
 * The rich error model every gRPC ecosystem reads (https://google.aip.dev/193): a
 * `google.rpc.Status` whose `details` are `Any`s of the standard `google.rpc` error details,
 * sent in the `grpc-status-details-bin` trailer. Encoded with protobufjs from the published
 * protos (google-proto-files) rather than by hand, so the wire form is exactly Google's.
 */

/** The trailer grpc clients (Go's status.FromError, Java's StatusProto, grpcio-status) read. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** ErrorInfo.domain of every error omen raises. */
export const ERROR_DOMAIN = 'omen.dev';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

export interface FieldViolation {
  /** Dot/bracket path of the request field, e.g. `commit.sha`, `inputs[0].data`. */
  field: string;
  description: string;
}

/** The decoded details omen sends and reads; every part optional. */
export interface StatusDetails {
  errorInfo?: { reason: string; domain: string; metadata: Record<string, string> };
  badRequest?: { fieldViolations: FieldViolation[] };
  resourceInfo?: { resourceType: string; resourceName: string; description: string };
  retryInfo?: { retryDelayMs: number };
}

interface Types {
  status: Type;
  errorInfo: Type;
  badRequest: Type;
  resourceInfo: Type;
  retryInfo: Type;
}

let types: Types | undefined;

function load(): Types {
  if (types) return types;
  // The package's root resolves the imports (google/protobuf/*) from its own tree.
  const root: Root = loadSync(getProtoPath('rpc', 'status.proto'));
  root.loadSync(getProtoPath('rpc', 'error_details.proto'));
  types = {
    status: root.lookupType('google.rpc.Status'),
    errorInfo: root.lookupType('google.rpc.ErrorInfo'),
    badRequest: root.lookupType('google.rpc.BadRequest'),
    resourceInfo: root.lookupType('google.rpc.ResourceInfo'),
    retryInfo: root.lookupType('google.rpc.RetryInfo'),
  };
  return types;
}

// protobufjs defines google.protobuf.Any from its bundled JSON, where the field keeps its proto name `type_url`.
function any(type: Type, value: Record<string, unknown>): { type_url: string; value: Uint8Array } {
  return {
    type_url: `${TYPE_URL_PREFIX}${type.fullName.replace(/^\./, '')}`,
    value: type.encode(type.fromObject(value)).finish(),
  };
}

/** `google.rpc.Status{code, message, details}` as bytes for the `grpc-status-details-bin` trailer. */
export function encodeStatusDetails(code: number, message: string, details: StatusDetails): Buffer {
  const t = load();
  const anys = [];
  if (details.errorInfo) anys.push(any(t.errorInfo, details.errorInfo));
  if (details.badRequest) anys.push(any(t.badRequest, { fieldViolations: details.badRequest.fieldViolations }));
  if (details.resourceInfo) anys.push(any(t.resourceInfo, details.resourceInfo));
  if (details.retryInfo) {
    const ms = Math.max(0, Math.ceil(details.retryInfo.retryDelayMs));
    anys.push(any(t.retryInfo, { retryDelay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } }));
  }
  return Buffer.from(t.status.encode(t.status.fromObject({ code, message, details: anys })).finish());
}

/**
 * The details omen knows from a `grpc-status-details-bin` value; undefined when the bytes are
 * not a google.rpc.Status. Unknown detail types are skipped, as the AIP asks of clients.
 */
export function decodeStatusDetails(
  bytes: Uint8Array,
): (StatusDetails & { code: number; message: string }) | undefined {
  const t = load();
  let status: { code?: number; message?: string; details?: { type_url?: string; value?: Uint8Array }[] };
  try {
    status = t.status.toObject(t.status.decode(bytes), { defaults: true });
  } catch {
    return undefined;
  }
  const out: StatusDetails & { code: number; message: string } = {
    code: status.code ?? 0,
    message: status.message ?? '',
  };
  for (const detail of status.details ?? []) {
    const name = detail.type_url?.slice(detail.type_url.lastIndexOf('/') + 1);
    const value = detail.value ?? new Uint8Array();
    try {
      if (name === 'google.rpc.ErrorInfo')
        out.errorInfo = t.errorInfo.toObject(t.errorInfo.decode(value), {
          defaults: true,
          objects: true,
        }) as NonNullable<StatusDetails['errorInfo']>;
      else if (name === 'google.rpc.BadRequest')
        out.badRequest = t.badRequest.toObject(t.badRequest.decode(value), {
          defaults: true,
          arrays: true,
        }) as NonNullable<StatusDetails['badRequest']>;
      else if (name === 'google.rpc.ResourceInfo')
        out.resourceInfo = t.resourceInfo.toObject(t.resourceInfo.decode(value), { defaults: true }) as NonNullable<
          StatusDetails['resourceInfo']
        >;
      else if (name === 'google.rpc.RetryInfo') {
        const r = t.retryInfo.toObject(t.retryInfo.decode(value), { defaults: true, longs: Number }) as {
          retryDelay?: { seconds?: number; nanos?: number };
        };
        out.retryInfo = {
          retryDelayMs: (r.retryDelay?.seconds ?? 0) * 1000 + Math.round((r.retryDelay?.nanos ?? 0) / 1e6),
        };
      }
    } catch {
      // A detail that does not decode is skipped; the rest still help the caller.
    }
  }
  return out;
}
