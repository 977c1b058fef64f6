// The control-plane announcement of an alias change. Inference replicas subscribe to both
// subjects and switch the alias to `version` (checking `sha256` when they load it); the registry
// stays the source of truth, so a missed message heals on their next registry poll.
import { isSha256Hex } from './artifact-store.ts';

export const MODEL_EVENT_SUBJECTS = { promoted: 'model.promoted', rolledBack: 'model.rolledback' } as const;

/** JSON body of `model.promoted` / `model.rolledback`. */
export interface ModelEventPayload {
  model: string;
  version: string;
  sha256: string;
  alias: string;
  /** The version the alias pointed at before; absent when it had none. */
  previousVersion?: string;
  /** ISO-8601 time of the change. */
  at: string;
}

export function modelEventPayload(args: {
  model: string;
  version: string;
  sha256: string;
  alias: string;
  previousVersion: string | null;
  at: string;
}): ModelEventPayload {
  return {
    model: args.model,
    version: args.version,
    sha256: args.sha256,
    alias: args.alias,
    ...(args.previousVersion ? { previousVersion: args.previousVersion } : {}),
    at: args.at,
  };
}

/** A `model.promoted` / `model.rolledback` message as its subscribers act on it. */
export interface ModelEvent {
  model: string;
  version: string;
  /** The alias that moved. @default 'champion' (older publishers omitted it) */
  alias: string;
  /** Expected artifact hash, lower case; absent when the publisher sent none. */
  sha256?: string;
}

/**
 * Parses a control message: the one reader of what modelEventPayload writes. Returns a reason
 * string instead of throwing, so a subscriber logs and skips a bad message and keeps its
 * subscription.
 */
export function parseModelEvent(data: Uint8Array | string): ModelEvent | string {
  let body: unknown;
  try {
    body = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    return 'payload is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'payload is not a JSON object';
  const b = body as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = b[k];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const model = str('model');
  const version = str('version');
  if (!model) return 'payload has no "model" string';
  if (!version) return 'payload has no "version" string';
  const sha256 = str('sha256');
  if (sha256 !== undefined && !isSha256Hex(sha256.toLowerCase())) return '"sha256" is not 64 hex characters';
  return { model, version, alias: str('alias') ?? 'champion', ...(sha256 ? { sha256: sha256.toLowerCase() } : {}) };
}
