import { checkContracts, writeContracts } from '@omen/contracts';
import { UsageError, type Command } from '../command.ts';

const usage = `
usage: ./scripts/omen contracts generate
       ./scripts/omen contracts check

  generate  regenerate packages/contracts/src/generated from protos/ (proto-loader-gen-types)
            and schemas/*.avsc (our Avro generator); commit the result with the schema change
  check     exit 1, listing the files, when the committed generated code differs from a fresh
            generation (CI runs it; so does the contracts unit test)
`;

export const contractsCommand: Command = {
  name: 'contracts',
  summary: 'generate or check the TypeScript types generated from protos/ and schemas/',
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (action === 'generate') {
      const files = await writeContracts();
      process.stdout.write(`wrote ${files.length} files under packages/contracts/src/generated\n`);
      return 0;
    }
    if (action === 'check') {
      const diffs = await checkContracts();
      if (diffs.length === 0) {
        process.stdout.write('generated contracts are up to date\n');
        return 0;
      }
      for (const d of diffs) process.stderr.write(`${d.problem}: packages/contracts/src/generated/${d.file}\n`);
      process.stderr.write('generated contracts are out of date; run ./scripts/omen contracts generate\n');
      return 1;
    }
    throw new UsageError(action === undefined ? 'give an action: generate or check' : `unknown action "${action}"`);
  },
};
