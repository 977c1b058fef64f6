import { UsageError, type Command } from './command.ts';
import { commands } from './commands/index.ts';

function printHelp(all: readonly Command[]): void {
  const width = Math.max(...all.map((c) => c.name.length));
  const lines = all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(`usage: ./scripts/omen <verb> [options]\n\nverbs:\n${lines.join('\n')}\n\n` +
    `./scripts/omen <verb> --help shows a verb's options.\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    printHelp(commands);
    return verb === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === verb);
  if (!command) {
    process.stderr.write(`omen: unknown verb "${verb}"\n`);
    printHelp(commands);
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

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`omen: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
