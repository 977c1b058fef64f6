// `omen` as a process: runs the command line and sets the exit code (bin/omen.js and
// ./scripts/omen both start here).
import { runCli } from './cli.ts';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`omen: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
