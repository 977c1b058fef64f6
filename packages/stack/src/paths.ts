import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where `topics.yaml` and `scripts/omen` live). */
export function repoRoot(): string {
  return process.env['OMEN_ROOT'] || fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
}

/** Where the stack keeps its state; everything under `home` is git-ignored. */
export interface StackPaths {
  readonly root: string;
  /** `.omen` (or `$OMEN_HOME`). */
  readonly home: string;
  /** `.omen/stack`: one data directory per engine. */
  readonly stack: string;
  readonly logs: string;
  readonly run: string;
  /** `.omen/stack.env`: the engines' addresses, `KEY=value` per line. */
  readonly envFile: string;
  /** `.omen/bin`: the built dev Kafka broker. */
  readonly bin: string;
}

export interface StackPathOptions {
  /** @default repoRoot() */
  readonly root?: string;
  /** @default $OMEN_HOME, else `<root>/.omen` */
  readonly home?: string;
}

export function stackPaths(options: StackPathOptions = {}): StackPaths {
  const root = options.root ?? repoRoot();
  const home = options.home ?? (process.env['OMEN_HOME'] || join(root, '.omen'));
  const stack = join(home, 'stack');
  return {
    root,
    home,
    stack,
    logs: join(stack, 'logs'),
    run: join(stack, 'run'),
    envFile: join(home, 'stack.env'),
    bin: join(home, 'bin'),
  };
}
