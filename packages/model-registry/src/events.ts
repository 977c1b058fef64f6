// The control-plane announcement of an alias change. Inference replicas subscribe to both
// subjects and switch the alias to `version` (checking `sha256` when they load it); the registry
// stays the source of truth, so a missed message heals on their next registry poll.

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

export function modelEventPayload(args: { model: string; version: string; sha256: string; alias: string; previousVersion: string | null; at: string }): ModelEventPayload {
  return {
    model: args.model,
    version: args.version,
    sha256: args.sha256,
    alias: args.alias,
    ...(args.previousVersion ? { previousVersion: args.previousVersion } : {}),
    at: args.at,
  };
}
