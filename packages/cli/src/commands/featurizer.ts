import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { runRecoveryStep } from './audit.ts';
import { runBackfillScript } from './backfill.ts';

const usage = `
usage: ./scripts/omen featurizer rebuild --repo ID (--git PATH | --jsonl FILE) [--force] [--ingest ADDR]

Rebuilds one repository's featurizer state and features from its full history, in order, after
commits were lost (README "When commits were lost"):
  1. waits until the featurizer has read every record in its topics (no lag), so nothing older
     is applied to the cleared state ahead of the replay (--force skips the wait);
  2. clears the repository's history in Redis (issue records stay, and the commits bug issues
     name become pending links again, so issue labels come back with the replay);
  3. republishes the whole history through ingest past its dedup window (backfill --republish):
     the featurizer applies it oldest first and its new rows replace the old ones in ClickHouse
     (ReplacingMergeTree, newer computed_at) and Redis;
  4. waits until the featurizer has read it all, then runs the audit (exit 1 if still incomplete).
Ingest and the featurizer must be running. ID is the repository id the events carry
(github:owner/name, gitlab:group/project, git:NAME) and is passed to backfill as --repo.
`;

async function rebuild(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { repo: { type: 'string' }, git: { type: 'string' }, jsonl: { type: 'string' }, force: { type: 'boolean', default: false }, ingest: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.repo === undefined || !/^[a-z]+:\S+$/.test(values.repo)) throw new UsageError('--repo ID is required, as the events carry it (github:owner/name, git:NAME, ...)');
  if ((values.git === undefined) === (values.jsonl === undefined)) throw new UsageError('give exactly one of --git PATH or --jsonl FILE');
  const source = values.git !== undefined ? ['--git', values.git] : ['--jsonl', values.jsonl!];
  const step = (n: string, what: string): void => {
    process.stderr.write(`rebuild ${values.repo} [${n}/4] ${what}\n`);
  };
  step('1-2', 'waiting for the featurizer to catch up, then clearing the state');
  const reset = await runRecoveryStep(['reset', '--repo', values.repo, ...(values.force ? ['--force'] : [])]);
  if (reset !== 0) return reset;
  step('3', 'republishing the whole history through ingest');
  const republished = await runBackfillScript([...source, '--repo', values.repo, '--republish', ...(values.ingest ? ['--ingest', values.ingest] : [])]);
  if (republished !== 0) {
    process.stderr.write('the republish did not finish: the state is cleared and partly rebuilt; run the same command again\n');
    return republished;
  }
  step('4', 'waiting for the featurizer to apply it, then auditing');
  const waited = await runRecoveryStep(['wait']);
  if (waited !== 0) return waited;
  return runRecoveryStep(['audit', '--repo', values.repo, ...(values.git !== undefined ? ['--git', values.git] : [])]);
}

export const featurizerCommand: Command = {
  name: 'featurizer',
  summary: 'featurizer operations: rebuild one repository from its full history',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'rebuild') throw new UsageError(sub === undefined ? 'give an operation (rebuild)' : `unknown operation "${sub}" (have: rebuild)`);
    try {
      return await rebuild(rest);
    } catch (err) {
      if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(err.message);
      throw err;
    }
  },
};
