// `./scripts/omen audit` and the featurizer's part of `./scripts/omen featurizer rebuild`: run by
// the CLI verbs in a process of their own (packages/cli/src/commands/{audit,featurizer}.ts), so
// the featurizer's dependencies stay out of the CLI.
//
//   cli.ts audit --repo ID [--git PATH] [--rev REV] [--json]   completeness per stage; exit 1 when incomplete
//   cli.ts reset --repo ID [--force]                           clear the repository's history (issues kept)
//   cli.ts wait  [--timeout-s N]                               until the featurizer group has no lag
//   cli.ts relabel --repo ID                                   after a rebuild: supersede SZZ labels the rebuilt history disagrees with, delete findings it no longer finds
import { parseArgs } from 'node:util';
import { loadConfig } from '@omen/config';
import { Usage, recoveryConfigSchema, reset, runAudit, supersedeStale, waitIdle } from './steps.ts';

const usage = `
usage: cli.ts audit --repo ID [--git PATH] [--rev REV] [--json] [--topic-timeout-s N]
       cli.ts reset --repo ID [--force]
       cli.ts wait [--timeout-s N]
       cli.ts relabel --repo ID
`;

async function main(argv: readonly string[]): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        repo: { type: 'string' },
        git: { type: 'string' },
        rev: { type: 'string' },
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'timeout-s': { type: 'string' },
        'topic-timeout-s': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    const seconds = (flag: 'timeout-s' | 'topic-timeout-s', fallback: number): number => {
      const raw = values[flag];
      const n = raw === undefined ? fallback : Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > 86_400)
        throw new Usage(`--${flag} must be an integer 1..86400, got "${raw}"`);
      return n;
    };
    if (verb !== 'audit' && verb !== 'reset' && verb !== 'wait' && verb !== 'relabel')
      throw new Usage(`unknown step "${verb ?? ''}"`);
    const config = loadConfig(recoveryConfigSchema);
    if (verb === 'wait') return await waitIdle(config, seconds('timeout-s', 600));
    if (values.repo === undefined || values.repo.trim() === '') throw new Usage('--repo ID is required');
    if (verb === 'reset') return await reset(config, values.repo, values.force);
    if (verb === 'relabel') return await supersedeStale(config, values.repo);
    return await runAudit(config, {
      repo: values.repo,
      git: values.git,
      rev: values.rev,
      json: values.json,
      topicTimeoutS: seconds('topic-timeout-s', 120),
    });
  } catch (err) {
    if (
      err instanceof Usage ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`${err.message}\n${usage}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
