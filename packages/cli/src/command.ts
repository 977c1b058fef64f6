/** One verb of `./scripts/omen`. `run` returns the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Printed by `omen NAME --help`. */
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}

/** A usage mistake: printed with the verb's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
