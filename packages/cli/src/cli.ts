// The dispatcher of `omen <verb> [options]`: finds the verb, prints help, usage or the version,
// and turns a UsageError into exit code 2. Separate from main.ts (the process wiring) so tests
// run it in process and read what it printed.
import { readFileSync } from 'node:fs';
import { UsageError, type Command } from './command.ts';
import { commands } from './commands/index.ts';

/** This package's version (package.json), what `omen --version` prints. */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function printHelp(all: readonly Command[]): void {
  const width = Math.max(...all.map((c) => c.name.length));
  const lines = all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(
    `usage: omen <verb> [options]\n\nverbs:\n${lines.join('\n')}\n\n` +
      `omen <verb> --help shows a verb's options; omen --version the version.\n`,
  );
}

/** Runs one command line (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[], all: readonly Command[] = commands): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    printHelp(all);
    return verb === undefined ? 2 : 0;
  }
  if (verb === '--version' || verb === '-V' || verb === 'version') {
    process.stdout.write(`omen ${CLI_VERSION}\n`);
    return 0;
  }
  const command = all.find((c) => c.name === verb);
  if (!command) {
    process.stderr.write(`omen: unknown verb "${verb}"\n`);
    printHelp(all);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`omen ${command.name}: ${err.message}\n\n${command.usage.trim()}\n`);
      return 2;
    }
    throw err;
  }
}
