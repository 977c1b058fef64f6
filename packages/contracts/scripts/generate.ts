// Regenerates src/generated (or, with --check, only compares) — the same code path as
// `./scripts/omen contracts generate|check`. Imports the codegen module directly rather than
// the package index, so it still runs when the generated code it replaces is broken or absent.
import { checkContracts, writeContracts } from '../src/codegen/generate.ts';

const check = process.argv.includes('--check');
if (check) {
  const diffs = await checkContracts();
  for (const d of diffs) process.stderr.write(`${d.problem}: packages/contracts/src/generated/${d.file}\n`);
  if (diffs.length) {
    process.stderr.write('generated contracts are out of date; run ./scripts/omen contracts generate\n');
    process.exitCode = 1;
  }
} else {
  const files = await writeContracts();
  process.stdout.write(`wrote ${files.length} files under packages/contracts/src/generated\n`);
}
